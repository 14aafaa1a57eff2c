"""Serializers of the metrics API: runs, and a route's devices with their metrics."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cvd_portal.api.serializers import VisiblePrimaryKeyRelatedField
from devices.api.serializers import RouteSerializer
from devices.models import Cabinet, Device, Location, Route
from devices.selectors import devices_visible_to
from metrics.choices import Urgency
from metrics.models import CabinetMetrics, DeviceMetrics, MetricsRun, SlotMetrics, UrgencyThresholds
from planograms.models import PlanogramSlot, Product

from ..models import ROLLED_UP_METRIC_FIELDS


@extend_schema_field(OpenApiTypes.INT)
class VisibleDeviceField(VisiblePrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        super().__init__(visible_to=devices_visible_to, **kwargs)


class MetricsCalculateSerializer(serializers.Serializer):
    """What to recalculate: the given devices, or (when omitted) every device the user may see."""

    # Checked together, in one query, however many there are.
    device_ids = VisibleDeviceField(
        many=True,
        required=False,
        allow_empty=False,
        max_length=10_000,
        help_text="Devices to recalculate; omit for the whole fleet (a driver: the devices of their routes).",
    )


class MetricsRunSerializer(serializers.ModelSerializer):
    chunks_done = serializers.SerializerMethodField()
    coalesced = serializers.SerializerMethodField(
        help_text="True when this request joined a run already queued instead of starting another."
    )

    class Meta:
        model = MetricsRun
        fields = [
            "id",
            "status",
            "scope",
            "device_ids",
            "coalesced",
            "coalesced_requests",
            "created_at",
            "started_at",
            "finished_at",
            "chunks_total",
            "chunks_done",
            "devices_processed",
            "slots_processed",
            "lock_wait_seconds",
            "error",
        ]

    def get_chunks_done(self, run) -> int:
        return len(run.finished_chunks)

    def get_coalesced(self, run) -> bool:
        return bool(self.context.get("coalesced", False))


class UrgencyThresholdsSerializer(serializers.ModelSerializer):
    class Meta:
        model = UrgencyThresholds
        fields = ["critical_days", "warning_days", "ok_days"]


class SlotMetricsSerializer(serializers.ModelSerializer):
    class Meta:
        model = SlotMetrics
        fields = [
            "is_sold_out",
            "days_remaining_inventory",
            "product_level_percent",
            "units_to_par",
            "sales_28_day",
            "sales_all_time",
            "days_with_sales",
            "daily_velocity",
            "last_calculated",
        ]


class CabinetMetricsSerializer(serializers.ModelSerializer):
    class Meta:
        model = CabinetMetrics
        fields = ROLLED_UP_METRIC_FIELDS


class DeviceMetricsSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeviceMetrics
        fields = ROLLED_UP_METRIC_FIELDS


class RouteProductSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["id", "name", "category", "sku"]


class RouteSlotSerializer(serializers.ModelSerializer):
    product = RouteProductSerializer(allow_null=True)
    metrics = SlotMetricsSerializer(allow_null=True)

    class Meta:
        model = PlanogramSlot
        fields = ["id", "position", "product", "quantity", "capacity", "par_level", "is_maintenance", "metrics"]


class RouteCabinetSerializer(serializers.ModelSerializer):
    cabinet_type = serializers.CharField(source="cabinet_type.name")
    metrics = CabinetMetricsSerializer(allow_null=True)
    slots = serializers.SerializerMethodField()

    class Meta:
        model = Cabinet
        fields = ["id", "index", "is_parent", "cabinet_type", "rows", "columns", "metrics", "slots"]

    def get_slots(self, cabinet) -> list[dict]:
        planogram = getattr(cabinet, "planogram", None)
        slots = planogram.slots.all() if planogram else []
        return RouteSlotSerializer(slots, many=True, context=self.context).data


class RouteLocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "venue_type", "latitude", "longitude"]


class RouteDeviceSerializer(serializers.ModelSerializer):
    location = RouteLocationSerializer(allow_null=True)
    device_type = serializers.CharField(source="device_type.name")
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    metrics = DeviceMetricsSerializer(allow_null=True)
    cabinets = RouteCabinetSerializer(many=True)

    class Meta:
        model = Device
        fields = ["id", "asset", "cooler", "model", "device_type", "location", "urgency", "metrics", "cabinets"]


class RouteSummarySerializer(serializers.ModelSerializer):
    driver_username = serializers.CharField(source="driver.username", allow_null=True)

    class Meta:
        model = Route
        fields = ["id", "number", "name", "driver", "driver_username"]


class RouteDevicesSerializer(serializers.Serializer):
    """A route as a driver plans it: devices most urgent first, down to each slot."""

    route = RouteSummarySerializer()
    thresholds = UrgencyThresholdsSerializer()
    calculated_at = serializers.DateTimeField(
        allow_null=True, help_text="When the oldest of these devices' metrics was calculated."
    )
    devices = RouteDeviceSerializer(many=True)


class UrgencyCountsSerializer(serializers.Serializer):
    """Active devices of a route by urgency (from their DRI and the admin's thresholds)."""

    critical = serializers.IntegerField(source="critical_count", default=0)
    warning = serializers.IntegerField(source="warning_count", default=0)
    ok = serializers.IntegerField(source="ok_count", default=0)
    good = serializers.IntegerField(source="good_count", default=0)
    unknown = serializers.IntegerField(source="unknown_count", default=0, help_text="Devices not calculated yet.")


class RouteWithUrgencySerializer(RouteSerializer):
    device_count = serializers.IntegerField(read_only=True, default=0)
    urgency_counts = UrgencyCountsSerializer(source="*", read_only=True)

    class Meta(RouteSerializer.Meta):
        fields = [*RouteSerializer.Meta.fields, "device_count", "urgency_counts"]
