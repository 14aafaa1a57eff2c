from rest_framework import serializers

from cvd_portal.api.serializers import ValidatedModelSerializer, VisiblePrimaryKeyRelatedField
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from devices.selectors import devices_visible_to, routes_visible_to


class LocationSerializer(ValidatedModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "venue_type", "latitude", "longitude"]


class RouteSerializer(ValidatedModelSerializer):
    driver_username = serializers.CharField(source="driver.username", read_only=True, allow_null=True)

    class Meta:
        model = Route
        fields = [
            "id",
            "name",
            "number",
            "driver",
            "driver_username",
            "service_days",
            "depot_latitude",
            "depot_longitude",
        ]


class DeviceTypeSerializer(ValidatedModelSerializer):
    class Meta:
        model = DeviceType
        fields = ["id", "name", "description", "allows_additional_cabinets"]


class CabinetTypeSerializer(ValidatedModelSerializer):
    class Meta:
        model = CabinetType
        fields = ["id", "name", "rows", "columns"]


class DeviceSerializer(ValidatedModelSerializer):
    route = VisiblePrimaryKeyRelatedField(visible_to=routes_visible_to, allow_null=True, required=False)
    device_type_name = serializers.CharField(source="device_type.name", read_only=True)
    location_name = serializers.CharField(source="location.name", read_only=True, allow_null=True)
    route_number = serializers.CharField(source="route.number", read_only=True, allow_null=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "asset",
            "cooler",
            "model",
            "serial_number",
            "device_type",
            "device_type_name",
            "location",
            "location_name",
            "route",
            "route_number",
            "created_at",
            "updated_at",
        ]


class CabinetSerializer(ValidatedModelSerializer):
    device = VisiblePrimaryKeyRelatedField(visible_to=devices_visible_to)
    device_asset = serializers.CharField(source="device.asset", read_only=True)
    cabinet_type_name = serializers.CharField(source="cabinet_type.name", read_only=True)
    planogram = serializers.IntegerField(source="planogram.id", read_only=True, allow_null=True)

    class Meta:
        model = Cabinet
        fields = [
            "id",
            "device",
            "device_asset",
            "cabinet_type",
            "cabinet_type_name",
            "index",
            "is_parent",
            "rows",
            "columns",
            "planogram",
        ]
