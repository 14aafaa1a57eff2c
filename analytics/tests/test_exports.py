"""Exports of the asset-sales device performance table: each file holds exactly the report's rows."""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from analytics import exports
from analytics.tests.helpers import day
from devices.choices import VenueType
from devices.tests.factories import DeviceFactory, DeviceTypeFactory, LocationFactory, RouteFactory
from planograms.tests.factories import ProductFactory
from sales.services import sales_rollups_rebuild
from sales.tests.factories import sale_on

START = dt.date(2026, 3, 1)
END = dt.date(2026, 3, 31)
URL = reverse("asset-sales-export")
REPORT_URL = reverse("asset-sales")
HEADERS = [
    "Asset ID",
    "Location",
    "Device Type",
    "Total Revenue",
    "Daily Average",
    "Total Units",
    "Transactions",
    "Avg Transaction",
    "Performance Score",
    "Fleet Rank",
    "Top Product",
]
TRICKY_LOCATION = 'Café "Le Zinc", hall\nlevel 2'
TRICKY_PRODUCT = '=HYPERLINK("http://evil","x")'
RANGE = {"start_date": START.isoformat(), "end_date": END.isoformat()}


@pytest.fixture
def fleet(db):
    """Four devices: tricky names that need quoting, a name that looks like a formula, one device that sold nothing."""
    cafe = LocationFactory(name=TRICKY_LOCATION, venue_type=VenueType.OFFICE)
    school = LocationFactory(name="École Jean-Jaurès", venue_type=VenueType.SCHOOL)
    combo, snack = DeviceTypeFactory(name="Combo"), DeviceTypeFactory(name="-Snack")
    route = RouteFactory()
    devices = {
        "cafe": DeviceFactory(asset="A-100", location=cafe, device_type=combo, route=route),
        "formula": DeviceFactory(asset="+A-200", location=school, device_type=snack),
        "school": DeviceFactory(asset="@B-300", location=school, device_type=combo, route=route),
        "idle": DeviceFactory(asset="B-400", location=cafe, device_type=snack),
    }
    cola, evil, chips = ProductFactory(name="Cola, 330 ml"), ProductFactory(name=TRICKY_PRODUCT), ProductFactory()
    for n in range(10):
        sale_on(devices["cafe"], cola, day(n, start=START), units=2, cash=f"{3 + n * 0.5:.2f}")
        sale_on(devices["cafe"], chips, day(n, start=START), cash="1.25")
    sale_on(devices["formula"], evil, day(3, start=START), units=3, cash="7.35")
    sale_on(devices["school"], chips, day(2, start=START), cash="1.10")
    sale_on(devices["school"], cola, day(5, start=START), units=1, cash="2.40")
    sales_rollups_rebuild()
    return devices


def report_devices(client, **query):
    """The rows GET /api/analytics/asset-sales answers for the same query, all on one page."""
    response = client.get(REPORT_URL, {**RANGE, **query, "page_size": 1000, "include": "top_products"})
    assert response.status_code == 200, response.json()
    return response.json()["devices"]


def expected_rows(devices):
    """The spec's columns computed from the API's JSON, text cells as they stand (no formula guard)."""
    return [
        [
            d["asset"],
            d["location_name"] or "",
            d["device_type"],
            d["total_revenue"],
            d["daily_revenue"],
            d["total_units"],
            d["total_transactions"],
            d["avg_transaction_value"],
            f"{d['performance_score']:.2f}",
            d["fleet_rank"],
            d["top_products"][0]["name"] if d["top_products"] else "N/A",
        ]
        for d in devices
    ]


def guarded(text):
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def export(client, file_format, **query):
    return client.get(URL, {**RANGE, **query, "format": file_format})


