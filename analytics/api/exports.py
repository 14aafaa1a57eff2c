"""The asset-sales export: the device performance table of every matching device as a CSV, XLSX or PDF file."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from analytics import exports
from analytics.asset_sales import asset_sales_report
from sales.api.permissions import CanViewSales

from .asset_sales import (
    QUERY_PARAMETERS,
    AssetSalesFiltersSerializer,
    AssetSalesParamsSerializer,
    filtered_devices,
)
from .params import DateRangeSerializer

EXPORT_FORMATS = ("csv", "xlsx", "pdf")
# Every matching device goes in the file, so the ranking is asked for as a single page.
WHOLE_RANKING = 2**31 - 1


class AssetSalesExportParamsSerializer(DateRangeSerializer):
    """The export's request: the report's range of days and filters, and the file format."""

    filters = AssetSalesFiltersSerializer(required=False)
    format = serializers.ChoiceField(choices=EXPORT_FORMATS, help_text="csv, xlsx or pdf.")

    @classmethod
    def data_from_query(cls, params) -> dict:
        """The GET query string parsed as the report's (filters at the top level, lists repeated or comma-joined)."""
        data = AssetSalesParamsSerializer.data_from_query(params)
        for paging in ("page", "page_size", "include"):
            data.pop(paging, None)
        if "format" in params:
            data["format"] = params["format"]
        return data


class JSONErrorsNegotiation(DefaultContentNegotiation):
    """Always JSON for the answers DRF renders (errors): ``format`` here names the file, not a DRF renderer.

    DRF reads ``?format=`` as a renderer override and would answer 404 for ``csv`` or ``doc``.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AssetSalesExportView(APIView):
    """The asset-sales device performance table (spec: Export and Reporting) as a file to download.

    Takes the query parameters of GET /api/analytics/asset-sales (range of days and filters; no paging:
    every matching device the user may see, in fleet-rank order) and ``format`` = csv, xlsx or pdf. The
    figures are the report's (``asset_sales_report``), so the same fixed number of queries whatever the
    fleet size. A bad format or filter is a 400 naming the field.
    """

    permission_classes = [CanViewSales]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONErrorsNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter("format", OpenApiTypes.STR, enum=list(EXPORT_FORMATS), required=True),
            *[p for p in QUERY_PARAMETERS if p.name not in ("page", "page_size", "include")],
        ],
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")},
    )
    def get(self, request):
        params = AssetSalesExportParamsSerializer(
            data=AssetSalesExportParamsSerializer.data_from_query(request.query_params), context={"request": request}
        )
        params.is_valid(raise_exception=True)
        values = params.validated_data
        start, end, file_format = values["start_date"], values["end_date"], values["format"]
        devices = filtered_devices(request, values)
        report = asset_sales_report(
            devices=devices, start=start, end=end, page_size=WHOLE_RANKING, include=frozenset({"top_products"})
        )
        rows = exports.export_rows(report["devices"])
        if file_format == "csv":
            content = exports.to_csv(rows)
        elif file_format == "xlsx":
            content = exports.to_xlsx(rows)
        else:
            content = exports.to_pdf(
                rows, start=start, end=end, filters=exports.describe_filters(values.get("filters", {}))
            )
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(start, end, file_format)}"'
        return response
