"""API tokens: exchanged for a password, kept only as a hash, expiring, revoked by logout and by a password change."""

import datetime as dt
import os

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from accounts import roles

pytestmark = pytest.mark.django_db

PASSWORD = "portal-pass-123"
TOKEN_URL = "/api/auth/token/"
PROTECTED_URL = "/api/devices/"


@pytest.fixture(autouse=True)
def _fresh_cache(fresh_cache):
    """Every test here exchanges passwords; the token throttle must not carry counts between them."""


def obtain(user, password=PASSWORD):
    response = APIClient().post(TOKEN_URL, {"username": user.username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def with_token(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def status_with(token):
    return with_token(token).get(PROTECTED_URL).status_code


def test_a_token_answers_with_its_expiry_and_authenticates(viewer):
    before = timezone.now()
    body = obtain(viewer)

    ttl = settings.REST_KNOX["TOKEN_TTL"]
    assert before + ttl <= parse_datetime(body["expiry"]) <= timezone.now() + ttl
    assert status_with(body["token"]) == 200


def test_a_token_exchange_starts_no_session(viewer):
    response = APIClient().post(TOKEN_URL, {"username": "viewer", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_tokens_last_api_token_ttl_days_thirty_by_default():
    assert settings.REST_KNOX["TOKEN_TTL"] == dt.timedelta(days=settings.API_TOKEN_TTL_DAYS)
    if "API_TOKEN_TTL_DAYS" not in os.environ:
        assert settings.API_TOKEN_TTL_DAYS == 30


def test_every_exchange_answers_a_new_token(viewer):
    first, second = obtain(viewer)["token"], obtain(viewer)["token"]

    assert first != second
    assert status_with(first) == status_with(second) == 200


def text_columns():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')"
        )
        return cursor.fetchall()


def test_the_token_is_nowhere_in_the_database(viewer):
    token = obtain(viewer)["token"]

    found = []
    with connection.cursor() as cursor:
        for table, column in text_columns():
            cursor.execute(f'SELECT 1 FROM "{table}" WHERE strpos("{column}", %s) > 0 LIMIT 1', [token])
            if cursor.fetchone():
                found.append(f"{table}.{column}")
    assert found == []


def test_an_expired_token_is_refused(viewer):
    token = obtain(viewer)["token"]
    viewer.auth_token_set.update(expiry=timezone.now() - dt.timedelta(seconds=1))

    assert status_with(token) == 401


def test_a_wrong_or_malformed_token_is_refused(viewer):
    token = obtain(viewer)["token"]

    assert status_with(token[:-1] + ("0" if token[-1] != "0" else "1")) == 401
    assert status_with("not-a-token") == 401
    assert status_with("zz" * 40) == 401


def test_logout_revokes_the_token_it_is_sent_with(viewer):
    kept, revoked = obtain(viewer)["token"], obtain(viewer)["token"]

    assert with_token(revoked).post("/api/auth/logout/").status_code == 204

    assert status_with(revoked) == 401
    assert status_with(kept) == 200


def test_logout_everywhere_revokes_every_token_of_the_user(viewer, manager):
    first, second = obtain(viewer)["token"], obtain(viewer)["token"]
    someone_elses = obtain(manager)["token"]

    assert with_token(first).post("/api/auth/logout-all/").status_code == 204

    assert status_with(first) == status_with(second) == 401
    assert status_with(someone_elses) == 200


def test_logout_needs_a_token(viewer):
    assert APIClient().post("/api/auth/logout/").status_code == 401


def test_a_password_change_revokes_every_token_of_the_user(viewer, manager):
    first, second = obtain(viewer)["token"], obtain(viewer)["token"]
    someone_elses = obtain(manager)["token"]

    viewer.set_password("a-brand-new-pass-456")
    viewer.save()

    assert status_with(first) == status_with(second) == 401
    assert status_with(someone_elses) == 200
    assert status_with(obtain(viewer, "a-brand-new-pass-456")["token"]) == 200


def test_a_password_saved_alone_revokes_the_tokens(viewer):
    token = obtain(viewer)["token"]

    viewer.set_password("a-brand-new-pass-456")
    viewer.save(update_fields=["password"])

    assert status_with(token) == 401


def test_a_password_changed_in_the_admin_revokes_the_tokens(client, viewer, portal_admin):
    token = obtain(viewer)["token"]
    client.force_login(portal_admin)

    response = client.post(
        f"/admin/auth/user/{viewer.pk}/password/",
        {"usable_password": "true", "password1": "a-brand-new-pass-456", "password2": "a-brand-new-pass-456"},
    )

    assert response.status_code == 302
    assert status_with(token) == 401


def test_disabling_a_password_in_the_admin_revokes_the_tokens(client, viewer, portal_admin):
    token = obtain(viewer)["token"]
    client.force_login(portal_admin)

    response = client.post(
        f"/admin/auth/user/{viewer.pk}/password/", {"usable_password": "false", "unset-password": "1"}, follow=True
    )

    assert "Password-based authentication was disabled." in response.content.decode()
    assert status_with(token) == 401


def test_saving_a_user_without_a_new_password_keeps_the_tokens(viewer):
    token = obtain(viewer)["token"]

    viewer.first_name = "Ana"
    viewer.save()
    viewer.refresh_from_db()
    viewer.save()

    assert status_with(token) == 200


def test_a_password_hash_upgraded_at_login_keeps_the_tokens(viewer, settings):
    """Django re-hashes a password with a stronger hasher when its owner logs in; that is no password change."""
    token = obtain(viewer)["token"]
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]

    obtain(viewer)
    viewer.refresh_from_db()

    assert viewer.password.startswith("pbkdf2_sha256$")
    assert status_with(token) == 200


def test_a_browser_session_still_reads_the_api(client, viewer):
    assert client.post("/login/", {"username": "viewer", "password": PASSWORD}).status_code == 302

    assert client.get(PROTECTED_URL).status_code == 200
    assert client.get("/api/", HTTP_ACCEPT="text/html").status_code == 200


def test_a_token_exchange_is_not_blocked_by_a_browser_session(viewer):
    browser = APIClient(enforce_csrf_checks=True)
    browser.force_login(viewer)

    response = browser.post(TOKEN_URL, {"username": "viewer", "password": PASSWORD}, format="json")

    assert response.status_code == 200
    assert status_with(response.json()["token"]) == 200


def test_the_admin_lists_tokens_by_hash_and_never_shows_the_old_plain_tokens(client, portal_admin):
    from django.contrib import admin

    client.force_login(portal_admin)

    assert "authtoken" not in {model._meta.app_label for model in admin.site._registry}
    assert client.get("/admin/knox/authtoken/").status_code == 200


def test_the_admin_role_may_revoke_tokens_but_not_rewrite_them(portal_admin, manager):
    assert portal_admin.has_perm("knox.view_authtoken")
    assert portal_admin.has_perm("knox.delete_authtoken")
    assert not portal_admin.has_perm("knox.change_authtoken")
    assert not manager.has_perm("knox.view_authtoken")
    assert roles.ADMIN in {group.name for group in portal_admin.groups.all()}
