import pytest
from django.core.cache import cache

from accounts import roles


@pytest.fixture
def portal_admin(make_user):
    """A user in the Admin role (staff, not a superuser): what the role grants is all they hold."""
    return make_user(roles.ADMIN, username="portal-admin")


@pytest.fixture
def fresh_cache():
    """The throttles count in the cache, which outlives a test's transaction: start and leave it empty."""
    cache.clear()
    yield
    cache.clear()
