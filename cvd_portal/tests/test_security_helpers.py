"""The pieces behind the security headers: which answers are never stored, and the map tiles' CSP source."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory

from accounts.tests.factories import UserFactory
from cvd_portal.middleware import NoStoreMiddleware
from cvd_portal.settings.base import csp_source


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("https://tiles.example.com:8443/{z}/{x}/{y}.png?key=abc", "https://tiles.example.com:8443"),
        ("", None),
    ],
)
def test_a_configured_map_tile_server_is_allowed_as_an_image_source(url, source):
    assert csp_source(url) == source


@pytest.mark.parametrize(
    ("path", "user", "response", "stored"),
    [
        ("/api/devices/", None, JsonResponse({"detail": "login"}, status=401), True),
        ("/api/devices/", "user", JsonResponse({}), False),
        ("/dashboard/", "user", HttpResponse("<html>"), True),
        ("/admin/devices/device/export/", "user", HttpResponse(headers={"Content-Disposition": "attachment"}), False),
        ("/routes/1/pick-list.pdf", "user", HttpResponse(headers={"Content-Disposition": 'attachment; f="a"'}), False),
    ],
)
def test_no_store_covers_the_api_for_a_user_and_every_download(path, user, response, stored):
    request = RequestFactory().get(path)
    request.user = UserFactory.build() if user else AnonymousUser()

    answered = NoStoreMiddleware(lambda request: response)(request)

    assert ("no-store" not in answered.get("Cache-Control", "")) is stored
