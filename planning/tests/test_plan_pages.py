"""The plan pages: who reaches which plan, what the driver reads on it, the pre-kit and its files, and what a
page costs in queries and bytes."""

import csv
import datetime as dt
import gzip
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from devices.tests.factories import CabinetFactory, CabinetTypeFactory, DeviceFactory, LocationFactory, RouteFactory
from planning.tests.plan_fleet import (
    CAPACITY,
    daily_route,
    machine_on,
    record_sales,
)
from planograms.choices import RestockMode
from planograms.models import PlanogramSlot, ServiceVisit
from planograms.services.inventory import restock
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.models import Sale
from sales.tests.factories import local_datetime

pytestmark = pytest.mark.django_db

# A gzipped page a phone on a weak signal loads in a few seconds.
PAGE_BYTES_LIMIT = 60_000


def page_url(route, name="planning:plan", **query):
    url = reverse(name, args=[route.pk])
    return f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}" if query else url


def shown_stops(response) -> list[tuple[str, str]]:
    """(stop number, asset) of each stop, in the page's order."""
    return re.findall(
        r'<span class="route-number stop-number">(\d+)</span>\s*<div class="device-title">\s*'
        r'<strong class="device-asset">([^<]+)</strong>',
        response.content.decode(),
    )


def test_the_driver_reads_the_days_stops_in_driving_order(client, driver, route, day_plan):
    client.force_login(driver)

    response = client.get(page_url(route))

    assert response.status_code == 200
    page = response.content.decode()
    assert shown_stops(response) == [("1", "A-1"), ("2", "B-2"), ("3", "C-3")]
    assert "Today's plan" in page and "Serviced 0 of 3" in page
    assert 'href="geo:41.8,-87.69?q=41.8,-87.69(A-1)"' in page
    assert "Must visit: 3 slots sold out." in page
    # The two numbers side by side, each named for what it is.
    assert (
        '<th scope="col" class="plan-num">Load (plan)</th><th scope="col" class="plan-num">To par (spec UTP)</th>'
        in page
    )
    # Cola is sold out: both numbers are the whole capacity.
    cola = f'<th scope="row">A1</th><td>Cola</td><td class="num units">{CAPACITY}</td><td class="num">{CAPACITY}</td>'
    assert cola in page
    # A full slot that gets nothing is left out of the list.
    assert "<td>Mints</td>" not in page
    # The office's lists, after the stops.
    assert page.index('id="plan-skipped"') > page.index('id="plan-stops"')
    assert re.search(r"<strong>FULL</strong> \$0\.00", page)
    attention = page[page.index('id="plan-attention"') :]
    assert "<strong>SILENT</strong>" in attention and ">Silent</span>" in attention
    assert "<script>" not in page


def test_a_manager_and_a_viewer_read_any_routes_plan(client, manager, viewer, route, day_plan):
    for user in (manager, viewer):
        client.force_login(user)
        response = client.get(page_url(route))
        assert response.status_code == 200
        assert [asset for _, asset in shown_stops(response)] == ["A-1", "B-2", "C-3"]


def test_a_driver_gets_404_for_another_drivers_plan_and_a_visitor_logs_in_first(client, driver, route):
    foreign = RouteFactory(driver=UserFactory())
    client.force_login(driver)
    for name in ("planning:plan", "planning:prekit", "planning:prekit_csv", "planning:prekit_pdf"):
        assert client.get(page_url(foreign, name)).status_code == 404
    client.logout()
    response = client.get(page_url(route))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_route_page_and_my_routes_link_to_the_plan(client, driver, route):
    client.force_login(driver)
    link = f'href="{page_url(route)}"'
    assert link in client.get(reverse("routes:route", args=[route.pk])).content.decode()
    assert link in client.get(reverse("routes:my_routes")).content.decode()


def test_a_service_visit_on_the_day_counts_a_stop_serviced(client, driver, route, day_plan):
    stops = day_plan["stops"]
    today = timezone.localdate()
    ServiceVisit.objects.create(device=stops["B-2"], performed_at=local_datetime(today, 7))
    # Yesterday's visit and a visit to another route's machine are not the day's.
    ServiceVisit.objects.create(device=stops["C-3"], performed_at=local_datetime(today - dt.timedelta(days=1), 23))
    ServiceVisit.objects.create(device=DeviceFactory(), performed_at=local_datetime(today, 7))
    client.force_login(driver)

    page = client.get(page_url(route)).content.decode()

    assert "Serviced 1 of 3" in page
    assert re.findall(r'<li class="device plan-stop is-serviced" data-device="(\d+)"', page) == [str(stops["B-2"].pk)]


