from contextlib import contextmanager

from rest_framework import serializers

from cvd_portal.api.exceptions import validation_error_detail
from cvd_portal.api.serializers import ValidatedModelSerializer, VisiblePrimaryKeyRelatedField
from devices.selectors import cabinets_visible_to
from planograms.models import Planogram, PlanogramSlot, Product
from planograms.selectors import planograms_visible_to
from planograms.services.planograms import SlotsValidationError, planogram_create, planogram_update


class ProductSerializer(ValidatedModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "category", "price", "sku", "barcode", "case_pack"]


class SlotReadFieldsMixin(serializers.Serializer):
    """What a reader of a slot wants beside the ids: the product's name and the price it vends at."""

    product_name = serializers.CharField(source="product.name", read_only=True, allow_null=True)
    vend_price = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True, allow_null=True)


SLOT_API_FIELDS = ["position", "product", "product_name", "quantity", "capacity", "par_level", "price", "vend_price"]


class PlanogramSlotSerializer(SlotReadFieldsMixin, ValidatedModelSerializer):
    """A slot on its own (``/planogram-slots/``)."""

    planogram = VisiblePrimaryKeyRelatedField(visible_to=planograms_visible_to)

    class Meta:
        model = PlanogramSlot
        fields = ["id", "planogram", *SLOT_API_FIELDS, "updated_at"]


class NestedPlanogramSlotSerializer(SlotReadFieldsMixin, serializers.ModelSerializer):
    """A slot inside its planogram. Only field types are checked here: the slot rules need the whole
    set (positions unique, existing slots matched by position) and run in the planogram service."""

    class Meta:
        model = PlanogramSlot
        fields = ["id", *SLOT_API_FIELDS, "updated_at"]


@contextmanager
def slot_errors_as_field_errors():
    """Turn the service's per-slot errors into DRF's shape for a nested list, ``{"slots": {index: {...}}}``,
    the same shape the nested serializer answers with for a slot of the wrong types."""
    try:
        yield
    except SlotsValidationError as error:
        detail = {index: validation_error_detail(e) for index, e in enumerate(error.slot_errors) if e is not None}
        raise serializers.ValidationError({"slots": detail}) from error


class PlanogramSerializer(ValidatedModelSerializer):
    """A planogram with its slots. Written whole: ``slots``, when given, is the complete set, matched
    to the existing slots by position (see ``planogram_update``)."""

    cabinet = VisiblePrimaryKeyRelatedField(visible_to=cabinets_visible_to)
    device = serializers.IntegerField(source="cabinet.device_id", read_only=True)
    device_asset = serializers.CharField(source="cabinet.device.asset", read_only=True)
    cabinet_index = serializers.IntegerField(source="cabinet.index", read_only=True)
    slots = NestedPlanogramSlotSerializer(many=True, required=False)

    class Meta:
        model = Planogram
        fields = ["id", "cabinet", "cabinet_index", "device", "device_asset", "name", "updated_at", "slots"]

    def validate_cabinet(self, cabinet):
        if self.instance is not None and cabinet != self.instance.cabinet:
            raise serializers.ValidationError("A planogram stays with its cabinet; create one for the other cabinet.")
        return cabinet

    def create(self, validated_data):
        with slot_errors_as_field_errors():
            return planogram_create(
                cabinet=validated_data["cabinet"],
                name=validated_data.get("name", ""),
                slots=validated_data.get("slots", []),
            )

    def update(self, instance, validated_data):
        with slot_errors_as_field_errors():
            return planogram_update(
                planogram=instance,
                name=validated_data.get("name", instance.name),
                slots=validated_data.get("slots"),
            )
