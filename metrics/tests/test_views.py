"""The driver's route pages: who reaches which route, what the pick list adds up to, and what a page costs."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from metrics.models import SlotMetrics, UrgencyThresholds
from metrics.services.engine import recalculate_metrics
from metrics.tests.oracle import summed_units_to_par
from planograms.models import ServiceVisit
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory

pytestmark = pytest.mark.django_db

CAPACITY = 10


@pytest.fixture
def thresholds():
    """With no sales a slot's DRI is its quantity × 10 days, so 1 unit is critical, 3 a warning, 5 ok, 8 good."""
    thresholds = UrgencyThresholds.current()
    thresholds.critical_days, thresholds.warning_days, thresholds.ok_days = 20, 40, 60
    thresholds.save()
    return thresholds


@pytest.fixture
def products():
    return [
        ProductFactory(name="Cola", category="Drinks"),
        ProductFactory(name="Water", category="Drinks"),
        ProductFactory(name="Chips", category="Snacks"),
    ]


def device_on(route, products, quantities, cabinets=2, **kwargs):
    """A device with ``cabinets`` cabinets, each with one slot per product holding ``quantities[i]`` of it."""
    device = DeviceFactory(route=route, **kwargs)
    for index in range(1, cabinets + 1):
        planogram = PlanogramFactory(cabinet=CabinetFactory(device=device, index=index))
        for column, (product, quantity) in enumerate(zip(products, quantities, strict=True), start=1):
            PlanogramSlotFactory(
                planogram=planogram, position=f"A{column}", product=product, quantity=quantity, capacity=CAPACITY
            )
    return device


def route_url(route, name="routes:route"):
    return reverse(name, args=[route.pk])


def pick_list_units(response) -> dict[int, int]:
    """Product → units as the page renders them."""
    rows = re.findall(
        r'<tr data-product="(\d+)">.*?<td class="num units">(\d+)</td>', response.content.decode(), flags=re.S
    )
    return {int(product): int(units) for product, units in rows}