def read_csv(response):
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_csv_holds_the_reports_rows_in_fleet_rank_order(fleet, client_for, manager):
    client = client_for(manager)
    response = export(client, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="asset-sales_2026-03-01_2026-03-31.csv"'
    header, *rows = read_csv(response)
    expected = expected_rows(report_devices(client))
    assert header == HEADERS
    assert len(expected) == 4
    assert rows == [
        [guarded(r[0]), guarded(r[1]), guarded(r[2]), *[str(v) for v in r[3:10]], guarded(r[10])] for r in expected
    ]
    assert [int(r[9]) for r in rows] == [1, 2, 3, 4]
    assert {r[0] for r in rows} == {"A-100", "'+A-200", "'@B-300", "B-400"}


def test_csv_quotes_commas_quotes_and_newlines_and_keeps_accents(fleet, client_for, manager):
    response = export(client_for(manager), "csv")
    text = response.content.decode("utf-8-sig")
    rows = read_csv(response)

    assert '"Café ""Le Zinc"", hall\nlevel 2"' in text
    assert TRICKY_LOCATION in {r[1] for r in rows}
    assert "École Jean-Jaurès" in {r[1] for r in rows}
    assert "Cola, 330 ml" in {r[10] for r in rows}


def test_csv_text_that_looks_like_a_formula_gets_an_apostrophe_numbers_do_not(fleet, client_for, manager):
    rows = read_csv(export(client_for(manager), "csv"))[1:]
    formula = next(r for r in rows if r[0] == "'+A-200")

    assert formula[2] == "'-Snack"
    assert formula[10] == "'" + TRICKY_PRODUCT
    assert all(not cell.startswith("'") for r in rows for cell in r[3:10])


@pytest.mark.parametrize(
    ("text", "expected"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("a=b", "a=b")],
)
def test_neutralise_formula(text, expected):
    assert exports.neutralise_formula(text) == expected


def test_xlsx_holds_the_reports_rows_as_typed_cells(fleet, client_for, manager):
    client = client_for(manager)
    response = export(client, "xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="asset-sales_2026-03-01_2026-03-31.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = expected_rows(report_devices(client))
    assert header == HEADERS
    assert len(expected) == 4
    assert [
        [r[0], r[1], r[2], f"{r[3]:.2f}", f"{r[4]:.2f}", r[5], r[6], f"{r[7]:.2f}", f"{r[8]:.2f}", r[9], r[10]]
        for r in rows
    ] == expected
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    first = sheet[2]
    assert isinstance(first[3].value, int | float) and first[3].number_format == "0.00"
    assert first[7].number_format == "0.00"
    assert all(sheet.column_dimensions[letter].width >= 10 for letter in "ABCDEFGHIJK")


def test_xlsx_stores_formula_lookalikes_as_text(fleet, client_for, manager):
    sheet = load_workbook(io.BytesIO(export(client_for(manager), "xlsx").content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]

    assert TRICKY_PRODUCT in {cell.value for cell in cells}
    assert all(cell.data_type != "f" for cell in cells)


def pdf_pages(content):
    return len(re.findall(rb"/Type /Page\b(?!s)", content))


def test_pdf_has_title_period_filters_and_the_rows(fleet, client_for, manager, readable_pdf):
    client = client_for(manager)
    response = export(client, "pdf", venue_type="office,school")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="asset-sales_2026-03-01_2026-03-31.pdf"'
    content = response.content
    assert content.startswith(b"%PDF")
    assert pdf_pages(content) == 1
    for text in ("Asset sales", "01 Mar 2026", "31 Mar 2026", "venue types office, school", "Page 1", "(Transactions)"):
        assert text.encode() in content, text
    expected = expected_rows(report_devices(client, venue_type="office,school"))
    assert sorted(row[0] for row in expected) == ["+A-200", "@B-300", "A-100", "B-400"]
    for row in expected:
        assert row[0].encode() in content
        assert f"{Decimal(row[3]):,.2f}".encode() in content


def test_pdf_paginates_a_large_fleet_and_repeats_the_header(readable_pdf):
    device = {
        "asset": "A-1",
        "location_name": "A rather long location name that has to wrap inside its column",
        "device_type": "Combo",
        "total_revenue": Decimal("1234.50"),
        "daily_revenue": Decimal("41.15"),
        "total_units": 900,
        "total_transactions": 800,
        "avg_transaction_value": Decimal("1.54"),
        "performance_score": 55.5,
        "top_products": [],
    }
    rows = exports.export_rows([{**device, "asset": f"A-{i}", "fleet_rank": i} for i in range(1, 201)])

    content = exports.to_pdf(rows, start=START, end=END, filters="all devices")

    pages = pdf_pages(content)
    assert pages > 3
    assert content.count(b"(Transactions)") == pages
    assert f"Page {pages}".encode() in content
    assert b"(A-200)" in content


def test_an_empty_selection_gives_files_with_only_the_header(fleet, client_for, manager):
    client = client_for(manager)

    assert read_csv(export(client, "csv", asset="nothing-matches")) == [HEADERS]
    assert export(client, "pdf", asset="nothing-matches").content.startswith(b"%PDF")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_filters_are_honoured(fleet, client_for, manager, file_format):
    client = client_for(manager)
    query = {"venue_type": "school", "device_type": DeviceTypeFactory(name="Combo").pk}
    response = export(client, file_format, **query)

    assert response.status_code == 200
    if file_format == "csv":
        assets = [r[0] for r in read_csv(response)[1:]]
    else:
        assets = [row[0] for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(2, values_only=True)]
    assert assets == (["'@B-300"] if file_format == "csv" else ["@B-300"])
    assert [d["asset"] for d in report_devices(client, **query)] == ["@B-300"]


def test_all_devices_are_exported_not_a_page(db, client_for, manager):
    location = LocationFactory()
    for _ in range(120):
        DeviceFactory(location=location)

    rows = read_csv(export(client_for(manager), "csv", location=location.pk, page_size=10, page=2))

    assert len(rows) == 121


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"format": "doc"}, "format"),
        ({"format": ""}, "format"),
        ({"format": "json"}, "format"),
        ({"format": "csv", "location": "999999"}, "filters"),
        ({"format": "csv", "venue_type": "moon"}, "filters"),
        ({"format": "csv", "start_date": "2026-03-05", "end_date": "2026-03-01"}, "end_date"),
        ({"format": "csv", "start_date": "tomorrow"}, "start_date"),
    ],
)
def test_bad_requests_are_400_naming_the_field(fleet, client_for, manager, query, field):
    response = client_for(manager).get(URL, query)

    assert response.status_code == 400
    assert field in response.json()


