from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cvd_portal.api.serializers import ValidatedModelSerializer
from cvd_portal.money import CASH_AMOUNT_MAX_DIGITS, MAX_CASH_AMOUNT, MONEY_DECIMAL_PLACES
from devices.models import MAX_CABINETS_PER_DEVICE
from sales.models import Sale


class SaleSerializer(ValidatedModelSerializer):
    device_asset = serializers.CharField(source="device.asset", read_only=True)
    product_name = serializers.CharField(source="product.name", read_only=True)
    slot_position = serializers.CharField(source="slot.position", read_only=True, allow_null=True)

    class Meta:
        model = Sale
        fields = [
            "id",
            "device",
            "device_asset",
            "product",
            "product_name",
            "slot",
            "slot_position",
            "units",
            "cash_amount",
            "sold_at",
            "transaction_id",
        ]


MAX_SALE_ROWS = 10_000


class SaleRowSerializer(serializers.Serializer):
    """One row of ``POST /api/sales`` (documentation: the rows are checked by ``sales_rows_resolve``)."""

    device = serializers.CharField(help_text="The device's asset (a string) or id (a number).")
    product = serializers.CharField(
        required=False, help_text="The product's SKU (a string) or id (a number); the slot's product when left out."
    )
    slot = serializers.CharField(required=False, help_text="The slot's position, e.g. A1.")
    cabinet = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_CABINETS_PER_DEVICE,
        help_text="The slot's cabinet when several have it; default 1.",
    )
    units = serializers.IntegerField(required=False, min_value=1, default=1)
    cash_amount = serializers.DecimalField(
        max_digits=CASH_AMOUNT_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES, min_value=0, max_value=MAX_CASH_AMOUNT
    )
    sold_at = serializers.DateTimeField(help_text="ISO 8601; without an offset, in the operator's time zone.")
    transaction_id = serializers.CharField(
        required=False, max_length=100, help_text="The client's id of the sale: a retried sale is not recorded twice."
    )


@extend_schema_field(SaleRowSerializer(many=True))
class SaleRowsField(serializers.ListField):
    """The rows, passed through as they came: a serializer per row is too slow for 10,000 of them,
    so ``sales_rows_resolve`` checks them in one pass and names each bad row's fields."""


class SaleBatchSerializer(serializers.Serializer):
    rows = SaleRowsField(min_length=1, max_length=MAX_SALE_ROWS)


class SalesRecordedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="Sales recorded by this request.")
    duplicates = serializers.IntegerField(help_text="Rows left out: their transaction id was already recorded.")
    shortfalls = serializers.IntegerField(help_text="Slots that sold more than their stock (kept at zero).")
    units_short = serializers.IntegerField(help_text="Units sold beyond the stock, over those slots.")
