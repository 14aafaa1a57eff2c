"""The asset-sales export: the device performance table of every matching device as a CSV, XLSX or PDF file."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer

from analytics import exports
from analytics.asset_sales import asset_sales_report
from sales.api.permissions import CanViewSales

from .filters import DeviceFiltersMixin
from .params import DateRangeSerializer, validated

EXPORT_FORMATS = ("csv", "xlsx", "pdf")


class AssetSalesExportParamsSerializer(DateRangeSerializer):
    """The export's query: the report's range of days and the file format (the filters are DeviceFilterSet's)."""

    format = serializers.ChoiceField(choices=EXPORT_FORMATS, help_text="csv, xlsx or pdf.")


class JSONErrorsNegotiation(DefaultContentNegotiation):
    """Always JSON for the answers DRF renders (errors): ``format`` here names the file, not a DRF renderer.

    DRF reads ``?format=`` as a renderer override and would answer 404 for ``csv`` or ``doc``.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class AssetSalesExportView(DeviceFiltersMixin, GenericAPIView):
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
        filters=True,
        parameters=[AssetSalesExportParamsSerializer],
        responses={
            # The media type without its parameters (the CSV's charset): what a client's Accept would name.
            (200, exports.CONTENT_TYPES[file_format].partition(";")[0]): OpenApiResponse(
                OpenApiTypes.BINARY, description=f"The {file_format.upper()} file."
            )
            for file_format in EXPORT_FORMATS
        },
    )
    def get(self, request):
        values = validated(AssetSalesExportParamsSerializer, request.query_params, request)
        start, end, file_format = values["start_date"], values["end_date"], values["format"]
        filterset = self.device_filterset()
        # Every matching device goes in the file: the whole ranking on one page.
        report = asset_sales_report(
            devices=filterset.qs, start=start, end=end, page_size=None, include=frozenset({"top_products"})
        )
        rows = exports.export_rows(report["devices"])
        if file_format == "csv":
            content = exports.to_csv(rows)
        elif file_format == "xlsx":
            content = exports.to_xlsx(rows)
        else:
            content = exports.to_pdf(
                rows, start=start, end=end, filters=exports.describe_filters(filterset.form.cleaned_data)
            )
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[file_format])
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(start, end, file_format)}"'
        return response
