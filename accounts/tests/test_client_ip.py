"""The client's address, for the login lockout and the API throttles alike: REMOTE_ADDR, unless
TRUSTED_PROXY_COUNT proxies in front of the portal append the address they saw to X-Forwarded-For."""

import pytest
from django.conf import settings
from django.test import RequestFactory, override_settings
from rest_framework.throttling import BaseThrottle

from accounts.client_ip import client_ip


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "198.51.100.1", "10.0.0.1"),
        (1, None, "10.0.0.1"),
        # One proxy appends the address it saw: whatever the client wrote before it is ignored.
        (1, "198.51.100.1, 203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.1, 203.0.113.5, 10.1.1.1", "203.0.113.5"),
        # Fewer entries than proxies: the leftmost, as DRF's throttle takes it.
        (2, "203.0.113.5", "203.0.113.5"),
        # Not an address (a misconfigured proxy): the socket's address rather than junk.
        (1, "not-an-address", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(proxies, forwarded_for, expected):
    headers = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **headers)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(request) == expected


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_the_lockout_and_the_api_throttle_see_the_same_client(proxies):
    """Axes (client_ip) and DRF's throttles (NUM_PROXIES) read the one setting the same way."""
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5")
    rest_framework = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}

    with override_settings(TRUSTED_PROXY_COUNT=proxies, REST_FRAMEWORK=rest_framework):
        assert client_ip(request) == BaseThrottle().get_ident(request)
