"""Fixtures shared by every app's tests: users in each role, API clients for them, admin URLs, readable PDFs."""

import os

import pytest
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.urls import reverse
from reportlab import rl_config
from rest_framework.test import APIClient

from accounts import roles
from accounts.tests.factories import UserFactory


@pytest.fixture
def make_user(db):
    def make(role=None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


@pytest.fixture
def manager(make_user):
    return make_user(roles.MANAGER, username="manager")


@pytest.fixture
def viewer(make_user):
    return make_user(roles.VIEWER, username="viewer")


@pytest.fixture
def driver(make_user):
    return make_user(roles.DRIVER, username="driver")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in as ``user`` (force-authenticated, as a token client would be)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def admin_url():
    """``admin_url(Device, "change", device.pk)``: the URL of one of a model's admin views."""

    def url(model, view, *args):
        return reverse(admin_urlname(model._meta, view), args=args)

    return url


@pytest.fixture
def readable_pdf(monkeypatch):
    """reportlab without compression and with fixed dates/ids, so the test can find text in the bytes."""
    monkeypatch.setattr(rl_config, "pageCompression", 0)
    monkeypatch.setattr(rl_config, "invariant", 1)


# CI runs every test: a skip or an xfail there hides a missing service, so it fails the run.
_not_run = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _not_run.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if os.environ.get("CI") and _not_run:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if os.environ.get("CI") and _not_run:
        terminalreporter.write_line(f"CI forbids skipped tests; {len(_not_run)} were not run:", red=True)
        for nodeid in _not_run:
            terminalreporter.write_line(f"  {nodeid}", red=True)
