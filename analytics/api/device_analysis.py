"""GET /api/analytics/devices/<id>/analysis: one device's volume, trends, forecast and revenue anomalies."""

import math

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from analytics.selectors import device_sales_analysis
from cvd_portal.api.serializers import LocalTimeField, money_field
from devices.models import Device
from devices.selectors import devices_visible_to
from sales.api.permissions import CanViewSales

from .params import DateRangeSerializer

DEFAULT_THRESHOLD = 2.5
MAX_THRESHOLD = 10.0


class DeviceAnalysisParamsSerializer(DateRangeSerializer):
    """The local-day range plus ``threshold``: how many standard deviations make a day an anomaly."""

    threshold = serializers.FloatField(
        required=False,
        default=DEFAULT_THRESHOLD,
        help_text=f"Anomaly threshold in standard deviations, above 0 and at most {MAX_THRESHOLD:g}.",
    )

    def validate_threshold(self, value):
        # ``not (…)`` also turns away NaN, which fails every comparison.
        if not (math.isfinite(value) and 0 < value <= MAX_THRESHOLD):
            raise serializers.ValidationError(f"Must be a number above 0 and at most {MAX_THRESHOLD:g}.")
        return value


class DailyVolumeSerializer(serializers.Serializer):
    date = serializers.DateField()
    units = serializers.IntegerField()
    transactions = serializers.IntegerField()
    revenue = money_field()
    first_sale = LocalTimeField(allow_null=True, help_text="Local time of the day's first sale.")
    last_sale = LocalTimeField(allow_null=True, help_text="Local time of the day's last sale.")


class PeakVolumeDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    units = serializers.IntegerField()


class HourlyVolumeSerializer(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Local hour of day, 0–23.")
    units = serializers.IntegerField()
    transactions = serializers.IntegerField()


class VolumeSerializer(serializers.Serializer):
    daily = DailyVolumeSerializer(many=True)
    peak_volume_day = PeakVolumeDaySerializer(allow_null=True)
    average_daily_volume = serializers.FloatField(help_text="Mean units per day, days without sales included.")
    volume_consistency = serializers.FloatField(
        allow_null=True, help_text="1 − coefficient of variation of daily units, clipped to [0, 1]; null: no sales."
    )
    hourly_pattern = HourlyVolumeSerializer(many=True)


class TrendSerializer(serializers.Serializer):
    slope = serializers.FloatField(help_text="Change per day.")
    intercept = serializers.FloatField()
    r_squared = serializers.FloatField()


class WeekdaySerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 is Monday.")
    name = serializers.CharField()
    days = serializers.IntegerField()
    mean_revenue = money_field(allow_null=True)
    mean_units = serializers.FloatField(allow_null=True)


class DayRevenueSerializer(serializers.Serializer):
    date = serializers.DateField()
    revenue = money_field()
    units = serializers.IntegerField()


class ForecastDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    predicted_revenue = money_field()
    lower = money_field(help_text="Lower bound of the 95% prediction interval.")
    upper = money_field(help_text="Upper bound of the 95% prediction interval.")


class ForecastSerializer(serializers.Serializer):
    method = serializers.CharField(allow_null=True)
    reason = serializers.CharField(allow_null=True, help_text="Why there is no forecast; null when there is one.")
    days = ForecastDaySerializer(many=True, allow_null=True)


class TrendsSerializer(serializers.Serializer):
    revenue_trend = TrendSerializer()
    volume_trend = TrendSerializer()
    trend_direction = serializers.ChoiceField(choices=["increasing", "decreasing", "flat"])
    day_of_week = WeekdaySerializer(many=True)
    peak_days = DayRevenueSerializer(many=True)
    low_days = DayRevenueSerializer(many=True)
    forecast = ForecastSerializer()


class AnomalySerializer(serializers.Serializer):
    date = serializers.DateField()
    revenue = money_field()
    z_score = serializers.FloatField()
    type = serializers.ChoiceField(choices=["high", "low"])
    severity = serializers.ChoiceField(choices=["moderate", "severe"], help_text="severe: |z| > 3.5.")


class AnomaliesSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    days = AnomalySerializer(many=True)


class DeviceAnalysisSerializer(serializers.Serializer):
    device = serializers.IntegerField(source="device.pk")
    device_asset = serializers.CharField(source="device.asset")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    volume = VolumeSerializer()
    trends = TrendsSerializer()
    anomalies = AnomaliesSerializer()


class DeviceAnalysisView(GenericAPIView):
    """Sales volume, trends, a 30-day revenue forecast and revenue anomalies of one device over local days.

    A device the user cannot see answers 404; the formulas are documented in ``analytics.device_analysis``.
    """

    queryset = Device.objects.all()
    serializer_class = DeviceAnalysisSerializer
    permission_classes = [CanViewSales]
    pagination_class = None
    filter_backends = []

    def get_queryset(self):
        return devices_visible_to(self.request.user)

    @extend_schema(parameters=[DeviceAnalysisParamsSerializer], responses=DeviceAnalysisSerializer)
    def get(self, request, pk):
        params = DeviceAnalysisParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        start, end = params.validated_data["start_date"], params.validated_data["end_date"]
        device = get_object_or_404(self.get_queryset(), pk=pk)
        analysis = device_sales_analysis(
            device=device, start=start, end=end, threshold=params.validated_data["threshold"]
        )
        payload = {"device": device, "start_date": start, "end_date": end, **analysis}
        return Response(self.get_serializer(payload).data)
