"""What every API resource shares: login, pagination without per-row queries, the schema, no 500s."""

import itertools

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from cvd_portal.tests.api import FLEET_RESOURCES
from devices.tests.factories import (
    CabinetFactory,
    CabinetTypeFactory,
    DeviceFactory,
    DeviceTypeFactory,
    LocationFactory,
    RouteFactory,
)
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


_numbers = itertools.count()


def unique(prefix):
    return f"{prefix} {next(_numbers)}"


def make_planogram():
    planogram = PlanogramFactory(cabinet__cabinet_type=CabinetTypeFactory(name=unique("Cabinet")))
    PlanogramSlotFactory.create_batch(3, planogram=planogram)
    return planogram


# One row of each resource, each with its own related rows, so a missing select_related shows as extra queries.
FACTORIES = {
    "locations": LocationFactory,
    "routes": lambda: RouteFactory(driver=UserFactory()),
    "device-types": lambda: DeviceTypeFactory(name=unique("Type")),
    "cabinet-types": lambda: CabinetTypeFactory(name=unique("Cabinet")),
    "devices": lambda: DeviceFactory(device_type=DeviceTypeFactory(name=unique("Type"))),
    "cabinets": lambda: make_planogram().cabinet,
    "products": ProductFactory,
    "planograms": make_planogram,
    "planogram-slots": PlanogramSlotFactory,
    "sales": lambda: SaleFactory(slot=PlanogramSlotFactory()),
}


@pytest.mark.parametrize("resource", FLEET_RESOURCES)
def test_anonymous_is_401(api_client, resource):
    row = FACTORIES[resource]()

    assert api_client.get(reverse(f"{resource}-list")).status_code == 401
    assert api_client.get(reverse(f"{resource}-detail", args=[row.pk])).status_code == 401
    assert api_client.post(reverse(f"{resource}-list"), {}, format="json").status_code == 401


def test_api_root_needs_login_and_lists_every_resource(api_client, client_for, viewer):
    assert api_client.get("/api/").status_code == 401
    assert set(client_for(viewer).get("/api/").json()) == {*FLEET_RESOURCES, "metrics/runs", "inventory-movements"}


def test_token_from_username_and_password_authenticates(api_client, make_user):
    make_user("Viewer", username="ana", password="s3cret-pass")

    assert api_client.post("/api/auth/token/", {"username": "ana", "password": "wrong"}).status_code == 400
    token = api_client.post("/api/auth/token/", {"username": "ana", "password": "s3cret-pass"}).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(reverse("devices-list")).status_code == 200


def test_bad_token_is_401(api_client):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert api_client.get(reverse("devices-list")).status_code == 401


# Queries of one list request, whatever the page size: the user's permissions (2), count, page, and the
# planograms' slots prefetch.
# Routes also read the urgency thresholds their device counts are bucketed by.
MAX_QUERIES = {**dict.fromkeys(FLEET_RESOURCES, 4), "planograms": 5, "routes": 5}


@pytest.mark.parametrize("rows", [5, 40])
@pytest.mark.parametrize("resource", FLEET_RESOURCES)
def test_list_queries_do_not_grow_with_page_size(client_for, make_user, django_assert_max_num_queries, resource, rows):
    for _ in range(rows):
        FACTORIES[resource]()
    client = client_for(make_user("Viewer"))

    with django_assert_max_num_queries(MAX_QUERIES[resource]):
        response = client.get(reverse(f"{resource}-list"), {"page_size": rows})

    assert len(response.json()["results"]) == rows


def test_schema_renders_for_a_logged_in_user(client_for, viewer):
    response = client_for(viewer).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert "/api/planograms/{id}/" in response.json()["paths"]


def test_schema_is_valid_and_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


