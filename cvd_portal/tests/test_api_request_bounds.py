"""What a request body may hold: bounded JSON (depth, size) and strings a database can store; a 4xx with a
JSON answer otherwise, on every endpoint that reads JSON, never a 500 or an HTML page."""

import io
import json
import uuid

import pytest
from django.conf import settings
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.exceptions import ParseError
from rest_framework.test import APIClient

from cvd_portal.api.parsers import MAX_JSON_DEPTH, PortalJSONParser, json_depth
from cvd_portal.tests.api import FLEET_RESOURCES, list_url
from devices.models import Location
from devices.tests.factories import DeviceFactory
from planograms.tests.factories import PlanogramSlotFactory
from sales.models import Sale

pytestmark = pytest.mark.django_db

# Every endpoint that reads a JSON body (the DEX upload reads files only, and answers 415 to JSON).
JSON_ENDPOINTS = [
    reverse("auth-token"),
    reverse("metrics-calculate"),
    reverse("restocks"),
    *(list_url(resource) for resource in FLEET_RESOURCES),
]


def nested(levels, leaf="1"):
    return '{"rows": ' + "[" * (levels - 1) + leaf + "]" * (levels - 1) + "}"


def post_json(client, url, text, **extra):
    """``text`` as the body, as it is: the test client would re-encode a Python value."""
    return client.post(url, data=text, content_type="application/json", **extra)


@pytest.fixture
def token_client(manager):
    """A client authenticated by its token, as the drivers' app and the machines' gateway are."""
    client = APIClient()
    _, token = AuthToken.objects.create(user=manager)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("url", JSON_ENDPOINTS)
def test_json_nested_a_thousand_levels_is_a_400_on_every_endpoint(api_client, token_client, url):
    # The token exchange is anonymous; the others answer an authorised client.
    client = api_client if url == reverse("auth-token") else token_client

    response = post_json(client, url, nested(1000))

    assert response.status_code == 400, (url, response.content[:300])
    assert response.json() == {"detail": f"JSON parse error - the document nests deeper than {MAX_JSON_DEPTH} levels."}


