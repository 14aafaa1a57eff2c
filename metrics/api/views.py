"""The metrics API: start a recalculation, follow its run, and a route's devices with metrics."""

from functools import cached_property

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from devices.api import views as devices_views
from devices.models import Route
from devices.selectors import devices_visible_to, routes_visible_to, sees_all_routes
from metrics.choices import MetricsRunScope
from metrics.models import MetricsRun, UrgencyThresholds
from metrics.selectors import oldest_metrics_calculation, route_devices_with_metrics, routes_with_urgency_counts
from metrics.services.runs import metrics_run_request

from .serializers import (
    MetricsCalculateSerializer,
    MetricsRunSerializer,
    RouteDevicesSerializer,
    RouteWithUrgencySerializer,
)


class MetricsCalculateView(GenericAPIView):
    """Start a recalculation of SO, DRI, PL and UTP.

    Answers 202 with the run to follow at ``/api/metrics/runs/<id>``. With the embedded
    default (no broker) the run executes inline and has already finished. A request that
    finds an equivalent run still queued joins it (``coalesced: true``).
    """

    queryset = MetricsRun.objects.all()  # names the model for the role permissions (add_metricsrun)
    serializer_class = MetricsCalculateSerializer

    @extend_schema(request=MetricsCalculateSerializer, responses={202: MetricsRunSerializer})
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        devices = serializer.validated_data.get("device_ids")
        if devices is None and not sees_all_routes(request.user):
            devices = list(devices_visible_to(request.user))  # a driver's "everything" is their routes
        if devices is None:
            run, coalesced = metrics_run_request(scope=MetricsRunScope.FULL, user=request.user)
        else:
            run, coalesced = metrics_run_request(
                scope=MetricsRunScope.DEVICES, device_ids=[d.pk for d in devices], user=request.user
            )
        data = MetricsRunSerializer(run, context={"coalesced": coalesced}).data
        return Response(data, status=status.HTTP_202_ACCEPTED)


class MetricsRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Recalculation runs: status, counts, timestamps and error. A driver sees the runs they asked for."""

    queryset = MetricsRun.objects.all()
    serializer_class = MetricsRunSerializer
    filterset_fields = ["status", "scope"]

    def get_queryset(self):
        runs = super().get_queryset()
        return runs if sees_all_routes(self.request.user) else runs.filter(requested_by=self.request.user)


class RouteDevicesView(GenericAPIView):
    """A route's devices, most urgent first: location, device metrics, cabinets and slots with theirs.

    Urgency comes from the device's DRI and the thresholds kept in the admin. A driver
    reaches only their own routes (another route answers 404).
    """

    queryset = Route.objects.select_related("driver")
    serializer_class = RouteDevicesSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset() & routes_visible_to(self.request.user)

    def get(self, request, pk):
        route = get_object_or_404(self.get_queryset(), pk=pk)
        thresholds = UrgencyThresholds.current()
        devices = list(route_devices_with_metrics(route, thresholds))
        payload = {
            "route": route,
            "thresholds": thresholds,
            "calculated_at": oldest_metrics_calculation(devices),
            "devices": devices,
        }
        return Response(self.get_serializer(payload).data)


class RouteViewSet(devices_views.RouteViewSet):
    """Drivers' service rounds, with their devices counted by urgency; a driver sees only their own."""

    serializer_class = RouteWithUrgencySerializer

    @cached_property
    def urgency_thresholds(self):
        return UrgencyThresholds.current()

    def get_queryset(self):
        # The base orders by number explicitly: Meta.ordering does not apply to the grouped query made here.
        return routes_with_urgency_counts(super().get_queryset(), self.urgency_thresholds)
