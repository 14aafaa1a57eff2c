from rest_framework.pagination import PageNumberPagination


class PortalPageNumberPagination(PageNumberPagination):
    """Page numbers with a client-chosen size, bounded so one request stays cheap."""

    page_size_query_param = "page_size"
    max_page_size = 1000
