"""One FilterSet per sales model, shared by the API, the pages and the admin."""

import django_filters as filters

from cvd_portal.filters import PortalFilterSet
from cvd_portal.moments import MomentFilter
from devices.models import Device, Route

from .models import Sale


class SaleFilterSet(PortalFilterSet):
    # A retired device keeps its sales, and they stay readable by device, as its movements do.
    device = filters.ModelChoiceFilter(queryset=Device.all_objects.all())
    route = filters.ModelChoiceFilter(field_name="device__route", queryset=Route.objects.all())
    # Half-open [sold_after, sold_before) so consecutive windows never count a sale twice;
    # a bare date means midnight in the operator's time zone.
    # Any moment the database can compare (MomentFilter): a wild offset or year is a 400 naming the filter.
    sold_after = MomentFilter(field_name="sold_at", lookup_expr="gte", label="Sold at or after")
    sold_before = MomentFilter(field_name="sold_at", lookup_expr="lt", label="Sold before")

    class Meta:
        model = Sale
        fields = ["device", "product", "slot", "route", "sold_after", "sold_before"]
