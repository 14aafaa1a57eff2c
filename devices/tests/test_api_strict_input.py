"""A value the API cannot read is a 400 naming the field, never read as something else."""

import pytest

from cvd_portal.tests.api import ids, list_url
from devices.models import Route
from devices.tests.factories import CabinetTypeFactory, DeviceTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client_for, manager):
    return client_for(manager)


@pytest.mark.parametrize("value", ["1", "yes", "2", "on"])
def test_a_yes_no_filter_refuses_what_is_not_true_or_false(client, value):
    # django-filter read these as "either" and answered every row.
    DeviceTypeFactory(allows_additional_cabinets=False)

    response = client.get(list_url("device-types"), {"allows_additional_cabinets": value})

    assert response.status_code == 400
    assert response.json() == {"allows_additional_cabinets": ["Answer true or false."]}


@pytest.mark.parametrize(("value", "expected"), [("true", []), ("FALSE", ["no"]), ("", ["no"])])
def test_a_yes_no_filter_reads_true_false_in_any_case_and_empty_as_either(client, value, expected):
    no = DeviceTypeFactory(allows_additional_cabinets=False)
    names = {no.pk: "no"}

    response = client.get(list_url("device-types"), {"allows_additional_cabinets": value})

    assert [names[pk] for pk in ids(response)] == expected


@pytest.mark.parametrize("value", ["1.5", "2.0", "1e1", "two"])
def test_a_whole_number_filter_refuses_decimals_and_words(client, value):
    # django-filter read "1.5" as a decimal (matching nothing) and Django's IntegerField "2.0" as 2.
    CabinetTypeFactory(rows=2)

    response = client.get(list_url("cabinet-types"), {"rows": value})

    assert response.status_code == 400
    assert response.json() == {"rows": ["Enter a whole number."]}


def test_a_whole_number_filter_matches_whole_numbers(client):
    two = CabinetTypeFactory(rows=2)
    CabinetTypeFactory(rows=3)

    assert ids(client.get(list_url("cabinet-types"), {"rows": "2"})) == [two.pk]


@pytest.mark.parametrize("name", [12, 1.5, True, ["Route"], {"name": "Route"}])
def test_a_text_field_takes_a_string_only(client, name):
    # DRF's CharField wrote a number down as its digits and answered 201.
    response = client.post(list_url("routes"), {"name": name, "number": "R-9"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["Not a valid string."]}
    assert not Route.objects.exists()
