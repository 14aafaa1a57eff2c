"""The inventory API: record a restock (a service visit) and read the inventory movements."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from cvd_portal.api.views import PortalReadOnlyModelViewSet
from planograms.filtersets import InventoryMovementFilterSet
from planograms.models import InventoryMovement, ServiceVisit
from planograms.selectors import inventory_movements_visible_to
from planograms.services.inventory import restock

from .inventory_serializers import InventoryMovementSerializer, RestockSerializer, ServiceVisitSerializer


class InventoryMovementViewSet(PortalReadOnlyModelViewSet):
    """Every change of a slot's quantity: before, after, why (sale, restock, count, correction), who and when."""

    queryset = InventoryMovement.objects.select_related("slot__planogram__cabinet")
    visible_to = staticmethod(inventory_movements_visible_to)
    serializer_class = InventoryMovementSerializer
    filterset_class = InventoryMovementFilterSet
    ordering_fields = ["occurred_at", "recorded_at"]


class RestockView(GenericAPIView):
    """Record a service visit that filled (to par or capacity) or counted a device's or cabinet's slots.

    Answers 201 with the visit and the movements it wrote; the metrics are recalculated after it commits.
    """

    queryset = ServiceVisit.objects.all()  # names the model for the role permissions (add_servicevisit)
    serializer_class = RestockSerializer

    @extend_schema(request=RestockSerializer, responses={201: ServiceVisitSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        visit = restock(
            slots=data["slots"],
            mode=data["mode"],
            user=request.user,
            counts=data["counts"],
            performed_at=data.get("performed_at"),
            note=data["note"],
        )
        movements = Prefetch("movements", InventoryMovement.objects.select_related("slot__planogram__cabinet"))
        visit = ServiceVisit.objects.prefetch_related(movements).get(pk=visit.pk)
        return Response(ServiceVisitSerializer(visit).data, status=status.HTTP_201_CREATED)
