"""Which devices an analytics request covers: those the user may see, narrowed by ``DeviceFilterSet``.

A GET takes the FilterSet's parameters in the query string, as ``/api/devices/`` does; the asset-sales
POST takes them as its body's ``filters`` object (a list for a list filter). Either way the FilterSet
validates and narrows, so a filter means the same on every endpoint, and a wrong one is a 400 under
``filters`` naming it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django_filters import MultipleChoiceFilter
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers

from cvd_portal.api.exceptions import validation_error_detail
from cvd_portal.api.views import VisibleRowsMixin
from devices.filtersets import DeviceFilterSet, validated_filterset
from devices.models import Device
from devices.selectors import devices_visible_to


class DeviceFiltersMixin(VisibleRowsMixin):
    """For a ``GenericAPIView`` that reports on devices: the devices the user may see, narrowed by DeviceFilterSet.

    ``filter_backends`` and ``filterset_class`` are what the schema reads to document the FilterSet's
    query parameters (with ``extend_schema(filters=True)`` on a GET), as it does for the fleet lists.
    """

    queryset = Device.objects.all()
    visible_to = staticmethod(devices_visible_to)
    filter_backends = [DjangoFilterBackend]
    filterset_class = DeviceFilterSet
    pagination_class = None

    def device_filterset(self, data=None) -> DeviceFilterSet:
        """The FilterSet bound to ``data`` (by default the query string), valid; 400 under ``filters`` otherwise."""
        try:
            return validated_filterset(
                self.filterset_class,
                self.request.query_params if data is None else data,
                queryset=self.get_queryset(),
                request=self.request,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError({"filters": validation_error_detail(error)}) from None


class DeviceFiltersField(serializers.Field):
    """A JSON body's ``filters``: DeviceFilterSet's parameters as an object, a list for each list filter.

    Checks the JSON shape only and gives the parameters as a query string would carry them; the
    FilterSet then validates the values (``DeviceFiltersMixin.device_filterset``).
    """

    default_error_messages = {
        "not_an_object": "Expected an object of filters.",
        "not_a_list": "Expected a list of strings or numbers.",
        "not_a_value": "Expected a string, a number or a boolean.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_an_object")
        query, errors = QueryDict(mutable=True), {}
        for name, value in data.items():
            filter_ = DeviceFilterSet.base_filters.get(name)
            if filter_ is None:  # as in a query string, a parameter the FilterSet does not know is ignored
                continue
            if isinstance(filter_, MultipleChoiceFilter):
                if not isinstance(value, list) or not all(_is_value(item, bool_ok=False) for item in value):
                    errors[name] = [self.error_messages["not_a_list"]]
                    continue
                query.setlist(name, [str(item) for item in value])
            elif _is_value(value, bool_ok=True):
                query[name] = str(value).lower() if isinstance(value, bool) else str(value)
            else:
                errors[name] = [self.error_messages["not_a_value"]]
        if errors:
            raise serializers.ValidationError(errors)
        return query

    def to_representation(self, value):
        return {name: value.getlist(name) for name in value}


def _is_value(value, *, bool_ok: bool) -> bool:
    return isinstance(value, str | int | float) and (bool_ok or not isinstance(value, bool))


class DeviceFiltersFieldExtension(OpenApiSerializerFieldExtension):
    """Documents ``DeviceFiltersField`` as an object of DeviceFilterSet's parameters, typed as the GET's are."""

    target_class = DeviceFiltersField

    def map_serializer_field(self, auto_schema, direction):
        documented = DjangoFilterExtension(DjangoFilterBackend())
        properties = {}
        for name, filter_ in DeviceFilterSet.base_filters.items():
            for parameter in documented.resolve_filter_field(auto_schema, Device, DeviceFilterSet, name, filter_):
                properties[parameter["name"]] = {**parameter["schema"]}
                if parameter.get("description"):
                    properties[parameter["name"]]["description"] = parameter["description"]
        return {"type": "object", "properties": properties, "description": "DeviceFilterSet's parameters."}
