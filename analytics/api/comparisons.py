"""The fleet-comparison API: sales by location and venue type, top performers, and sales per ISO week."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

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
from sales.api.permissions import CanViewSales

from .asset_sales import TimePeriodSerializer
from .filters import DeviceFiltersMixin
from .params import DateRangeSerializer, validated

# --- Requests (the devices' filters are DeviceFilterSet's parameters, beside these) ---------------------


class TopPerformersParamsSerializer(DateRangeSerializer):
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_TOP_LIMIT, default=DEFAULT_TOP_LIMIT, help_text=f"1 to {MAX_TOP_LIMIT}."
    )
    metric = serializers.ChoiceField(choices=METRICS, default="revenue")


class WeeklyParamsSerializer(serializers.Serializer):
    """How many complete weeks to report."""

    weeks = serializers.IntegerField(
        min_value=1, max_value=MAX_WEEKS, default=DEFAULT_WEEKS, help_text=f"1 to {MAX_WEEKS}."
    )


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


# --- Views ------------------------------------------------------------------------------------------


class LocationPerformanceView(DeviceFiltersMixin, GenericAPIView):
    """Sales by location and by venue type over a range of days, for the devices the user may see."""

    permission_classes = [CanViewSales]

    @extend_schema(filters=True, parameters=[DateRangeSerializer], responses=LocationReportSerializer)
    def get(self, request):
        values = validated(DateRangeSerializer, request.query_params, request)
        report = location_performance(
            devices=self.device_filterset().qs, start=values["start_date"], end=values["end_date"]
        )
        return Response(LocationReportSerializer(report).data)


class TopPerformersView(DeviceFiltersMixin, GenericAPIView):
    """The top devices by revenue, units or performance score over a range of days."""

    permission_classes = [CanViewSales]

    @extend_schema(filters=True, parameters=[TopPerformersParamsSerializer], responses=TopPerformersReportSerializer)
    def get(self, request):
        values = validated(TopPerformersParamsSerializer, request.query_params, request)
        report = top_performers(
            devices=self.device_filterset().qs,
            start=values["start_date"],
            end=values["end_date"],
            metric=values["metric"],
            limit=values["limit"],
        )
        return Response(TopPerformersReportSerializer(report).data)


class WeeklySalesView(DeviceFiltersMixin, GenericAPIView):
    """Sales per complete ISO week (Monday to Sunday, local days), the current partial week left out."""

    permission_classes = [CanViewSales]

    @extend_schema(filters=True, parameters=[WeeklyParamsSerializer], responses=WeeklyReportSerializer)
    def get(self, request):
        values = validated(WeeklyParamsSerializer, request.query_params, request)
        report = weekly_sales(devices=self.device_filterset().qs, weeks=values["weeks"])
        return Response(WeeklyReportSerializer(report).data)
