from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cvd_portal.api.views import PortalReadOnlyModelViewSet
from devices.selectors import devices_visible_to
from sales.api.serializers import SaleBatchSerializer, SaleSerializer, SalesRecordedSerializer
from sales.filtersets import SaleFilterSet
from sales.models import Sale
from sales.selectors import sales_visible_to
from sales.services import SaleRowsInvalid, sales_record, sales_rows_resolve


class SaleViewSet(PortalReadOnlyModelViewSet):
    """Sales as they happened; machines' sales arrive in bulk through ``POST /api/sales/``."""

    queryset = Sale.objects.select_related("device", "product", "slot")
    visible_to = staticmethod(sales_visible_to)
    serializer_class = SaleSerializer
    filterset_class = SaleFilterSet
    ordering_fields = ["sold_at", "cash_amount", "units"]

    @extend_schema(
        summary="Record a batch of sales",
        description=(
            "Up to 10,000 rows, all or nothing: one bad row records none, and the answer names each bad "
            'row by its index, e.g. `{"rows": {"3": {"device": ["Unknown asset “X”."]}}}`. '
            "A row whose `transaction_id` its device already recorded is left out (counted as a duplicate), "
            "so a batch can be retried safely. Each sale from a slot lowers its quantity, never below zero; "
            "the units beyond the stock are recorded as a shortfall on the slot's inventory movement. "
            "The devices' metrics are recalculated after the batch commits."
        ),
        request=SaleBatchSerializer,
        responses={201: SalesRecordedSerializer, 400: OpenApiResponse(description="Row or field errors.")},
    )
    def create(self, request):
        batch = SaleBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        try:
            # A driver (or any user without every route) records sales only for the devices they see.
            entries = sales_rows_resolve(batch.validated_data["rows"], devices=devices_visible_to(request.user))
        except SaleRowsInvalid as invalid:
            raise ValidationError({"rows": invalid.row_errors}) from invalid
        recorded = sales_record(entries=entries, user=request.user)
        return Response(SalesRecordedSerializer(asdict(recorded)).data, status=status.HTTP_201_CREATED)
