"""Metrics in the admin: slot metrics beside the slots, read-only for all; the calculate control; the thresholds."""

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.choices import MetricsRunStatus
from metrics.models import MetricsRun, SlotMetrics, UrgencyThresholds
from planograms.models import Planogram, PlanogramSlot
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory


def make_slot_metrics(slot, **values):
    """The metrics row of ``slot`` as the metrics engine would leave it."""
    defaults = {
        "days_remaining_inventory": 4,
        "product_level_percent": 50,
        "units_to_par": 3,
        "last_calculated": timezone.now(),
    }
    return SlotMetrics.objects.create(
        slot=slot,
        planogram=slot.planogram,
        device=slot.planogram.cabinet.device,
        product=slot.product,
        **{**defaults, **values},
    )


# Session, user, the page's own reads: the same whether the page shows 3 rows or 15.
PLANOGRAM_PAGE_QUERIES = 9
SLOT_CHANGELIST_QUERIES = 7


def test_slot_inline_shows_each_slots_metrics_read_only(admin_client, admin_url):
    slot = PlanogramSlotFactory(position="A1")
    make_slot_metrics(slot, is_sold_out=True, days_remaining_inventory=17, product_level_percent=42, units_to_par=6)
    PlanogramSlotFactory(planogram=slot.planogram, position="A2")

    response = admin_client.get(admin_url(Planogram, "change", slot.planogram.pk))

    (slots,) = response.context["inline_admin_formsets"]
    with_metrics, without_metrics = (
        {
            field.field["name"]: field.contents()
            for fieldset in form
            for line in fieldset
            for field in line
            if field.is_readonly
        }
        for form in slots
        if form.original is not None
    )
    assert with_metrics["days_remaining"] == "17"
    assert with_metrics["product_level"] == "42"
    assert with_metrics["units_to_par"] == "6"
    assert 'alt="True"' in with_metrics["sold_out"]
    assert without_metrics["days_remaining"] == "-"
    assert not {"is_sold_out", "days_remaining_inventory"} & set(slots.formset.forms[0].fields)


@pytest.mark.parametrize("slots", [3, 15])
def test_planogram_change_page_queries_do_not_grow_with_slots(
    admin_client, admin_url, django_assert_max_num_queries, slots
):
    planogram = PlanogramFactory()
    for slot in PlanogramSlotFactory.create_batch(slots, planogram=planogram):
        make_slot_metrics(slot)

    with django_assert_max_num_queries(PLANOGRAM_PAGE_QUERIES):
        response = admin_client.get(admin_url(Planogram, "change", planogram.pk))

    assert len(response.context["inline_admin_formsets"][0].formset.forms) == slots


@pytest.mark.parametrize("slots", [3, 15])
def test_slot_changelist_queries_do_not_grow_with_rows(admin_client, admin_url, django_assert_max_num_queries, slots):
    for slot in PlanogramSlotFactory.create_batch(slots):
        make_slot_metrics(slot)

    with django_assert_max_num_queries(SLOT_CHANGELIST_QUERIES):
        response = admin_client.get(admin_url(PlanogramSlot, "changelist"))

    assert len(response.context["cl"].result_list) == slots


def test_slot_metrics_are_read_only_even_for_a_superuser(admin_client, admin_url):
    metrics = make_slot_metrics(PlanogramSlotFactory())

    change_page = admin_client.get(admin_url(SlotMetrics, "change", metrics.pk))
    changelist = admin_client.get(admin_url(SlotMetrics, "changelist"))

    assert change_page.status_code == 200
    assert 'name="_save"' not in change_page.content.decode()
    assert admin_client.post(admin_url(SlotMetrics, "change", metrics.pk), {"units_to_par": 0}).status_code == 403
    assert admin_client.get(admin_url(SlotMetrics, "add")).status_code == 403
    assert admin_client.post(admin_url(SlotMetrics, "delete", metrics.pk), {"post": "yes"}).status_code == 403
    assert changelist.context["action_form"] is None
    metrics.refresh_from_db()
    assert metrics.units_to_par == 3


def test_slot_metrics_changelist_is_sorted_by_device_and_filters_sold_out(admin_client, admin_url):
    first = PlanogramSlotFactory(planogram__cabinet__device__asset="A2")
    second = PlanogramSlotFactory(planogram__cabinet__device__asset="A1")
    make_slot_metrics(first, is_sold_out=True)
    make_slot_metrics(second)

    every = admin_client.get(admin_url(SlotMetrics, "changelist")).context["cl"].result_list
    sold_out = admin_client.get(admin_url(SlotMetrics, "changelist") + "?is_sold_out__exact=1").context["cl"]

    assert [metrics.device.asset for metrics in every] == ["A1", "A2"]
    assert [metrics.device.asset for metrics in sold_out.result_list] == ["A2"]


def test_manager_may_delete_a_slot_whose_metrics_nobody_may_delete(client, admin_url, manager):
    slot = PlanogramSlotFactory()
    make_slot_metrics(slot)
    client.force_login(manager)

    response = client.post(admin_url(PlanogramSlot, "delete", slot.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not PlanogramSlot.objects.exists()
    assert not SlotMetrics.objects.exists()


def test_manager_sees_slot_metrics_but_may_not_change_them(client, admin_url, manager):
    metrics = make_slot_metrics(PlanogramSlotFactory())
    client.force_login(manager)

    assert client.get(admin_url(SlotMetrics, "changelist")).status_code == 200
    assert client.post(admin_url(SlotMetrics, "change", metrics.pk), {"units_to_par": 0}).status_code == 403


@pytest.mark.django_db(transaction=True)  # real commits: the run starts when the request's transaction commits
def test_the_calculate_control_runs_a_full_recalculation_and_shows_it(client, admin_url, manager):
    PlanogramSlotFactory()
    client.force_login(manager)
    page = client.get(admin_url(MetricsRun, "changelist")).content.decode()
    assert 'id="last-calc-time">Never<' in page and 'id="calculate-all-metrics"' in page

    response = client.post(reverse("admin:metrics_metricsrun_calculate"), follow=True)
    run = MetricsRun.objects.get()
    assert run.status == MetricsRunStatus.SUCCEEDED and run.requested_by == manager
    page = response.content.decode()
    assert "Calculated metrics for 1 devices and 1 slots." in page
    assert 'id="last-calc-time">Never<' not in page
    assert SlotMetrics.objects.count() == 1


def test_the_calculate_control_is_a_post_for_those_who_may_request_runs(client, admin_url, viewer, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:metrics_metricsrun_calculate")).status_code == 405
    client.force_login(viewer)
    assert 'id="calculate-all-metrics"' not in client.get(admin_url(MetricsRun, "changelist")).content.decode()
    assert client.post(reverse("admin:metrics_metricsrun_calculate")).status_code == 403
    assert not MetricsRun.objects.exists()


def test_thresholds_open_as_their_one_row(admin_client, admin_url):
    response = admin_client.get(admin_url(UrgencyThresholds, "changelist"))
    assert response.status_code == 302 and response.url == admin_url(UrgencyThresholds, "change", 1)
