"""One FilterSet per fleet model, shared by the API, the pages, the reports and the exports.

``DeviceFilterSet`` is the one way to narrow devices: the fleet API's ``/api/devices/``, the
analytics API (asset sales, comparisons, exports), the asset-sales report and the dashboard's
filter controls all pass their parameters through it. A list filter takes its values repeated
(``?route=1&route=2``) or comma-separated (``?route=1,2``); an id that names nothing the user may
see is an error that names it.
"""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from cvd_portal.filters import PortalFilterSet, YesNoFilter

from .choices import VenueType
from .models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from .selectors import devices_visible_to, routes_visible_to

# Ids beyond a 32-bit integer cannot exist and would overflow some databases' parameters.
MAX_ID = 2**31 - 1
MAX_IDS = 10_000


class ListSelect(forms.Select):
    """A select of one choice whose value is read as a list: repeated parameters, comma-separated values, or both.

    ``empty_label`` heads the options, standing for "no filter".
    """

    def __init__(self, attrs=None, choices=(), *, empty_label="All"):
        super().__init__(attrs, choices)
        self.empty_label = empty_label

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        if not isinstance(values, list | tuple):
            values = [values]
        return [part.strip() for value in values for part in str(value).split(",") if part.strip()]

    def use_required_attribute(self, initial):
        # A filter left empty does not filter; and Select's check would read the choices (a query) to decide.
        return False

    def optgroups(self, name, value, attrs=None):
        # The choices are read once, by Select (a model field's are a query); the empty option goes in front.
        empty = self.create_option(name, "", self.empty_label, not any(value), 0, attrs=attrs)
        return [(None, [empty], 0), *super().optgroups(name, value, attrs)]


class IdListField(forms.ModelMultipleChoiceField):
    """Ids of rows of ``queryset``, cleaned to a sorted list of ints in one query whatever their number."""

    widget = ListSelect
    default_error_messages = {
        "invalid_id": "“%(value)s” is not an id: expected a whole number from 1 to %(max)s.",
        "too_many": "At most %(max)s ids at a time; got %(count)s.",
        "unknown": "Unknown id(s): %(ids)s.",
    }

    def clean(self, value):
        values = [value] if isinstance(value, str | int) else list(value or ())
        if not values:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        if len(values) > MAX_IDS:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": MAX_IDS, "count": len(values)}
            )
        ids = set()
        for raw in values:
            text = str(raw).strip()
            if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_ID):
                raise ValidationError(
                    self.error_messages["invalid_id"], code="invalid_id", params={"value": raw, "max": MAX_ID}
                )
            ids.add(int(text))
        known = set(self.queryset.filter(pk__in=ids).order_by().values_list("pk", flat=True))
        if unknown := ids - known:
            raise ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"ids": ", ".join(str(pk) for pk in sorted(unknown))},
            )
        return sorted(ids)


class IdListFilter(filters.ModelMultipleChoiceFilter):
    """Rows whose ``field_name`` is one of the given ids (each checked to be among ``queryset``'s)."""

    field_class = IdListField

    def filter(self, qs, value):
        return qs.filter(**{f"{self.field_name}__in": value}) if value else qs


class ChoiceListFilter(filters.MultipleChoiceFilter):
    """Rows whose ``field_name`` is one of the given choices, read as ``ListSelect`` reads them."""

    def __init__(self, *args, empty_label="All", **kwargs):
        kwargs.setdefault("widget", ListSelect(empty_label=empty_label))
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)


def _visible_routes(request):
    """The routes the requesting user may see; every route when there is no request (a script, the schema)."""
    user = getattr(request, "user", None)
    return routes_visible_to(user) if user is not None else Route.objects.all()


def _visible_devices(request):
    """The devices the requesting user may see; every device when there is no request."""
    user = getattr(request, "user", None)
    return devices_visible_to(user) if user is not None else Device.objects.all()


class LocationFilterSet(PortalFilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    venue_type = ChoiceListFilter(choices=VenueType.choices)

    class Meta:
        model = Location
        fields = ["name", "venue_type"]


class RouteFilterSet(PortalFilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Route
        fields = ["name", "number", "driver"]


class DeviceTypeFilterSet(PortalFilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = DeviceType
        fields = ["name", "allows_additional_cabinets"]


class CabinetTypeFilterSet(PortalFilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = CabinetType
        fields = ["name", "rows", "columns"]


class DeviceFilterSet(PortalFilterSet):
    """Devices by asset, serial number, location, venue type, device type, route, id and planogram.

    ``route`` and ``device_ids`` are checked against the routes and devices the requesting user may see.
    """

    asset = filters.CharFilter(
        lookup_expr="icontains",
        max_length=50,
        label="Asset",
        help_text="Part of the asset number.",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    serial_number = filters.CharFilter(lookup_expr="icontains", max_length=50)
    location = IdListFilter(
        queryset=Location.objects.all(),
        label="Location",
        help_text="Location ids.",
        widget=ListSelect(empty_label="All locations"),
    )
    venue_type = ChoiceListFilter(
        field_name="location__venue_type",
        choices=VenueType.choices,
        label="Venue type",
        help_text="Venue types of the devices' locations.",
        empty_label="All venue types",
    )
    device_type = IdListFilter(
        queryset=DeviceType.objects.all(),
        label="Device type",
        help_text="Device type ids.",
        widget=ListSelect(empty_label="All device types"),
    )
    route = IdListFilter(
        queryset=_visible_routes,
        label="Route",
        help_text="Route ids (among the routes the user may see).",
        widget=ListSelect(empty_label="All routes"),
    )
    device_ids = IdListFilter(
        field_name="id",
        queryset=_visible_devices,
        label="Devices",
        help_text="Device ids (among the devices the user may see).",
    )
    has_planogram = YesNoFilter(method="filter_has_planogram", label="Has a planogram")

    class Meta:
        model = Device
        fields = [
            "asset",
            "serial_number",
            "location",
            "venue_type",
            "device_type",
            "route",
            "device_ids",
            "has_planogram",
        ]

    def filter_has_planogram(self, queryset, name, value):
        """Devices with (or without) a planogram on at least one of their cabinets."""
        with_planogram = Exists(Cabinet.objects.filter(device=OuterRef("pk"), planogram__isnull=False))
        return queryset.filter(with_planogram if value else ~with_planogram)


class CabinetFilterSet(PortalFilterSet):
    is_parent = YesNoFilter()

    class Meta:
        model = Cabinet
        fields = ["device", "cabinet_type", "index", "is_parent"]


def validated_filterset(filterset_class, data, *, queryset, request=None) -> filters.FilterSet:
    """``filterset_class`` over ``queryset``, bound to ``data`` and valid; its ``qs`` is the narrowed rows.

    Raises ValidationError keyed by each parameter that is wrong.
    """
    filterset = filterset_class(data if data is not None else {}, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors.as_data())
    return filterset
