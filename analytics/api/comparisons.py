"""The fleet-comparison API: sales by location and venue type, top performers, and sales per ISO week."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.comparisons import (
    DEFAULT_TOP_LIMIT,
    DEFAULT_WEEKS,
    MAX_TOP_LIMIT,
    MAX_WEEKS,
    METRICS,
    location_performance,
    top_performers,
    weekly_sales,
)
from cvd_portal.api.serializers import money_field
from devices.choices import VenueType
from sales.api.permissions import CanViewSales

from .asset_sales import (
    ID_FILTERS,
    AssetSalesFiltersSerializer,
    AssetSalesParamsSerializer,
    TimePeriodSerializer,
    filtered_devices,
)
from .params import DateRangeSerializer

# --- Requests ---------------------------------------------------------------------------------------


def _data_from_query(params, names: tuple[str, ...]) -> dict:
    """The query string in the serializers' shape: the asset-sales filters nested, ``names`` at the top level."""
    data = AssetSalesParamsSerializer.data_from_query(params)
    kept = {name: data[name] for name in ("start_date", "end_date", "filters") if name in data}
    return {**kept, **{name: params[name] for name in names if name in params}}


class ComparisonParamsSerializer(DateRangeSerializer):
    """A range of local days and the asset-sales filters."""

    filters = AssetSalesFiltersSerializer(required=False)


class TopPerformersParamsSerializer(ComparisonParamsSerializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_TOP_LIMIT, default=DEFAULT_TOP_LIMIT)
    metric = serializers.ChoiceField(choices=METRICS, default="revenue")


class WeeklyParamsSerializer(serializers.Serializer):
    """How many complete weeks to report, and the asset-sales filters."""

    filters = AssetSalesFiltersSerializer(required=False)
    weeks = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, default=DEFAULT_WEEKS)


def _validated(serializer_class, request, names=()) -> dict:
    params = serializer_class(data=_data_from_query(request.query_params, names), context={"request": request})
    params.is_valid(raise_exception=True)
    return params.validated_data


# --- Responses --------------------------------------------------------------------------------------


class LocationPerformanceSerializer(serializers.Serializer):
    location_id = serializers.IntegerField(allow_null=True, help_text="None for devices without a location.")
    name = serializers.CharField(allow_null=True)
    venue_type = serializers.CharField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    devices = serializers.IntegerField(help_text="Devices there matching the filters, with or without sales.")
    revenue = money_field()
    units = serializers.IntegerField()
    transactions = serializers.IntegerField()
    revenue_per_device = money_field()


class VenueTypePerformanceSerializer(serializers.Serializer):
    venue_type = serializers.CharField(allow_null=True)
    locations = serializers.IntegerField()
    devices = serializers.IntegerField()
    revenue = money_field()
    units = serializers.IntegerField()
    revenue_per_device = money_field()


class LocationReportSerializer(serializers.Serializer):
    time_period = TimePeriodSerializer()
    locations = LocationPerformanceSerializer(many=True)
    venue_types = VenueTypePerformanceSerializer(many=True)


class TopPerformerSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    device_id = serializers.IntegerField()
    asset = serializers.CharField()
    location_name = serializers.CharField(allow_null=True)
    revenue = money_field()
    units = serializers.IntegerField()
    score = serializers.FloatField(help_text="The asset-sales performance score, 0-100, over the compared devices.")


class TopPerformersReportSerializer(serializers.Serializer):
    time_period = TimePeriodSerializer()
    metric = serializers.CharField()
    limit = serializers.IntegerField()
    compared_devices = serializers.IntegerField()
    devices = TopPerformerSerializer(many=True)


class WeekSerializer(serializers.Serializer):
    week_start = serializers.DateField(help_text="Monday.")
    week_end = serializers.DateField(help_text="Sunday.")
    revenue = money_field()
    units = serializers.IntegerField()
    transactions = serializers.IntegerField()
    active_devices = serializers.IntegerField(help_text="Devices with sales that week.")
    revenue_change_pct = serializers.FloatField(allow_null=True, help_text="None when the week before took nothing.")


class WeeklyReportSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    current_week_excluded_from = serializers.DateField(help_text="The partial current week, left out, starts here.")
    results = WeekSerializer(many=True, help_text="Oldest week first.")


FILTER_PARAMETERS = [
    *[
        OpenApiParameter(name, {"type": "array", "items": {"type": "integer"}}, description=f"{name} ids.")
        for name in ID_FILTERS
    ],
    OpenApiParameter("venue_type", {"type": "array", "items": {"type": "string", "enum": VenueType.values}}),
    OpenApiParameter("asset", OpenApiTypes.STR, description="Part of the asset number."),
]
RANGE_PARAMETERS = [
    OpenApiParameter("start_date", OpenApiTypes.DATE, description="First day, inclusive."),
    OpenApiParameter("end_date", OpenApiTypes.DATE, description="Last day, inclusive."),
]


# --- Views ------------------------------------------------------------------------------------------


class LocationPerformanceView(APIView):
    """Sales by location and by venue type over a range of days, for the devices the user may see."""

    permission_classes = [CanViewSales]

    @extend_schema(parameters=[*RANGE_PARAMETERS, *FILTER_PARAMETERS], responses=LocationReportSerializer)
    def get(self, request):
        values = _validated(ComparisonParamsSerializer, request)
        report = location_performance(
            devices=filtered_devices(request, values), start=values["start_date"], end=values["end_date"]
        )
        return Response(LocationReportSerializer(report).data)


class TopPerformersView(APIView):
    """The top devices by revenue, units or performance score over a range of days."""

    permission_classes = [CanViewSales]

    @extend_schema(
        parameters=[
            *RANGE_PARAMETERS,
            OpenApiParameter("limit", OpenApiTypes.INT, description=f"1 to {MAX_TOP_LIMIT}, default 10."),
            OpenApiParameter("metric", OpenApiTypes.STR, enum=list(METRICS)),
            *FILTER_PARAMETERS,
        ],
        responses=TopPerformersReportSerializer,
    )
    def get(self, request):
        values = _validated(TopPerformersParamsSerializer, request, ("limit", "metric"))
        report = top_performers(
            devices=filtered_devices(request, values),
            start=values["start_date"],
            end=values["end_date"],
            metric=values["metric"],
            limit=values["limit"],
        )
        return Response(TopPerformersReportSerializer(report).data)


class WeeklySalesView(APIView):
    """Sales per complete ISO week (Monday to Sunday, local days), the current partial week left out."""

    permission_classes = [CanViewSales]

    @extend_schema(
        parameters=[
            OpenApiParameter("weeks", OpenApiTypes.INT, description=f"1 to {MAX_WEEKS}, default {DEFAULT_WEEKS}."),
            *FILTER_PARAMETERS,
        ],
        responses=WeeklyReportSerializer,
    )
    def get(self, request):
        values = _validated(WeeklyParamsSerializer, request, ("weeks",))
        report = weekly_sales(devices=filtered_devices(request, values), weeks=values["weeks"])
        return Response(WeeklyReportSerializer(report).data)
