from rest_framework import serializers

from analytics.models import Sale
from cvd_portal.api.serializers import ValidatedModelSerializer


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
        ]
