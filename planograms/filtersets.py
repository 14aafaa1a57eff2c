"""One FilterSet per planogram model, shared by the API, the pages and the admin."""

import django_filters as filters
from django.db.models import Q

from cvd_portal.filters import PortalFilterSet, YesNoFilter
from cvd_portal.moments import MomentFilter
from devices.models import Device, Route

from .choices import InventoryMovementReason
from .models import SLOT_SOLD_OUT, InventoryMovement, Planogram, PlanogramSlot, Product


class ProductFilterSet(PortalFilterSet):
    category = filters.CharFilter(lookup_expr="iexact")
    search = filters.CharFilter(method="filter_search", label="Name, SKU or barcode contains")

    class Meta:
        model = Product
        fields = ["category", "sku", "barcode", "search"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(sku__icontains=value) | Q(barcode__icontains=value))


class PlanogramFilterSet(PortalFilterSet):
    name = filters.CharFilter(lookup_expr="icontains")
    device = filters.ModelChoiceFilter(field_name="cabinet__device", queryset=Device.objects.all())
    route = filters.ModelChoiceFilter(field_name="cabinet__device__route", queryset=Route.objects.all())

    class Meta:
        model = Planogram
        fields = ["name", "cabinet", "device", "route"]


class PlanogramSlotFilterSet(PortalFilterSet):
    device = filters.ModelChoiceFilter(field_name="planogram__cabinet__device", queryset=Device.objects.all())
    sold_out = YesNoFilter(method="filter_sold_out", label="Sold out")
    maintenance = YesNoFilter(method="filter_maintenance", label="Maintenance slot")

    class Meta:
        model = PlanogramSlot
        fields = ["planogram", "device", "product", "position", "sold_out", "maintenance"]

    def filter_sold_out(self, queryset, name, value):
        """Sold-out slots (``SLOT_SOLD_OUT``), or the others; maintenance and unassigned slots are never sold out."""
        return queryset.filter(SLOT_SOLD_OUT) if value else queryset.exclude(SLOT_SOLD_OUT)

    def filter_maintenance(self, queryset, name, value):
        """Slots taken out of service, marked by a capacity of 0."""
        return queryset.filter(capacity=0) if value else queryset.exclude(capacity=0)


class InventoryMovementFilterSet(PortalFilterSet):
    device = filters.ModelChoiceFilter(field_name="slot__planogram__cabinet__device", queryset=Device.all_objects.all())
    route = filters.ModelChoiceFilter(
        field_name="slot__planogram__cabinet__device__route", queryset=Route.objects.all()
    )
    reason = filters.ChoiceFilter(choices=InventoryMovementReason.choices)
    # Half-open [occurred_after, occurred_before), as the sales' date range; any moment the database can compare.
    occurred_after = MomentFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = MomentFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = InventoryMovement
        fields = ["slot", "device", "route", "reason", "service_visit", "occurred_after", "occurred_before"]
