"""The planning API: a route's plan for a day."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from devices.models import Route
from devices.selectors import routes_visible_to
from planning.exports import plan_stops, warehouse_lines
from planning.selectors import route_plan

from .serializers import RoutePlanParamsSerializer, RoutePlanSerializer


class RoutePlanView(GenericAPIView):
    """A route's plan for a day: which machines to visit in which order, what to load into each slot, the
    machines left for a later day, those the office must look at, and the warehouse's totals.

    The day defaults to the route's next service day on or after today; a day in the past or beyond the
    forecast answers 400. The rules are ``planning.plans``'s. A driver reaches only their own routes
    (another route answers 404); every role that reads a route's devices reads its plan.
    """

    queryset = Route.objects.select_related("driver")
    serializer_class = RoutePlanSerializer
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return super().get_queryset() & routes_visible_to(self.request.user)

    @extend_schema(parameters=[RoutePlanParamsSerializer], responses=RoutePlanSerializer)
    def get(self, request, pk):
        route = get_object_or_404(self.get_queryset(), pk=pk)
        now = timezone.now()
        params = RoutePlanParamsSerializer(
            data=request.query_params, context={"route": route, "today": timezone.localdate(now)}
        )
        params.is_valid(raise_exception=True)
        plan = route_plan(route, day=params.validated_data["date"], now=now)
        payload = {
            "route": route,
            "plan": plan,
            "generated_at": now,
            "stops": plan_stops(plan),
            "warehouse": warehouse_lines(plan),
        }
        return Response(self.get_serializer(payload).data)