# Surrogates cannot be encoded as JSON at all, so the client could not send them.
TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8)
JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-2, max_value=12)
    | st.floats(allow_nan=False, allow_infinity=False)
    | TEXT
    | st.sampled_from(["A1", "A2", "Z99x", "1.50", "-1", "0", "91", "2025-01-01", "office", ""])
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=6,
)
FIELDS = {
    "locations": ["name", "address", "venue_type", "latitude", "longitude"],
    "routes": ["name", "number", "driver"],
    "device-types": ["name", "description", "allows_additional_cabinets"],
    "cabinet-types": ["name", "rows", "columns"],
    "devices": ["asset", "cooler", "model", "serial_number", "device_type", "location", "route"],
    "cabinets": ["device", "cabinet_type", "index", "rows", "columns"],
    "products": ["name", "category", "price", "sku", "barcode"],
    "planograms": ["cabinet", "name", "slots"],
    "planogram-slots": ["planogram", "position", "product", "quantity", "capacity", "par_level", "price"],
}
SLOT_FIELDS = FIELDS["planogram-slots"][1:]


def near(valid, fields, values=JSON_VALUES):
    """Any JSON object keyed mostly by ``fields``, or ``valid`` with some fields changed or dropped:
    the first tests the type checks, the second gets past them to the model rules and the services."""
    anything = st.dictionaries(st.sampled_from(fields) | TEXT, values, max_size=len(fields) + 1)
    changed = st.tuples(anything, st.lists(st.sampled_from(fields), max_size=2)).map(
        lambda change: {k: v for k, v in {**valid, **change[0]}.items() if k not in change[1]}
    )
    return anything | changed


def writable_case(resource):
    """The row to update, and bodies the endpoint accepts for a create and for an update of that row."""
    device = DeviceFactory()
    cabinet = CabinetFactory(device=device)
    planogram = PlanogramFactory(cabinet=CabinetFactory(device=device, index=2))
    slot = {"position": "A1", "product": ProductFactory().pk, "quantity": 1, "capacity": 5, "par_level": 2}
    create = {
        "locations": {"name": "Site", "venue_type": "office", "latitude": "41.5", "longitude": "-87.5"},
        "routes": {"name": "Loop", "number": "R-1", "driver": UserFactory().pk},
        "device-types": {"name": "Glass", "allows_additional_cabinets": True},
        "cabinet-types": {"name": "Drink", "rows": 6, "columns": 8},
        "devices": {"asset": "X-1", "device_type": device.device_type_id, "location": device.location_id},
        "cabinets": {"device": device.pk, "cabinet_type": cabinet.cabinet_type_id, "index": 3}
        | {"rows": 6, "columns": 8},
        "products": {"name": "Cola", "category": "Drinks", "price": "1.00", "sku": "C-1"},
        "planograms": {"cabinet": cabinet.pk, "name": "New", "slots": [slot, {**slot, "position": "A2"}]},
        "planogram-slots": {"planogram": planogram.pk, "price": "1.25", **slot},
    }[resource]
    if resource == "planograms":
        return planogram, create, {**create, "cabinet": planogram.cabinet_id}
    return FACTORIES[resource](), create, create


@pytest.mark.parametrize("resource", FIELDS)
def test_no_body_makes_a_500(client_for, manager, resource):
    row, create, update = writable_case(resource)
    client = client_for(manager)
    urls = {"post": reverse(f"{resource}-list"), "put": reverse(f"{resource}-detail", args=[row.pk])}
    urls["patch"] = urls["put"]
    values = JSON_VALUES
    if resource == "planograms":
        values = JSON_VALUES | st.lists(near(create["slots"][0], SLOT_FIELDS), max_size=4)

    @settings(max_examples=80, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=st.data(), method=st.sampled_from(["post", "put", "patch"]))
    def answer_is_never_a_server_error(data, method):
        body = data.draw(near(create if method == "post" else update, FIELDS[resource], values))
        response = getattr(client, method)(urls[method], body, format="json")
        assert response.status_code < 500, (method, body, response.content[:500])

    answer_is_never_a_server_error()
