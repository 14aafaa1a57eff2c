from django.db.models import Prefetch

from cvd_portal.api.views import PortalModelViewSet
from planograms.api.serializers import PlanogramSerializer, PlanogramSlotSerializer, ProductSerializer
from planograms.filtersets import PlanogramFilterSet, PlanogramSlotFilterSet, ProductFilterSet
from planograms.models import Planogram, PlanogramSlot, Product
from planograms.selectors import planograms_visible_to, slots_visible_to


class ProductViewSet(PortalModelViewSet):
    """The product catalogue."""

    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["name", "category", "price", "sku"]


class PlanogramViewSet(PortalModelViewSet):
    """Cabinet layouts with their slots, written together; a driver sees those of their routes' devices."""

    queryset = Planogram.objects.select_related("cabinet__device").prefetch_related(
        Prefetch("slots", queryset=PlanogramSlot.objects.select_related("product"))
    )
    visible_to = staticmethod(planograms_visible_to)
    serializer_class = PlanogramSerializer
    filterset_class = PlanogramFilterSet
    ordering_fields = ["cabinet__device__asset", "name", "updated_at"]


class PlanogramSlotViewSet(PortalModelViewSet):
    """Single slots, for edits that do not rewrite the whole planogram."""

    queryset = PlanogramSlot.objects.select_related("product")
    visible_to = staticmethod(slots_visible_to)
    serializer_class = PlanogramSlotSerializer
    filterset_class = PlanogramSlotFilterSet
    ordering_fields = ["position", "quantity", "capacity", "updated_at"]
