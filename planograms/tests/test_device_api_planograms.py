"""The devices' API filters that look at planograms (moved from ``devices/tests/test_api.py``)."""

import pytest
from django.urls import reverse

from devices.choices import VenueType
from devices.tests.factories import DeviceFactory
from planograms.tests.factories import PlanogramFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"asset": "a1"}, ["A100", "A101"]),
        ({"venue_type": "gym"}, ["B200"]),
        ({"has_planogram": "true"}, ["A101"]),
        ({"has_planogram": "false"}, ["A100", "B200"]),
    ],
)
def test_device_filters(client_for, viewer, params, expected):
    DeviceFactory(asset="A100")
    PlanogramFactory(cabinet__device=DeviceFactory(asset="A101"))
    DeviceFactory(asset="B200", location__venue_type=VenueType.GYM)

    response = client_for(viewer).get(reverse("devices-list"), params)

    assert response.status_code == 200
    assert [row["asset"] for row in response.json()["results"]] == expected
