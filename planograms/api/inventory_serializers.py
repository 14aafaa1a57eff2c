"""Serializers of the inventory API: restocks (service visits) and the movements they write."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cvd_portal.api.serializers import VisiblePrimaryKeyRelatedField
from cvd_portal.moments import EventMomentField
from devices.selectors import cabinets_visible_to, devices_visible_to
from planograms.choices import RestockMode
from planograms.models import InventoryMovement, PlanogramSlot, ServiceVisit
from planograms.selectors import slot_at_position, slot_position_parse, slots_at_positions


class InventoryMovementSerializer(serializers.ModelSerializer):
    slot_position = serializers.CharField(source="slot.position", read_only=True)
    device = serializers.IntegerField(source="slot.planogram.cabinet.device_id", read_only=True)

    class Meta:
        model = InventoryMovement
        fields = [
            "id",
            "slot",
            "slot_position",
            "device",
            "reason",
            "quantity_before",
            "quantity_after",
            "shortfall",
            "service_visit",
            "user",
            "occurred_at",
            "recorded_at",
        ]


class ServiceVisitSerializer(serializers.ModelSerializer):
    movements = InventoryMovementSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceVisit
        fields = ["id", "device", "performed_by", "performed_at", "recorded_at", "note", "movements"]


@extend_schema_field(OpenApiTypes.INT)
class VisibleDeviceField(VisiblePrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(visible_to=devices_visible_to, **kwargs)


@extend_schema_field(OpenApiTypes.INT)
class VisibleCabinetField(VisiblePrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(visible_to=cabinets_visible_to, **kwargs)


class RestockSerializer(serializers.Serializer):
    """A service visit to one device (all its slots) or one of its cabinets.

    ``counts`` (for ``mode=count``) maps slots to counted quantities; a slot is its id or its
    position (e.g. "A1"), found by ``slot_at_position``: in the cabinet when one is given, else in
    the device's parent cabinet, or in the one cabinet that has it.
    """

    device = VisibleDeviceField(required=False)
    cabinet = VisibleCabinetField(required=False)
    mode = serializers.ChoiceField(choices=RestockMode.choices)
    counts = serializers.DictField(
        child=serializers.IntegerField(min_value=0),
        required=False,
        help_text="Counted quantity by slot id or position.",
    )
    performed_at = EventMomentField(
        required=False,
        help_text="When the visit happened; default now. Not before EARLIEST_EVENT, nor minutes ahead of the server.",
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if ("device" in attrs) == ("cabinet" in attrs):
            raise serializers.ValidationError({"device": ["Give either the device or the cabinet."]})
        if attrs["mode"] == RestockMode.COUNT and not attrs.get("counts"):
            raise serializers.ValidationError({"counts": ["Give the counted quantity of at least one slot."]})
        cabinet = attrs.get("cabinet")
        device = cabinet.device if cabinet else attrs["device"]
        if cabinet:
            slots = PlanogramSlot.objects.filter(planogram__cabinet=cabinet)
        else:
            slots = PlanogramSlot.objects.filter(planogram__cabinet__device=device)
        attrs["slots"] = list(slots)
        attrs["counts"] = self._counts_by_slot_id(
            attrs.get("counts", {}), attrs["slots"], device=device, cabinet=cabinet.index if cabinet else None
        )
        return attrs

    @staticmethod
    def _counts_by_slot_id(counts, slots, *, device, cabinet):
        ids = {str(slot.pk): slot.pk for slot in slots}
        positions, problems, by_id = {}, [], {}
        for key, quantity in counts.items():
            if key.strip() in ids:
                by_id[ids[key.strip()]] = quantity
                continue
            try:
                positions[key] = slot_position_parse(key)
            except ValueError:
                problems.append(f"No such slot here: {key}.")
        slots_at = slots_at_positions({(device.pk, position) for position in positions.values()})
        for key, position in positions.items():
            try:
                slot = slot_at_position(
                    slots_at, device_id=device.pk, asset=device.asset, position=position, cabinet=cabinet
                )
            except ValueError as problem:
                problems.append(str(problem))
            else:
                by_id[slot.slot_id] = counts[key]
        if problems:
            raise serializers.ValidationError({"counts": problems})
        return by_id
