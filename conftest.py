"""Fixtures shared by every app's tests: users in each role and API clients for them."""

import pytest
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
