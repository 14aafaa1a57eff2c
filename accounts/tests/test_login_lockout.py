"""Repeated wrong passwords lock a username out from that address, on every login path.

The client's address is REMOTE_ADDR unless TRUSTED_PROXY_COUNT says how many proxies in front of the
portal append to X-Forwarded-For, so a client cannot pick its own address by sending the header.
"""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "portal-pass-123"
TOKEN_URL = "/api/auth/token/"
# What the settings configure; 5 before they did, so the tests describe the same attack either way.
FAILURE_LIMIT = getattr(settings, "AXES_FAILURE_LIMIT", 5)


def forged(attempt):
    """A different made-up X-Forwarded-For for every attempt, as an attacker rotating "addresses" sends."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{attempt % 250}, 203.0.113.{attempt % 250}"}


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_the_right_password_is_refused_after_repeated_failures_even_from_forged_addresses(client, manager, path):
    for attempt in range(FAILURE_LIMIT):
        client.post(path, {"username": "manager", "password": f"guess-{attempt}"}, **forged(attempt))

    response = client.post(path, {"username": "manager", "password": PASSWORD}, **forged(99))

    assert response.status_code == 429
    assert not logged_in(client)
    assert "too many failed logins" in response.content.decode().lower()


def test_a_locked_out_login_page_is_the_portals_own(client, manager):
    for attempt in range(FAILURE_LIMIT + 1):
        response = client.post("/login/", {"username": "manager", "password": f"guess-{attempt}"})

    assert response.status_code == 429
    assert "registration/locked_out.html" in [template.name for template in response.templates]
    assert 'href="/login/"' in response.content.decode()


def test_failures_below_the_limit_do_not_lock_and_a_success_clears_them(client, manager):
    for attempt in range(FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "manager", "password": f"guess-{attempt}"})
    assert client.post("/login/", {"username": "manager", "password": PASSWORD}).status_code == 302
    client.logout()

    for attempt in range(FAILURE_LIMIT - 1):
        client.post("/login/", {"username": "manager", "password": f"guess-{attempt}"})

    assert client.post("/login/", {"username": "manager", "password": PASSWORD}).status_code == 302


def test_the_lockout_holds_one_username_at_one_address(client, manager, viewer):
    for attempt in range(FAILURE_LIMIT):
        client.post("/login/", {"username": "manager", "password": f"guess-{attempt}"})

    # Another user at the same address, and the same user from elsewhere, still log in.
    assert client.post("/login/", {"username": "viewer", "password": PASSWORD}).status_code == 302
    elsewhere = type(client)(REMOTE_ADDR="192.0.2.77")
    assert elsewhere.post("/login/", {"username": "manager", "password": PASSWORD}).status_code == 302


def test_the_token_endpoint_refuses_the_right_password_after_repeated_failures(fresh_cache, viewer):
    api_client = APIClient()
    for attempt in range(FAILURE_LIMIT):
        response = api_client.post(
            TOKEN_URL, {"username": "viewer", "password": f"guess-{attempt}"}, format="json", **forged(attempt)
        )
        assert response.status_code in (400, 429)

    response = api_client.post(TOKEN_URL, {"username": "viewer", "password": PASSWORD}, format="json", **forged(99))

    assert response.status_code == 429
    assert "token" not in response.json()
    assert "too many failed logins" in response.json()["detail"].lower()
    assert int(response["Retry-After"]) > 0


def test_the_token_throttle_counts_the_client_whatever_x_forwarded_for_says(fresh_cache):
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"]
    allowed = int(rate.split("/")[0])
    # Its own address, so the throttle's count is this test's alone.
    api_client = APIClient(REMOTE_ADDR="192.0.2.50")
    statuses = [
        api_client.post(
            TOKEN_URL, {"username": f"nobody-{attempt}", "password": "guess"}, format="json", **forged(attempt)
        ).status_code
        for attempt in range(allowed + 1)
    ]

    assert statuses[:allowed] == [400] * allowed
    assert statuses[allowed] == 429


def test_both_read_the_trusted_proxy_count_from_one_setting():
    assert settings.REST_FRAMEWORK["NUM_PROXIES"] == settings.TRUSTED_PROXY_COUNT
    assert settings.AXES_CLIENT_IP_CALLABLE == "accounts.client_ip.client_ip"
