from cvd_portal.api.views import PortalModelViewSet
from devices.api.serializers import (
    CabinetSerializer,
    CabinetTypeSerializer,
    DeviceSerializer,
    DeviceTypeSerializer,
    LocationSerializer,
    RouteSerializer,
)
from devices.filtersets import (
    CabinetFilterSet,
    CabinetTypeFilterSet,
    DeviceFilterSet,
    DeviceTypeFilterSet,
    LocationFilterSet,
    RouteFilterSet,
)
from devices.models import Cabinet, CabinetType, Device, DeviceType, Location, Route
from devices.selectors import cabinets_visible_to, devices_visible_to, locations_visible_to, routes_visible_to
from devices.services import device_soft_delete


class LocationViewSet(PortalModelViewSet):
    """Sites where devices stand; a driver sees those of the devices on their routes."""

    queryset = Location.objects.all()
    visible_to = staticmethod(locations_visible_to)
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    ordering_fields = ["name", "venue_type"]


class RouteViewSet(PortalModelViewSet):
    """Drivers' service rounds; a driver sees only their own."""

    queryset = Route.objects.select_related("driver").order_by("number")
    visible_to = staticmethod(routes_visible_to)
    serializer_class = RouteSerializer
    filterset_class = RouteFilterSet
    ordering_fields = ["number", "name"]


class DeviceTypeViewSet(PortalModelViewSet):
    """Machine model families."""

    queryset = DeviceType.objects.all()
    serializer_class = DeviceTypeSerializer
    filterset_class = DeviceTypeFilterSet
    ordering_fields = ["name"]


class CabinetTypeViewSet(PortalModelViewSet):
    """Cabinet layouts (rows × columns)."""

    queryset = CabinetType.objects.all()
    serializer_class = CabinetTypeSerializer
    filterset_class = CabinetTypeFilterSet
    ordering_fields = ["name"]


class DeviceViewSet(PortalModelViewSet):
    """Vending machines in the field; a driver sees only those on their routes.

    Deleting retires the device (soft delete): it leaves the fleet, its history stays.
    """

    queryset = Device.objects.select_related("device_type", "location", "route")
    visible_to = staticmethod(devices_visible_to)
    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet
    ordering_fields = ["asset", "location__name", "route__number", "created_at", "updated_at"]

    def perform_destroy(self, instance):
        device_soft_delete(device=instance, user=self.request.user)


class CabinetViewSet(PortalModelViewSet):
    """Cabinets of the devices the user may see."""

    queryset = Cabinet.objects.select_related("device", "cabinet_type", "planogram")
    visible_to = staticmethod(cabinets_visible_to)
    serializer_class = CabinetSerializer
    filterset_class = CabinetFilterSet
    ordering_fields = ["device__asset", "index"]
