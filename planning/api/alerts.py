"""``GET /api/planning/alerts``: the machines the office must look at (not selling, silent), with their last data."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from devices.models import Device
from devices.selectors import devices_visible_to
from planning.selectors import fleet_outlook


class MachineAlertSerializer(serializers.Serializer):
    device = serializers.IntegerField(source="device.pk")
    asset = serializers.CharField(source="device.asset")
    route = serializers.CharField(source="device.route.number", allow_null=True, default=None)
    location = serializers.CharField(source="device.location.name", allow_null=True, default=None)
    status = serializers.ChoiceField(
        choices=["not selling", "silent"],
        source="health.status",
        help_text="not selling: data arrives but its run of days without a sale is improbable under its "
        "forecast; silent: no sale and no DEX read for longer than allowed plus its usual gap.",
    )
    last_sale_at = serializers.DateTimeField(source="health.last_sale_at", allow_null=True)
    last_dex_at = serializers.DateTimeField(source="health.last_dex_at", allow_null=True)
    expected_units_a_day = serializers.FloatField(
        source="health.expected_units_a_day", help_text="Its usual sales over the last 28 days."
    )


class MachineAlertsSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    machines = MachineAlertSerializer(many=True)


class MachineAlertsView(GenericAPIView):
    """The machines the user may see that need the office: not selling or silent, longest silent first.

    Such machines are never put in a visit plan for loading. A driver sees their routes' machines.
    """

    queryset = Device.objects.all()  # names the model for the role permissions (view_device)
    serializer_class = MachineAlertsSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(responses={200: MachineAlertsSerializer})
    def get(self, request):
        now = timezone.now()
        devices = devices_visible_to(request.user).select_related("route", "location")
        outlook = fleet_outlook(devices=devices, now=now)
        flagged = [
            {"device": device, "health": outlook.health[device.pk]}
            for device in devices
            if device.pk in outlook.health and outlook.health[device.pk].needs_attention
        ]
        flagged.sort(key=lambda row: (row["health"].last_sale_at or now, row["device"].asset))
        return Response(self.get_serializer({"generated_at": now, "machines": flagged}).data)