def test_json_nesting_is_refused_past_the_limit_only(token_client):
    at_limit = post_json(token_client, "/api/sales/", nested(MAX_JSON_DEPTH))
    past_it = post_json(token_client, "/api/sales/", nested(MAX_JSON_DEPTH + 1))

    assert at_limit.status_code == 400 and "rows" in at_limit.json()  # parsed; the rows are wrong
    assert past_it.status_code == 400 and "nests deeper" in past_it.json()["detail"]


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[{{{"', 0),
        ('{"a": "]]]", "b": [["\\"[[[", {"c": []}]]}', 5),
        ('["\\\\", ["\\\\\\"]"]]', 2),
        ("[" * 5 + "]" * 5, 5),
        ('["unterminated [[[[', 1),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_parser_refuses_what_is_not_json_in_its_encoding():
    parser = PortalJSONParser()
    for body in (b"\xff\xfe", b'{"a": NaN}', b"[1,"):
        with pytest.raises(ParseError):
            parser.parse(io.BytesIO(body), parser_context={})


@pytest.fixture
def slot():
    return PlanogramSlotFactory(planogram__cabinet__device=DeviceFactory(asset="A100"), position="A1", quantity=5)


def sale_row(n, **values):
    return {"device": "A100", "slot": "A1", "cash_amount": "1.50", "sold_at": "2025-03-01T08:30:00Z"} | {
        "transaction_id": f"T{n}",
        **values,
    }


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            '{"rows": [{"device": "A100"}, {"device": "A\\udc80"}]}',
            {"rows": {"1": {"device": ["Surrogate characters are not allowed: U+DC80."]}}},
        ),
        (
            '{"rows": [{"transaction_id": "\\ud83d"}]}',
            {"rows": {"0": {"transaction_id": ["Surrogate characters are not allowed: U+D83D."]}}},
        ),
        (
            '{"rows": [{"dev\\udc80ce": "A100"}]}',
            {"rows": {"0": {"dev\\udc80ce": ["Surrogate characters are not allowed: U+DC80."]}}},
        ),
        ('"\\udc80"', {"non_field_errors": ["Surrogate characters are not allowed: U+DC80."]}),
    ],
    ids=["value", "high-surrogate", "key", "document"],
)
def test_an_unpaired_surrogate_anywhere_is_a_400_naming_its_place(token_client, slot, body, errors):
    response = post_json(token_client, "/api/sales/", body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not Sale.objects.exists()


def test_a_surrogate_pair_is_one_character_and_welcome(token_client, slot):
    body = json.dumps({"rows": [sale_row(1, transaction_id="T-\U0001f600")]})  # ensure_ascii: "\ud83d\ude00"

    response = post_json(token_client, "/api/sales/", body)

    assert response.status_code == 201, response.json()
    assert Sale.objects.get().transaction_id == "T-\U0001f600"


def test_a_surrogate_in_a_restock_count_key_is_a_400(token_client, slot):
    device = slot.planogram.cabinet.device_id
    body = f'{{"device": {device}, "mode": "count", "counts": {{"A1\\udc80": 2}}}}'

    response = post_json(token_client, reverse("restocks"), body)

    assert response.status_code == 400
    assert response.json() == {"counts": {"A1\\udc80": ["Surrogate characters are not allowed: U+DC80."]}}


NUL = ["Null characters are not allowed."]
SURROGATE = ["Surrogate characters are not allowed: U+DC80."]


@pytest.mark.parametrize(
    ("url", "body", "errors"),
    [
        ("auth-token", {"username": "ana\x00", "password": "x"}, {"username": NUL}),
        ("auth-token", {"username": "ana\udc80", "password": "x"}, {"username": SURROGATE}),
        ("locations-list", {"name": "Hall\x00", "venue_type": "office"}, {"name": NUL}),
        ("locations-list", {"name": "Hall\udc80", "venue_type": "office"}, {"name": SURROGATE}),
        ("sales-list", {"rows": [sale_row(1, device="A\x00100")]}, {"rows": {"0": {"device": NUL}}}),
    ],
)
def test_nul_and_surrogates_in_text_fields_are_field_errors(api_client, token_client, slot, url, body, errors):
    client = api_client if url == "auth-token" else token_client

    response = post_json(client, reverse(url), json.dumps(body))  # ensure_ascii writes "\\u0000", "\\udc80"

    assert response.status_code == 400
    assert response.json() == errors


def realistic_sales_batch(rows):
    """A batch as a gateway sends it: every field given, UUIDs for transaction ids, pretty-printed."""
    return json.dumps(
        {
            "rows": [
                {
                    "device": f"A{10000 + n % 500}-NORTH",
                    "product": f"SKU-{n % 300:06d}",
                    "slot": "A10",
                    "cabinet": 1,
                    "units": 1,
                    "cash_amount": "12.50",
                    "sold_at": "2025-03-01T08:30:00.123456-06:00",
                    "transaction_id": str(uuid.uuid4()),
                }
                for n in range(rows)
            ]
        },
        indent=4,
    )


def test_the_documented_10000_row_batch_fits_the_body_limit_twice_over():
    body = realistic_sales_batch(10_000).encode()

    assert len(body) > 2.5 * 1024 * 1024  # over Django's default limit
    assert 2 * len(body) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_10000_row_batch_reaches_the_rows_check(token_client, slot):
    response = post_json(token_client, "/api/sales/", realistic_sales_batch(10_000))

    assert response.status_code == 400  # its devices are unknown: the rows were read and checked
    assert len(response.json()["rows"]) == 10_000


def test_a_body_over_the_limit_is_a_413_with_a_json_detail(token_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"rows": [sale_row(n) for n in range(20)]})

    response = post_json(token_client, "/api/sales/", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request body is larger than the 1,000 bytes the API accepts; send the rows in smaller batches."
    }


def test_a_form_with_too_many_fields_is_a_400_with_a_json_detail(token_client):
    body = "&".join(f"field{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))

    # The token login reads forms (scripts send one); the other operations read JSON only.
    response = token_client.post("/api/auth/token/", data=body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."
    }


def test_a_form_sent_to_a_json_operation_is_a_415_and_records_nothing(token_client):
    response = token_client.post(
        "/api/locations/", data="name=Lobby&venue_type=office", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'}
    assert not Location.objects.exists()