def test_a_missing_format_is_400(fleet, client_for, manager):
    response = client_for(manager).get(URL, RANGE)

    assert response.status_code == 400
    assert "format" in response.json()


def test_anonymous_is_401_and_a_driver_403(db, api_client, client_for, driver):
    assert api_client.get(URL, {"format": "csv"}).status_code == 401
    assert client_for(driver).get(URL, {"format": "csv"}).status_code == 403


def test_a_user_exports_only_the_devices_they_may_see(fleet, client_for, make_user):
    from django.contrib.auth.models import Permission

    user = make_user()
    user.user_permissions.add(Permission.objects.get(codename="view_sale", content_type__app_label="sales"))
    route = fleet["cafe"].route
    route.driver = user
    route.save()

    rows = read_csv(export(client_for(user), "csv"))[1:]

    assert {r[0] for r in rows} == {"A-100", "'@B-300"}


@pytest.mark.parametrize("devices", [3, 20])
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_the_number_of_queries_does_not_grow_with_the_fleet(
    db, client_for, manager, django_assert_max_num_queries, devices, file_format
):
    products = [ProductFactory() for _ in range(3)]
    location = LocationFactory()
    fleet = [DeviceFactory(location=location) for _ in range(devices)]
    for i, device in enumerate(fleet):
        for product in products:
            sale_on(device, product, day(i % 5, start=START), cash=f"{1 + i * 0.1:.2f}")
    sales_rollups_rebuild()
    client = client_for(manager)

    with django_assert_max_num_queries(7):
        response = export(client, file_format, location=location.pk, device_ids=",".join(str(d.pk) for d in fleet))

    assert response.status_code == 200


QUERY_VALUES = st.text(max_size=8) | st.sampled_from(["csv", "xlsx", "pdf", "0001-01-01", "9999-12-31", "1,2", "-1"])


def test_no_query_makes_a_500(fleet, client_for, manager):
    client = client_for(manager)
    names = [
        "format",
        "start_date",
        "end_date",
        "location",
        "venue_type",
        "device_type",
        "route",
        "device_ids",
        "asset",
    ]

    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(query=st.dictionaries(st.sampled_from(names), QUERY_VALUES))
    def answer_is_never_a_server_error(query):
        response = client.get(URL, query)
        assert response.status_code < 500, (query, response.content[:500])

    answer_is_never_a_server_error()


def test_control_characters_in_a_name_do_not_break_any_format(readable_pdf):
    device = {
        "asset": "A-1\x0b",
        "location_name": "Hall\x00 B",
        "device_type": "Combo",
        "total_revenue": Decimal("1.00"),
        "daily_revenue": Decimal("1.00"),
        "total_units": 1,
        "total_transactions": 1,
        "avg_transaction_value": Decimal("1.00"),
        "performance_score": 50.0,
        "fleet_rank": 1,
        "top_products": [{"name": "<b>Cola & co</b>"}],
    }
    rows = exports.export_rows([device])

    sheet = load_workbook(io.BytesIO(exports.to_xlsx(rows))).active
    assert [sheet["A2"].value, sheet["B2"].value] == ["A-1", "Hall B"]
    assert exports.to_csv(rows).decode("utf-8-sig").count("Cola & co") == 1
    pdf = exports.to_pdf(rows, start=START, end=END, filters="all devices")
    assert b"(Cola & co)" in pdf and b"(Hall B)" in pdf
