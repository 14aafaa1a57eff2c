"""A database that is down or restarting makes the API answer a retryable 503, never a 500."""

import pytest
from django.db import InterfaceError, OperationalError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from cvd_portal.tests.api import list_url
from devices.api.views import DeviceViewSet

pytestmark = pytest.mark.django_db


class FailingView(APIView):
    authentication_classes = ()
    permission_classes = ()
    error = OperationalError

    def get(self, request):
        raise self.error("server closed the connection unexpectedly")


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_in_a_view_is_a_503_to_retry(error):
    response = FailingView.as_view(error=error)(APIRequestFactory().get("/api/anything"))
    response.render()

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.data == {"detail": "The database is unavailable for a moment; retry the request shortly."}


def test_a_list_whose_query_fails_answers_503_as_json(client_for, viewer, monkeypatch):
    def unavailable(self):
        raise OperationalError("the database system is starting up")

    monkeypatch.setattr(DeviceViewSet, "get_queryset", unavailable)

    response = client_for(viewer).get(list_url("devices"))

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {"detail": "The database is unavailable for a moment; retry the request shortly."}