def test_anonymous_visitors_are_sent_to_log_in(client):
    route = RouteFactory()
    for url in (reverse("routes:my_routes"), route_url(route), route_url(route, "routes:pick_list")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


def test_a_driver_sees_only_their_routes_with_critical_and_warning_counts(client, driver, thresholds, products):
    own = RouteFactory(driver=driver, name="Loop North")
    device_on(own, products, [1, 8, 8])  # critical
    device_on(own, products, [3, 8, 8])  # warning
    device_on(own, products, [8, 8, 8])  # good
    foreign = RouteFactory(driver=UserFactory(), name="Loop South")
    device_on(foreign, products, [1, 1, 1])
    recalculate_metrics()
    client.force_login(driver)

    response = client.get(reverse("routes:my_routes"))

    assert response.status_code == 200
    (route,) = response.context["routes"]
    assert route == own and route.critical_count == 1 and route.warning_count == 1 and route.device_count == 3
    html = response.content.decode()
    assert "My routes" in html and "Loop North" in html and "Loop South" not in html
    assert reverse("routes:route", args=[own.pk]) in html


def test_a_driver_gets_404_for_another_drivers_route(client, driver, products):
    foreign = RouteFactory(driver=UserFactory())
    device = device_on(foreign, products, [1, 1, 1])
    client.force_login(driver)
    for name in ("routes:route", "routes:pick_list", "routes:pick_list_pdf"):
        assert client.get(route_url(foreign, name), {"devices": device.pk}).status_code == 404, name
    assert client.post(route_url(foreign, "routes:refresh")).status_code == 404


def test_a_viewer_reads_every_route_but_cannot_refresh(client, viewer, products):
    route = RouteFactory(driver=UserFactory())
    device_on(route, products, [1, 2, 3])
    recalculate_metrics()
    client.force_login(viewer)

    assert [r.pk for r in client.get(reverse("routes:my_routes")).context["routes"]] == [route.pk]
    response = client.get(route_url(route))
    assert response.status_code == 200
    assert 'id="refresh-metrics"' not in response.content.decode()
    assert client.post(route_url(route, "routes:refresh")).status_code == 403


@pytest.mark.django_db(transaction=True)  # real commits: the run starts when its request commits
def test_a_driver_refreshes_their_route_and_the_metrics_are_recalculated(client, driver, products):
    route = RouteFactory(driver=driver)
    device = device_on(route, products, [1, 2, 3], cabinets=1)
    recalculate_metrics()
    slot = device.cabinets.get().planogram.slots.get(product=products[0])
    slot.quantity = CAPACITY
    slot.save()
    client.force_login(driver)
    assert 'id="refresh-metrics"' in client.get(route_url(route)).content.decode()

    response = client.post(route_url(route, "routes:refresh"), follow=True)

    assert response.redirect_chain == [(route_url(route), 302)]
    assert "Recalculated the metrics of 1 device." in response.content.decode()
    assert SlotMetrics.objects.get(slot=slot).units_to_par == 0


def test_refresh_answers_only_posts(client, manager):
    route = RouteFactory()
    client.force_login(manager)
    assert client.get(route_url(route, "routes:refresh")).status_code == 405


def test_devices_are_listed_most_urgent_first_coloured_by_the_thresholds(client, manager, thresholds, products):
    route = RouteFactory()
    device_on(route, products, [8, 8, 8], asset="GOOD")
    device_on(route, products, [3, 8, 0], asset="WARN")
    device_on(route, products, [1, 8, 8], asset="CRIT")
    recalculate_metrics()
    client.force_login(manager)

    response = client.get(route_url(route))

    assert [d.asset for d in response.context["devices"]] == ["CRIT", "WARN", "GOOD"]
    html = response.content.decode()
    urgencies = re.findall(r'<li class="device urgency-(\w+)"', html)
    assert urgencies == ["critical", "warning", "good"]
    assert html.count('<section class="route-cabinet">') == 6
    assert 'class="urgency-critical"' in html  # the critical slot's row
    assert '<span class="sold-out">Sold out</span>' in html  # WARN's empty Chips slots
    assert "Metrics calculated" in html and 'id="refresh-metrics"' in html


def test_critical_devices_are_preselected_and_the_pick_list_sums_their_units_to_par(
    client, driver, thresholds, products
):
    route = RouteFactory(driver=driver)
    critical = [device_on(route, products, [1, 4, 6]), device_on(route, products, [0, 1, 9])]
    device_on(route, products, [5, 5, 5])
    recalculate_metrics()
    client.force_login(driver)

    response = client.get(route_url(route))

    assert {d.pk for d in response.context["selected_devices"]} == {d.pk for d in critical}
    expected = summed_units_to_par([d.pk for d in critical])
    assert pick_list_units(response) == expected
    assert response.context["pick_list_total"] == sum(expected.values())
    assert [(line["category"], line["name"]) for line in response.context["pick_list"]] == [
        ("Drinks", "Cola"),
        ("Drinks", "Water"),
        ("Snacks", "Chips"),
    ]


def test_the_pick_list_of_chosen_devices_equals_their_summed_units_to_par(client, driver, products):
    route = RouteFactory(driver=driver)
    devices = [device_on(route, products, quantities) for quantities in ([1, 2, 3], [4, 10, 6], [10, 10, 10])]
    recalculate_metrics()
    client.force_login(driver)

    for chosen in ([devices[0]], [devices[0], devices[1]], devices, []):
        ids = [d.pk for d in chosen]
        for name in ("routes:route", "routes:pick_list"):
            response = client.get(route_url(route, name), {"chosen": 1, "devices": ids})
            assert response.status_code == 200
            assert pick_list_units(response) == summed_units_to_par(ids), (name, ids)


def test_the_pick_list_refuses_a_device_of_another_route(client, manager, products):
    route, other = RouteFactory(), RouteFactory()
    device_on(route, products, [1, 1, 1])
    stranger = device_on(other, products, [0, 0, 0])
    recalculate_metrics()
    client.force_login(manager)

    for name in ("routes:route", "routes:pick_list", "routes:pick_list_pdf"):
        response = client.get(route_url(route, name), {"devices": [stranger.pk]})
        assert response.status_code == 400, name
    assert client.get(route_url(route, "routes:pick_list"), {"devices": "x"}).status_code == 400


def test_a_retired_device_adds_nothing_to_the_pick_list(client, manager, products):
    route = RouteFactory()
    kept, retired = device_on(route, products, [1, 1, 1]), device_on(route, products, [0, 0, 0])
    recalculate_metrics()
    retired.deleted_at = retired.created_at
    retired.save()
    client.force_login(manager)

    response = client.get(route_url(route, "routes:pick_list"), {"devices": [kept.pk]})
    assert pick_list_units(response) == summed_units_to_par([kept.pk])
    assert client.get(route_url(route, "routes:pick_list"), {"devices": [retired.pk]}).status_code == 400


def test_the_pick_list_pdf_has_the_route_the_devices_and_the_lines(client, driver, products, readable_pdf):
    route = RouteFactory(driver=driver, number="301", name="Loop East")
    chosen = [device_on(route, products, [1, 4, 6], asset="A-1"), device_on(route, products, [2, 9, 0], asset="A-2")]
    device_on(route, products, [0, 0, 0], asset="A-3")
    recalculate_metrics()
    client.force_login(driver)

    response = client.get(route_url(route, "routes:pick_list_pdf"), {"devices": [d.pk for d in chosen]})

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="pick-list_route-301_\d{4}-\d{2}-\d{2}\.pdf"',
                        response["Content-Disposition"])  # fmt: skip
    content = response.content
    assert content.startswith(b"%PDF")
    expected = summed_units_to_par([d.pk for d in chosen])
    for text in ("Pick list", "301 Loop East", "A-1, A-2", "(Cola)", "(Water)", "(Chips)", "(Total)"):
        assert text.encode() in content, text
    assert b"A-3" not in content
    for units in [*expected.values(), sum(expected.values())]:
        assert f"({units})".encode() in content


