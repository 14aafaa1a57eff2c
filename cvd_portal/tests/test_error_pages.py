"""Errors answer with the portal's own pages: its navigation for the user, and a way back."""

import pytest
from django.test import RequestFactory, override_settings
from django.views.defaults import server_error

from devices.tests.factories import RouteFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_like")]


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False


def templates_of(response):
    return [template.name for template in response.templates]


def test_a_missing_page_is_the_portals_404_with_the_users_navigation(client, driver):
    client.force_login(driver)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "404.html" in templates_of(response)
    page = response.content.decode()
    assert "Page not found" in page
    assert 'href="/routes/"' in page  # the driver's navigation
    assert 'href="/"' in page  # the way back
    assert "portal/portal.css" in page


@pytest.mark.parametrize("path", ["/api/products/abc/", "/api/no-such-resource/", "/api/devices/1.5/"])
def test_an_api_path_no_url_matches_is_a_json_404(client, manager, path):
    # The HTML page here broke clients that parse every /api/ answer as JSON.
    client.force_login(manager)

    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_another_drivers_route_is_the_portals_404(client, driver):
    foreign = RouteFactory()
    client.force_login(driver)

    response = client.get(f"/routes/{foreign.pk}/")

    assert response.status_code == 404
    assert "404.html" in templates_of(response)


def test_an_anonymous_visitor_gets_the_404_with_a_way_to_log_in(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert 'href="/login/"' in response.content.decode()


def test_a_forbidden_page_is_the_portals_403(client, driver):
    client.force_login(driver)

    response = client.get("/dashboard/")

    assert response.status_code == 403
    assert "403.html" in templates_of(response)
    page = response.content.decode()
    assert "You don’t have access to this page" in page
    assert 'href="/routes/"' in page


@override_settings(DEBUG=False)
def test_a_server_error_is_the_portals_500_without_any_request_context():
    """Django renders 500.html with no context at all (the database may be what failed): still branded."""
    response = server_error(RequestFactory().get("/dashboard/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "CVD Portal" in page
    assert 'href="/"' in page


def test_the_api_keeps_answering_json_for_a_missing_row(client, viewer):
    client.force_login(viewer)

    response = client.get("/api/devices/999999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
