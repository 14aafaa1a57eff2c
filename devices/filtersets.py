"""One FilterSet per fleet model, shared by the API, the pages and the admin."""

import django_filters as filters
from django.db.models import Exists, OuterRef

from .choices import VenueType
from .models import Cabinet, CabinetType, Device, DeviceType, Location, Route


class LocationFilterSet(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    venue_type = filters.MultipleChoiceFilter(choices=VenueType.choices)

    class Meta:
        model = Location
        fields = ["name", "venue_type"]


class RouteFilterSet(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Route
        fields = ["name", "number", "driver"]


class DeviceTypeFilterSet(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = DeviceType
        fields = ["name", "allows_additional_cabinets"]


class CabinetTypeFilterSet(filters.FilterSet):
    name = filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = CabinetType
        fields = ["name", "rows", "columns"]


class DeviceFilterSet(filters.FilterSet):
    asset = filters.CharFilter(lookup_expr="icontains")
    serial_number = filters.CharFilter(lookup_expr="icontains")
    venue_type = filters.MultipleChoiceFilter(field_name="location__venue_type", choices=VenueType.choices)
    has_planogram = filters.BooleanFilter(method="filter_has_planogram", label="Has a planogram")

    class Meta:
        model = Device
        fields = ["asset", "serial_number", "location", "venue_type", "device_type", "route", "has_planogram"]

    def filter_has_planogram(self, queryset, name, value):
        """Devices with (or without) a planogram on at least one of their cabinets."""
        with_planogram = Exists(Cabinet.objects.filter(device=OuterRef("pk"), planogram__isnull=False))
        return queryset.filter(with_planogram if value else ~with_planogram)


class CabinetFilterSet(filters.FilterSet):
    is_parent = filters.BooleanFilter()

    class Meta:
        model = Cabinet
        fields = ["device", "cabinet_type", "index", "is_parent"]