def test_a_stop_refilled_today_leaves_the_plan_but_still_counts_serviced(client, driver, route, day_plan):
    refilled = day_plan["stops"]["B-2"]
    restock(slots=PlanogramSlot.objects.filter(planogram__cabinet__device=refilled), mode=RestockMode.CAPACITY)
    client.force_login(driver)

    response = client.get(page_url(route))

    assert shown_stops(response) == [("1", "A-1"), ("2", "C-3")]
    page = response.content.decode()
    assert "Serviced 1 of 3" in page
    assert "Also serviced today, no longer on the plan: B-2" in page


def test_another_day_is_planned_on_request_and_a_bad_one_refused(client, driver, route, day_plan):
    client.force_login(driver)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    response = client.get(page_url(route, date=tomorrow.isoformat()))
    assert response.status_code == 200
    assert f'<time datetime="{tomorrow.isoformat()}">' in response.content.decode()
    assert "Today's plan" not in response.content.decode()

    for name in ("planning:plan", "planning:prekit", "planning:prekit_csv", "planning:prekit_pdf"):
        response = client.get(page_url(route, name, date="2001-01-01"))
        assert response.status_code == 400, name
        assert "past days are not planned" in response.content.decode()


def test_the_prekit_has_a_bag_a_stop_and_the_warehouse_totals(client, driver, route, products, day_plan):
    client.force_login(driver)

    page = client.get(page_url(route, "planning:prekit")).content.decode()

    labels = re.findall(
        r'<span class="route-number">(\d+)</span>\s*<span class="device-title">'
        r'<span class="device-asset">([^<]+)</span>',
        page,
    )
    assert labels == [("1", "A-1"), ("2", "B-2"), ("3", "C-3")]
    totals = dict(re.findall(r'<tr data-product="(\d+)"><td>[^<]+</td><td class="num units">(\d+)</td></tr>', page))
    bags = re.findall(r'<td class="num units">(\d+)</td>', page[: page.index('id="warehouse-totals"')])
    assert sum(map(int, totals.values())) == sum(map(int, bags))
    cola, water, chips, _ = products
    # Each stop's three sold-out slots: Cola and Chips filled, Water in two cases of 4.
    assert (totals[str(cola.pk)], totals[str(water.pk)], totals[str(chips.pk)]) == ("30", "24", "30")
    assert f'id="warehouse-total">{sum(map(int, totals.values()))}<' in page


def test_the_prekit_csv_has_a_row_a_loaded_slot_stop_by_stop(client, driver, route, day_plan):
    client.force_login(driver)
    plan = client.get(page_url(route, "planning:plan")).content.decode()

    response = client.get(page_url(route, "planning:prekit_csv"))

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="prekit_route-101_{today}.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Stop", "Asset", "Location", "Position", "Product", "Load"]
    assert list(dict.fromkeys(tuple(row[:2]) for row in rows[1:])) == [("1", "A-1"), ("2", "B-2"), ("3", "C-3")]
    stops = day_plan["stops"]
    for number, asset in [("1", "A-1"), ("2", "B-2"), ("3", "C-3")]:
        bag = [row[2:] for row in rows[1:] if row[:2] == [number, asset]]
        location = stops[asset].location.name
        assert bag[:3] == [
            [location, "A1", "Cola", "10"],
            [location, "A2", "Water", "8"],
            [location, "A3", "Chips", "10"],
        ]
        # Gum's load is the plan's, as the page shows it.
        gum_on_page = re.search(
            rf'data-device="{stops[asset].pk}".*?<th scope="row">A4</th><td>Gum</td><td class="num units">(\d+)</td>',
            plan,
            flags=re.S,
        )
        assert bag[3:] == ([[location, "A4", "Gum", gum_on_page.group(1)]] if gum_on_page.group(1) != "0" else [])


