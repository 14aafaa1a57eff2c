"""The asset-sales API: every device's sales over a range of days, its performance score and its fleet rank."""

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from analytics.asset_sales import HEAVY_FIELDS, asset_sales_report
from analytics.score_bands import SCORE_BANDS
from cvd_portal.api.pagination import PageParamsSerializer
from cvd_portal.api.serializers import money_field
from sales.api.permissions import CanViewSales

from .filters import DeviceFiltersField, DeviceFiltersMixin
from .params import DateRangeSerializer, validated


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class IncludeField(serializers.Field):
    """Heavy fields to include: a comma-separated string or a list; empty for none."""

    default_error_messages = {
        "invalid": "Expected a comma-separated string or a list of strings.",
        "unknown": "Unknown field(s): {names}; choose among {choices}.",
    }

    def to_internal_value(self, data):
        if isinstance(data, str):
            names = data.split(",")
        elif isinstance(data, list) and all(isinstance(name, str) for name in data):
            names = data
        else:
            self.fail("invalid")
        names = {name.strip() for name in names if name.strip()}
        if unknown := names - HEAVY_FIELDS:
            self.fail("unknown", names=", ".join(sorted(unknown)), choices=", ".join(sorted(HEAVY_FIELDS)))
        return frozenset(names)

    def to_representation(self, value):
        return ",".join(sorted(value))


class AssetSalesParamsSerializer(DateRangeSerializer, PageParamsSerializer):
    """The report's query: a range of local days, a page of the ranking and the heavy fields wanted.

    The devices' filters are DeviceFilterSet's parameters, beside these in the query string.
    """

    include = IncludeField(
        required=False, help_text=f"Heavy per-device fields: {', '.join(sorted(HEAVY_FIELDS))} (default both)."
    )


class AssetSalesBodySerializer(AssetSalesParamsSerializer):
    """The report's JSON body: the query's fields, and the devices' filters as one object."""

    filters = DeviceFiltersField(required=False)


class TopProductSerializer(serializers.Serializer):
    product_id = serializers.IntegerField()
    name = serializers.CharField()
    units = serializers.IntegerField()
    revenue = money_field()


class TrendDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    revenue = money_field()
    units = serializers.IntegerField()
    transactions = serializers.IntegerField()


@extend_schema_field(TrendDaySerializer(many=True))
class TrendField(serializers.Field):
    """The daily trend in ``TrendDaySerializer``'s shape, written out directly.

    A page of 1,000 devices × 90 days through the nested serializer spends most of the request in
    DRF's per-field machinery; the report's revenues are already 2-place Decimals, so ``str`` gives
    the money string the serializer would.
    """

    def to_representation(self, days):
        return [
            {
                "date": day["date"].isoformat(),
                "revenue": str(day["revenue"]),
                "units": day["units"],
                "transactions": day["transactions"],
            }
            for day in days
        ]


class AssetSalesDeviceSerializer(serializers.Serializer):
    device_id = serializers.IntegerField()
    asset = serializers.CharField()
    cooler = serializers.CharField()
    location_name = serializers.CharField(allow_null=True)
    address = serializers.CharField(allow_null=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True)
    device_type = serializers.CharField()
    route = serializers.CharField(allow_null=True, help_text="Route number.")
    total_transactions = serializers.IntegerField()
    total_units = serializers.IntegerField()
    total_revenue = money_field()
    avg_transaction_value = money_field()
    first_sale = serializers.DateTimeField(allow_null=True)
    last_sale = serializers.DateTimeField(allow_null=True)
    daily_revenue = money_field()
    daily_units = serializers.FloatField()
    revenue_per_unit = money_field()
    active_days = serializers.IntegerField(help_text="Days with sales.")
    top_products = TopProductSerializer(many=True, required=False, help_text="With include=top_products.")
    performance_trend = TrendField(required=False, help_text="With include=trend.")
    performance_score = serializers.FloatField()
    fleet_rank = serializers.IntegerField()
    percentile = serializers.FloatField()


class PerformerSerializer(serializers.Serializer):
    device_id = serializers.IntegerField()
    asset = serializers.CharField()
    total_revenue = money_field()


class FleetSummarySerializer(serializers.Serializer):
    total_devices = serializers.IntegerField()
    active_devices = serializers.IntegerField()
    total_fleet_revenue = money_field()
    average_device_revenue = money_field(allow_null=True)
    median_device_revenue = money_field(allow_null=True)
    top_performer = PerformerSerializer(allow_null=True)
    bottom_performer = PerformerSerializer(allow_null=True)


class QuartilesSerializer(serializers.Serializer):
    q1 = money_field(allow_null=True)
    q2 = money_field(allow_null=True)
    q3 = money_field(allow_null=True)


class BenchmarksSerializer(serializers.Serializer):
    revenue_quartiles = QuartilesSerializer()
    daily_revenue_avg = money_field(allow_null=True)
    units_per_device_avg = serializers.FloatField(allow_null=True)
    performance_distribution = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Active devices per score band: " + ", ".join(band.label for band in SCORE_BANDS) + ".",
    )


class TimePeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()


class AssetSalesReportSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Devices matching the filters.")
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    pages = serializers.IntegerField()
    time_period = TimePeriodSerializer()
    fleet_summary = FleetSummarySerializer()
    benchmarks = BenchmarksSerializer()
    devices = AssetSalesDeviceSerializer(many=True, help_text="One page of the devices, best rank first.")


class AssetSalesView(DeviceFiltersMixin, GenericAPIView):
    """Asset sales: every active device matching the filters, with its sales, score and rank (spec: asset sales).

    POST takes a JSON body ``{start_date, end_date, filters: {...}, page, page_size, include}``; GET takes
    the same as query parameters, the filters (DeviceFilterSet's, as ``/api/devices/`` takes them) at the
    top level. Devices are those the user may see.

    Scale: a fixed number of queries whatever the fleet size (the user's permissions, one per filter
    of ids given, then the devices, their totals and score sums grouped in the database from the
    device-day rollup, and for the page its days and its top products). The score, the ranking,
    ``fleet_summary`` and ``benchmarks`` always cover every matching device; ``devices`` is one page of
    the ranking (``page_size`` 100 by default, at most 1000), and the heavy fields (``trend``: a row
    per day; ``top_products``) are built for that page only and can be left out with ``include=``.
    """

    permission_classes = [CanViewSales]

    @extend_schema(filters=True, parameters=[AssetSalesParamsSerializer], responses=AssetSalesReportSerializer)
    def get(self, request):
        values = validated(AssetSalesParamsSerializer, request.query_params, request)
        return self._report(values, self.device_filterset())

    @extend_schema(request=AssetSalesBodySerializer, responses=AssetSalesReportSerializer)
    def post(self, request):
        values = validated(AssetSalesBodySerializer, request.data, request)
        return self._report(values, self.device_filterset(values.get("filters", {})))

    def _report(self, values, filterset):
        report = asset_sales_report(
            devices=filterset.qs,
            start=values["start_date"],
            end=values["end_date"],
            page=values["page"],
            page_size=values["page_size"],
            include=values.get("include", HEAVY_FIELDS),
        )
        return Response(AssetSalesReportSerializer(report).data)
