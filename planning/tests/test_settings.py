"""The planner's settings: one row for the operator, its values within reason, edited in the admin by managers."""

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cvd_portal.tests.database import rejected
from planning.models import PlanningSettings

pytestmark = pytest.mark.django_db


def test_current_creates_the_row_once_with_the_defaults():
    first = PlanningSettings.current()
    second = PlanningSettings.current()

    assert PlanningSettings.objects.count() == 1
    assert first.pk == second.pk == 1
    assert (
        first.visit_cost,
        first.minimum_stop_value,
        first.must_visit_sold_out_slots,
        first.max_stops,
        first.not_selling_p_value,
        first.silent_after_hours,
    ) == (Decimal("15.00"), Decimal("0.00"), 3, 20, 0.01, 48)


def test_current_answers_the_row_as_it_was_changed():
    PlanningSettings.objects.create(visit_cost=Decimal("22.50"))

    assert PlanningSettings.current().visit_cost == Decimal("22.50")


def test_a_second_row_cannot_be_saved():
    PlanningSettings.current()

    rejected(lambda: PlanningSettings().save())
    rejected(lambda: PlanningSettings.objects.create(pk=2))
    assert PlanningSettings.objects.count() == 1


def test_a_second_row_fails_validation():
    PlanningSettings.current()

    with pytest.raises(ValidationError) as error:
        PlanningSettings().full_clean()

    assert list(error.value.message_dict) == ["id"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("visit_cost", Decimal("-0.01"), "Ensure this value is greater than or equal to 0."),
        ("visit_cost", Decimal("1.005"), "Ensure that there are no more than 2 decimal places."),
        ("minimum_stop_value", Decimal("-1"), "Ensure this value is greater than or equal to 0."),
        ("max_stops", 0, "Ensure this value is greater than or equal to 1."),
        ("must_visit_sold_out_slots", -1, "Ensure this value is greater than or equal to 0."),
        ("silent_after_hours", -1, "Ensure this value is greater than or equal to 0."),
        ("not_selling_p_value", 0.0, "Give a probability above 0 and at most 0.5."),
        ("not_selling_p_value", 0.51, "Give a probability above 0 and at most 0.5."),
        ("not_selling_p_value", -0.01, "Give a probability above 0 and at most 0.5."),
        ("not_selling_p_value", math.nan, "Give a probability above 0 and at most 0.5."),
    ],
)
def test_settings_out_of_range_fail_validation_naming_the_field(field, value, message):
    settings = PlanningSettings(**{field: value})

    with pytest.raises(ValidationError) as error:
        settings.full_clean()

    assert error.value.message_dict == {field: [message]}


@pytest.mark.parametrize(("field", "value"), [("visit_cost", 0), ("not_selling_p_value", 0.5)])
def test_the_edges_of_the_ranges_are_valid(field, value):
    PlanningSettings(**{field: value}).full_clean()


@pytest.mark.parametrize(
    "values",
    [
        {"visit_cost": Decimal("-1")},
        {"minimum_stop_value": Decimal("-1")},
        {"max_stops": 0},
        {"not_selling_p_value": 0.0},
        {"not_selling_p_value": 0.75},
        {"not_selling_p_value": math.nan},
    ],
)
def test_the_database_refuses_settings_out_of_range(values):
    PlanningSettings.current()

    rejected(lambda: PlanningSettings.objects.filter(pk=1).update(**values))


# The admin


def test_the_list_opens_the_one_row_for_a_manager(client, admin_url, manager):
    client.force_login(manager)

    response = client.get(admin_url(PlanningSettings, "changelist"))

    assert response.status_code == 302
    assert response.url == admin_url(PlanningSettings, "change", 1)
    assert PlanningSettings.objects.count() == 1


def test_a_manager_changes_the_settings_but_never_adds_or_deletes_them(client, admin_url, manager):
    PlanningSettings.current()
    client.force_login(manager)
    data = {
        "visit_cost": "18.50",
        "minimum_stop_value": "5.00",
        "must_visit_sold_out_slots": "4",
        "max_stops": "16",
        "not_selling_p_value": "0.02",
        "silent_after_hours": "36",
    }

    page = client.get(admin_url(PlanningSettings, "change", 1))
    posted = client.post(admin_url(PlanningSettings, "change", 1), data)

    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()
    assert 'name="_addanother"' not in page.content.decode()
    assert posted.status_code == 302, posted.context["adminform"].form.errors
    settings = PlanningSettings.current()
    assert (settings.visit_cost, settings.max_stops, settings.not_selling_p_value) == (Decimal("18.50"), 16, 0.02)
    assert client.get(admin_url(PlanningSettings, "add")).status_code == 403
    assert client.post(admin_url(PlanningSettings, "delete", 1), {"post": "yes"}).status_code == 403
    assert PlanningSettings.objects.count() == 1


def test_the_admin_refuses_a_p_value_out_of_range(client, admin_url, manager):
    PlanningSettings.current()
    client.force_login(manager)
    data = {
        "visit_cost": "15.00",
        "minimum_stop_value": "0",
        "must_visit_sold_out_slots": "3",
        "max_stops": "20",
        "not_selling_p_value": "0.9",
        "silent_after_hours": "48",
    }

    response = client.post(admin_url(PlanningSettings, "change", 1), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "not_selling_p_value": ["Give a probability above 0 and at most 0.5."]
    }
    assert PlanningSettings.current().not_selling_p_value == 0.01


def test_a_viewer_reads_the_settings_but_cannot_change_them(client, admin_url, viewer):
    client.force_login(viewer)

    opened = client.get(admin_url(PlanningSettings, "changelist"), follow=True)

    assert opened.status_code == 200
    assert 'name="_save"' not in opened.content.decode()
    assert client.post(admin_url(PlanningSettings, "change", 1), {"max_stops": "1"}).status_code == 403
    assert PlanningSettings.current().max_stops == 20


def test_staff_without_the_permission_are_refused_the_list(client, admin_url, make_user):
    client.force_login(make_user(is_staff=True))

    response = client.get(admin_url(PlanningSettings, "changelist"))

    assert response.status_code == 403
    assert not PlanningSettings.objects.exists()
