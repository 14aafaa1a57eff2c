"""The asset-sales API: every device's sales over a range of days, its performance score and its fleet rank."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.asset_sales import (
    DEFAULT_PAGE_SIZE,
    HEAVY_FIELDS,
    MAX_PAGE_SIZE,
    SCORE_BANDS,
    asset_sales_devices,
    asset_sales_report,
)
from cvd_portal.api.serializers import money_field
from devices.choices import VenueType
from devices.models import DeviceType, Location, Route
from devices.selectors import devices_visible_to
from sales.api.permissions import CanViewSales

from .params import DateRangeSerializer

# Ids beyond a 32-bit integer cannot exist and would overflow some databases' parameters.
MAX_ID = 2**31 - 1
MAX_IDS = 10_000
ID_FILTERS = ("location", "device_type", "route", "device_ids")


def _id_list(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=MAX_IDS,
        help_text=help_text,
    )


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


class AssetSalesFiltersSerializer(serializers.Serializer):
    """Which devices to report; every filter given narrows the set, an id that does not exist is an error."""

    location = _id_list("Location ids.")
    venue_type = serializers.ListField(
        child=serializers.ChoiceField(choices=VenueType.choices), required=False, help_text="Venue types."
    )
    device_type = _id_list("Device type ids.")
    route = _id_list("Route ids.")
    device_ids = _id_list("Device ids (among the devices the user may see).")
    asset = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text="Part of the asset number."
    )

    def validate(self, attrs):
        user = self.context["request"].user
        existing = {
            "location": Location.objects.all(),
            "device_type": DeviceType.objects.all(),
            "route": Route.objects.all(),
            "device_ids": devices_visible_to(user),
        }
        errors = {}
        for name, queryset in existing.items():
            wanted = set(attrs.get(name) or ())
            if not wanted:
                continue
            # One query per filter given, whatever the number of ids.
            missing = wanted - set(queryset.filter(pk__in=wanted).order_by().values_list("pk", flat=True))
            if missing:
                errors[name] = [f"Unknown id(s): {', '.join(str(pk) for pk in sorted(missing))}."]
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class AssetSalesParamsSerializer(DateRangeSerializer):
    """The report's request: a range of local days, filters, a page of the ranking and the heavy fields wanted."""

    filters = AssetSalesFiltersSerializer(required=False)
    page = serializers.IntegerField(min_value=1, max_value=MAX_ID, default=1)
    page_size = serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
    include = IncludeField(
        required=False, help_text=f"Heavy per-device fields: {', '.join(sorted(HEAVY_FIELDS))} (default both)."
    )

    @classmethod
    def data_from_query(cls, params) -> dict:
        """The GET query string in the POST body's shape: filters at the top level, lists repeated or comma-joined."""
        data = {
            name: params[name] for name in ("start_date", "end_date", "page", "page_size", "include") if name in params
        }
        filters = {}
        for name in (*ID_FILTERS, "venue_type"):
            if name in params:
                filters[name] = [value for raw in params.getlist(name) for value in raw.split(",") if value.strip()]
        if "asset" in params:
            filters["asset"] = params["asset"]
        if filters:
            data["filters"] = filters
        return data


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
        help_text="Active devices per score band: " + ", ".join(f"{low}-{high}" for low, high in SCORE_BANDS) + ".",
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


QUERY_PARAMETERS = [
    OpenApiParameter("start_date", OpenApiTypes.DATE, description="First day, inclusive."),
    OpenApiParameter("end_date", OpenApiTypes.DATE, description="Last day, inclusive."),
    *[
        OpenApiParameter(name, {"type": "array", "items": {"type": "integer"}}, description=f"{name} ids.")
        for name in ID_FILTERS
    ],
    OpenApiParameter("venue_type", {"type": "array", "items": {"type": "string", "enum": VenueType.values}}),
    OpenApiParameter("asset", OpenApiTypes.STR, description="Part of the asset number."),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"At most {MAX_PAGE_SIZE}."),
    OpenApiParameter("include", OpenApiTypes.STR, description="Comma list of trend, top_products; empty for none."),
]


def filtered_devices(request, values: dict):
    """The devices the user may see, narrowed by the validated ``filters`` of an analytics request."""
    filters = values.get("filters", {})
    return asset_sales_devices(
        devices_visible_to(request.user),
        location_ids=filters.get("location"),
        venue_types=filters.get("venue_type"),
        device_type_ids=filters.get("device_type"),
        route_ids=filters.get("route"),
        device_ids=filters.get("device_ids"),
        asset=filters.get("asset"),
    )


class AssetSalesView(APIView):
    """Asset sales: every active device matching the filters, with its sales, score and rank (spec: asset sales).

    POST takes a JSON body ``{start_date, end_date, filters: {...}, page, page_size, include}``; GET takes
    the same as query parameters, the filters at the top level. Devices are those the user may see.

    Scale: a fixed number of queries whatever the fleet size (the user's permissions, one per filter
    of ids given, then the devices, their totals and score sums grouped in the database from the
    device-day rollup, and for the page its days and its top products). The score, the ranking,
    ``fleet_summary`` and ``benchmarks`` always cover every matching device; ``devices`` is one page of
    the ranking (``page_size`` 100 by default, at most 1000), and the heavy fields (``trend``: a row
    per day; ``top_products``) are built for that page only and can be left out with ``include=``.
    """

    permission_classes = [CanViewSales]

    @extend_schema(parameters=QUERY_PARAMETERS, responses=AssetSalesReportSerializer)
    def get(self, request):
        return self._report(request, AssetSalesParamsSerializer.data_from_query(request.query_params))

    @extend_schema(request=AssetSalesParamsSerializer, responses=AssetSalesReportSerializer)
    def post(self, request):
        return self._report(request, request.data)

    def _report(self, request, data):
        params = AssetSalesParamsSerializer(data=data, context={"request": request})
        params.is_valid(raise_exception=True)
        values = params.validated_data
        devices = filtered_devices(request, values)
        report = asset_sales_report(
            devices=devices,
            start=values["start_date"],
            end=values["end_date"],
            page=values["page"],
            page_size=values["page_size"],
            include=values.get("include", HEAVY_FIELDS),
        )
        return Response(AssetSalesReportSerializer(report).data)
