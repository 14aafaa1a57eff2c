"""Responses that carry a user's data are never stored by browsers or proxies."""

from django.utils.cache import add_never_cache_headers


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (with Django's other never-cache headers) on every API answer to an
    authenticated request, by session or by token, and on every file download (exports, pick lists).

    DRF authenticates a token inside the view and sets the user on the underlying request too, so the user
    is known here once the response comes back.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        authenticated_api = request.path.startswith("/api/") and user is not None and user.is_authenticated
        if authenticated_api or _is_download(response):
            add_never_cache_headers(response)
        return response
