from analytics.api.serializers import SaleSerializer
from analytics.filtersets import SaleFilterSet
from analytics.models import Sale
from analytics.selectors import sales_visible_to
from cvd_portal.api.views import PortalReadOnlyModelViewSet


class SaleViewSet(PortalReadOnlyModelViewSet):
    """Sales as they happened (read-only; sales arrive from the machines, not from API clients)."""

    queryset = Sale.objects.select_related("device", "product", "slot")
    visible_to = staticmethod(sales_visible_to)
    serializer_class = SaleSerializer
    filterset_class = SaleFilterSet
    ordering_fields = ["sold_at", "cash_amount", "units"]
