import pytest
from django.db.utils import OperationalError

from cvd_portal.celery import broker_configured


@pytest.mark.django_db
def test_healthz_reports_a_working_database(client, settings):
    settings.CELERY_BROKER_URL = "memory://localhost/"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client, settings, monkeypatch):
    settings.CELERY_BROKER_URL = "memory://localhost/"

    def broken_cursor(*args, **kwargs):
        raise OperationalError("down")

    monkeypatch.setattr("cvd_portal.views.connection.cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "error: OperationalError"


@pytest.mark.django_db
def test_healthz_checks_the_broker_when_one_is_configured(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"].startswith("error")


@pytest.mark.django_db
def test_healthz_reports_a_reachable_broker(client, settings):
    """Runs against the configured broker (CI: Redis); without one there is nothing to reach."""
    if not broker_configured():
        pytest.skip("needs a broker: set CELERY_BROKER_URL (CI does)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_the_front_door_leads_to_the_portal_login(client, db):
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