def test_the_prekit_csv_writes_a_formula_lookalike_as_text(client, driver, route, products):
    record_sales(machine_on(route, products, [0, 0, 0, 0], asset="=HYPERLINK(1)"))
    client.force_login(driver)

    rows = list(csv.reader(io.StringIO(client.get(page_url(route, "planning:prekit_csv")).content.decode("utf-8-sig"))))

    assert {row[1] for row in rows[1:]} == {"'=HYPERLINK(1)"}


def test_the_prekit_pdf_has_a_section_a_machine_and_the_totals(client, driver, route, day_plan, readable_pdf):
    client.force_login(driver)

    response = client.get(page_url(route, "planning:prekit_pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = response.content
    assert content.startswith(b"%PDF")
    for text in (
        "Pre-kit",
        "101 Loop North",
        "A-1",
        "B-2",
        "C-3",
        "(Cola)",
        "(Water)",
        "(Chips)",
        "(Warehouse totals)",
    ):
        assert text.encode() in content, text
    assert b"SILENT" not in content and b"FULL" not in content


@pytest.mark.parametrize("devices", [3, 12])
def test_the_plan_pages_run_a_fixed_number_of_queries(
    client, driver, route, products, devices, django_assert_max_num_queries
):
    fleet = [machine_on(route, products, [0, 0, 0, 1 + n % 5]) for n in range(devices)]
    record_sales(*fleet)
    client.force_login(driver)

    # Session, user, the user's two permission sets, the route, the settings, the plan's eight reads
    # (planning.selectors.route_plan) and the day's service visits.
    with django_assert_max_num_queries(15):
        response = client.get(page_url(route))
    assert len(shown_stops(response)) == devices
    # The same without the visits.
    for name in ("planning:prekit", "planning:prekit_csv", "planning:prekit_pdf"):
        with django_assert_max_num_queries(14):
            assert client.get(page_url(route, name)).status_code == 200


def demo_like_route(driver, stops: int):
    """A route of ``stops`` machines as the demo fleet builds them: a 6×8 snack cabinet and a 5×6 drink
    cabinet each (78 slots), products with full-length names, stock at every level with four slots sold
    out (so each is a stop), and four weeks of sales."""
    route = daily_route(driver)
    products = [ProductFactory(name=f"Sample Brand Product With A Long Name {n:02d} 1.75 oz") for n in range(60)]
    drinks = CabinetTypeFactory(name="Drink 5x6", rows=5, columns=6)
    today = timezone.localdate()
    devices, sales = [], []
    for number in range(stops):
        device = DeviceFactory(
            route=route,
            asset=f"DEMO-{number:04d}",
            location=LocationFactory(
                name=f"Riverside Business Park, Building {number} Lobby",
                latitude=f"{41.80 + number * 0.004:.6f}",
                longitude=f"{-87.70 + (number % 4) * 0.006:.6f}",
            ),
        )
        devices.append(device)
        for index, cabinet_type in ((1, None), (2, drinks)):
            cabinet = CabinetFactory(
                device=device, index=index, **({"cabinet_type": cabinet_type} if cabinet_type else {})
            )
            planogram = PlanogramFactory(cabinet=cabinet)
            for row in range(cabinet.rows):
                for column in range(cabinet.columns):
                    slot = row * cabinet.columns + column
                    product = products[(number * 7 + slot) % len(products)]
                    PlanogramSlotFactory(
                        planogram=planogram,
                        position=f"{'ABCDEF'[row]}{column + 1}",
                        product=product,
                        capacity=12,
                        quantity=0 if slot % 12 == 0 else (slot * 5) % 13,
                    )
                    if slot % 3 == 0:
                        sales += [
                            Sale(device=device, product=product, units=1 + back % 3, cash_amount=product.price,
                                 sold_at=local_datetime(today - dt.timedelta(days=back), 9 + slot % 10))
                            for back in range(1, 29)
                        ]  # fmt: skip
    Sale.objects.bulk_create(sales)
    record_sales(*devices)
    return route


def test_a_fifteen_stop_plan_page_is_at_most_60_kb_over_the_wire(client, driver):
    route = demo_like_route(driver, stops=15)
    client.force_login(driver)

    response = client.get(page_url(route), headers={"accept-encoding": "gzip"})

    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content).decode()
    assert len(re.findall(r'<span class="route-number stop-number">', page)) == 15
    assert len(response.content) <= PAGE_BYTES_LIMIT, f"{len(response.content):,} bytes gzipped ({len(page):,} raw)"