@pytest.mark.django_db(transaction=True)  # real commits: the metrics run starts when the visit commits
def test_a_driver_marks_a_cabinet_serviced_and_it_leaves_the_pick_list(client, driver, products):
    route = RouteFactory(driver=driver)
    device = device_on(route, products, [1, 4, 6])
    recalculate_metrics()
    serviced, untouched = device.cabinets.order_by("index")
    client.force_login(driver)
    page = client.get(route_url(route)).content.decode()
    assert reverse("routes:cabinet_serviced", args=[route.pk, serviced.pk]) in page

    response = client.post(reverse("routes:cabinet_serviced", args=[route.pk, serviced.pk]), follow=True)

    assert response.redirect_chain == [(route_url(route), 302)]
    assert f"Cabinet 1 of {device.asset} marked serviced (fill to capacity)." in response.content.decode()
    assert {slot.quantity for slot in serviced.planogram.slots.all()} == {CAPACITY}
    assert sorted(slot.quantity for slot in untouched.planogram.slots.all()) == [1, 4, 6]
    assert ServiceVisit.objects.get().performed_by == driver
    # The visit recalculated the metrics: only the untouched cabinet is left to load.
    chosen = client.get(route_url(route, "routes:pick_list"), {"devices": [device.pk]})
    assert (
        pick_list_units(chosen)
        == summed_units_to_par([device.pk])
        == {
            products[0].pk: 9,
            products[1].pk: 6,
            products[2].pk: 4,
        }
    )


def test_only_a_cabinet_of_the_route_can_be_marked_serviced(client, driver, viewer, products):
    route = RouteFactory(driver=driver)
    cabinet = device_on(route, products, [1, 1, 1], cabinets=1).cabinets.get()
    elsewhere = device_on(RouteFactory(driver=driver), products, [1, 1, 1], cabinets=1).cabinets.get()
    url = reverse("routes:cabinet_serviced", args=[route.pk, elsewhere.pk])
    client.force_login(driver)
    assert client.post(url).status_code == 404

    client.force_login(viewer)
    assert "Mark serviced" not in client.get(route_url(route)).content.decode()
    assert client.post(reverse("routes:cabinet_serviced", args=[route.pk, cabinet.pk])).status_code == 403
    assert not ServiceVisit.objects.exists()


@pytest.mark.parametrize("routes", [2, 8])
@pytest.mark.parametrize("role", ["driver", "manager"])
def test_my_routes_runs_a_fixed_number_of_queries(
    client, request, role, products, routes, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    for _ in range(routes):
        route = RouteFactory(driver=user if role == "driver" else UserFactory())
        for quantities in ([1, 2, 3], [8, 8, 8]):
            device_on(route, products, quantities, cabinets=1)
    recalculate_metrics()
    client.force_login(user)

    # Session, user, the user's two permission sets, thresholds, and the routes with their counts and drivers.
    with django_assert_max_num_queries(6):
        response = client.get(reverse("routes:my_routes"))
    assert len(response.context["routes"]) == routes


@pytest.mark.parametrize("devices", [2, 10])
def test_the_route_page_and_its_pick_list_run_a_fixed_number_of_queries(
    client, driver, thresholds, products, devices, django_assert_max_num_queries
):
    route = RouteFactory(driver=driver)
    fleet = [device_on(route, products, [1 + n % 3, 2, 8]) for n in range(devices)]
    recalculate_metrics()
    client.force_login(driver)
    chosen = {"chosen": 1, "devices": [d.pk for d in fleet]}

    # Session, user, the user's two permission sets, route, thresholds, devices, cabinets, slots, pick list.
    for query in ({}, chosen):
        with django_assert_max_num_queries(10):
            response = client.get(route_url(route), query)
        assert len(response.context["devices"]) == devices
    # Session, user, permissions, route, the route's devices, pick list.
    for name in ("routes:pick_list", "routes:pick_list_pdf"):
        with django_assert_max_num_queries(7):
            assert client.get(route_url(route, name), chosen).status_code == 200
