"""Paging: the one rule for ``page`` and ``page_size``, shared by the API's lists, the asset-sales report and the pages.

Pages are numbered from 1 and hold ``page_size`` rows, 1 to ``MAX_PAGE_SIZE`` (``DEFAULT_PAGE_SIZE`` when not
asked); an empty set still has its one, empty, page; a page past the last, or a number or size out of bounds,
is a 400 naming the parameter (on a page: a field error), never a silent clamp or a 404.
"""

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
# Page numbers beyond a 32-bit integer mean nothing and would overflow some databases' parameters.
MAX_PAGE = 2**31 - 1


def paginate(items, *, page: int, page_size: int) -> Page:
    """Page ``page`` (from 1) of ``items`` (a list or a queryset) cut into pages of ``page_size`` rows.

    Raises ValidationError on ``page`` for a page past the last. A queryset is read twice: its count and the page.
    """
    paginator = Paginator(items, page_size)
    if page > paginator.num_pages:
        raise ValidationError({"page": f"Page {page} is past the last page, {paginator.num_pages}."})
    return paginator.page(page)


class PageParamsSerializer(serializers.Serializer):
    """``page`` and ``page_size`` as every paged answer of the API takes them."""

    page = serializers.IntegerField(min_value=1, max_value=MAX_PAGE, default=1, help_text="Page number, from 1.")
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=DEFAULT_PAGE_SIZE,
        help_text=f"Rows per page, 1 to {MAX_PAGE_SIZE} ({DEFAULT_PAGE_SIZE} by default).",
    )


class PortalPageNumberPagination(PageNumberPagination):
    """The API's lists, paged by ``paginate`` with ``PageParamsSerializer``'s parameters."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset, request, view=None):
        params = PageParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.request = request
        self.page = paginate(queryset, **params.validated_data)
        if self.page.paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True  # the browsable API shows its page links
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        fields = PageParamsSerializer().fields
        return [
            {
                "name": name,
                "required": False,
                "in": "query",
                "description": str(fields[name].help_text),
                "schema": {
                    "type": "integer",
                    "minimum": fields[name].min_value,
                    "maximum": fields[name].max_value,
                    "default": fields[name].default,
                },
            }
            for name in ("page", "page_size")
        ]
