"""Every page carries a Content-Security-Policy that allows no inline script; answers that carry a user's
data (the API to a logged-in client, every file download) tell browsers and proxies not to store them."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import api_token
from devices.tests.factories import DeviceFactory, RouteFactory
from planograms.tests.factories import PlanogramSlotFactory

pytestmark = pytest.mark.django_db

PAGES = ["/login/", "/dashboard/", "/routes/", "/admin/", "/api/", "/api/docs/", "/api/redoc/", "/no-such-page/"]


def policy(response) -> dict[str, list[str]]:
    directives = (part.split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_policy_that_allows_no_inline_script(client, manager, path):
    client.force_login(manager)

    response = client.get(path, HTTP_ACCEPT="text/html")

    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    script_sources = csp.get("script-src", csp["default-src"])
    assert "'unsafe-inline'" not in script_sources
    assert "'unsafe-eval'" not in script_sources
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_the_login_page_of_an_anonymous_visitor_has_the_policy(client):
    assert "default-src 'self'" in client.get("/login/")["Content-Security-Policy"]


def test_api_answers_to_a_token_client_are_not_stored(viewer):
    token_client = APIClient()
    token_client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(viewer)}")

    response = token_client.get(reverse("devices-list"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_api_answers_to_a_browser_session_are_not_stored(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("devices-list"))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_an_export_download_is_not_stored(client, manager):
    client.force_login(manager)

    response = client.get(reverse("asset-sales-export"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]


def test_the_pick_list_pdf_is_not_stored(client, driver):
    route = RouteFactory(driver=driver)
    device = DeviceFactory(route=route)
    PlanogramSlotFactory(planogram__cabinet__device=device, quantity=1, capacity=5, par_level=5)
    client.force_login(driver)

    response = client.get(reverse("routes:pick_list_pdf", args=[route.pk]), {"devices": [device.pk]})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
