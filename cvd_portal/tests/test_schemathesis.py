"""Property-based API tests: every operation answers as its schema says, whatever the input.

Schemathesis reads the portal's own OpenAPI schema (the one /api/schema/ serves) and sends generated
requests in-process to the WSGI application, authenticated as a manager with a token, against a
small fleet with sales and rollups, so the endpoints do real work rather than answer empty. Every
check runs on every answer (no 5xx, documented status codes, content types, headers and bodies,
invalid input refused, valid input accepted, authentication enforced); ``schemathesis.toml`` holds
the one setting changed from the defaults. A stateful test then chains operations through the links
Schemathesis infers from the schema (a list's ids into the detail, update and delete operations).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from accounts.tests.factories import api_token
from devices.tests.factories import CabinetFactory, DeviceFactory, RouteFactory
from metrics.choices import MetricsRunScope
from metrics.services.runs import metrics_run_request
from planograms.choices import RestockMode
from planograms.models import PlanogramSlot
from planograms.services.inventory import restock
from planograms.tests.factories import PlanogramFactory, PlanogramSlotFactory, ProductFactory
from sales.models import Sale
from sales.services import sales_recorded

# Every operation of the API (new ones join by themselves) but the throttled token login.
OPERATIONS = r"^/api/(?!auth/).+$"
MAX_EXAMPLES = 20
STATEFUL_SCENARIOS = 30
STATEFUL_STEPS = 6


def _portal_schema() -> dict:
    """The schema /api/schema/ serves, built directly: that view needs a login and no database exists yet."""
    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(
    _portal_schema(), config=SchemathesisConfig.from_path(django_settings.BASE_DIR / "schemathesis.toml")
).include(path_regex=OPERATIONS)
schema.app = WSGIHandler()


def test_the_fuzzed_operations_are_all_there():
    """Guards the filter: a path renamed out of the regex would otherwise stop being fuzzed silently."""
    paths = {operation.ok().path for operation in schema.get_all_operations()}
    assert {
        "/api/analytics/asset-sales",
        "/api/analytics/devices/{id}/analysis",
        "/api/metrics/calculate",
        "/api/routes/{id}/devices",
        "/api/sales/",
        "/api/dex",
        "/api/restocks",
        "/api/inventory-movements/",
    } <= paths
    assert all(re.match(OPERATIONS, path) for path in paths)


@pytest.fixture
def fleet(db):
    """Three devices on one route with slots and 40 days of sales (rollups built); answers the ids to aim at."""
    route = RouteFactory()
    products = ProductFactory.create_batch(4)
    devices = DeviceFactory.create_batch(3, route=route)
    today = timezone.localdate()
    sales = []
    for d, device in enumerate(devices):
        planogram = PlanogramFactory(cabinet=CabinetFactory(device=device))
        for p, product in enumerate(products):
            PlanogramSlotFactory(planogram=planogram, product=product, quantity=(d + p) % 6, capacity=10)
        for day in range(1, 41):
            # Varied volumes, and gaps, so trends, scores and anomalies are not degenerate.
            if (day + d) % 7 == 0:
                continue
            for p, product in enumerate(products[: 1 + (day + d) % 4]):
                sold_at = timezone.make_aware(
                    dt.datetime.combine(today - dt.timedelta(days=day), dt.time(8 + p * 3, 15))
                )
                units = 1 + (day * (d + 1) + p) % 5
                sales.append(
                    Sale(
                        device=device,
                        product=product,
                        units=units,
                        cash_amount=Decimal("1.75") * units,
                        sold_at=sold_at,
                    )
                )
    Sale.objects.bulk_create(sales)
    sales_recorded(device_ids=[device.pk for device in devices])
    visit = restock(
        slots=PlanogramSlot.objects.filter(planogram__cabinet__device=devices[0]), mode=RestockMode.CAPACITY
    )
    run, _ = metrics_run_request(scope=MetricsRunScope.FULL)
    device = devices[0]
    cabinet = device.cabinets.get()
    slot = cabinet.planogram.slots.first()
    # The id a detail path aims at, by the path's first part.
    return {
        "routes": route.pk,
        "devices": device.pk,
        "analytics": device.pk,
        "locations": device.location_id,
        "device-types": device.device_type_id,
        "cabinets": cabinet.pk,
        "cabinet-types": cabinet.cabinet_type_id,
        "products": slot.product_id,
        "planograms": cabinet.planogram.pk,
        "planogram-slots": slot.pk,
        "sales": Sale.objects.filter(device=device).values_list("pk", flat=True).first(),
        "inventory-movements": visit.movements.first().pk,
        "metrics": run.pk,
    }


@pytest.fixture
def manager_token(manager):
    return api_token(manager)


@pytest.fixture
def keep_test_connection():
    """Keep the test's database connection open across in-process requests.

    Django's WSGI handler closes connections it finds outside autocommit when a request starts and
    ends; inside the test's transaction that would roll the fixtures back mid-test. The test client
    disconnects the same receiver for the same reason.
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def _known_id(path: str, fleet: dict) -> int:
    return fleet[path.split("/")[2]]


def _call_and_validate(case, token) -> int:
    """Send ``case`` with the token and run every check on the answer; the answer's status code."""
    return case.call_and_validate(headers=_headers(token)).status_code


def _headers(token) -> dict:
    # Schemathesis's in-process transport asks for gzip (requests' default) but reads bodies uncompressed.
    return {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}


# A plain parametrize over the operations rather than ``schema.parametrize()``: under pytest 9 the
# latter gives every operation the same node id, which xdist and the failure report cannot tell apart.
OPERATION_LABELS = sorted(result.ok().label for result in schema.get_all_operations())


@pytest.mark.parametrize("label", OPERATION_LABELS)
def test_operation_conforms(label, fleet, manager_token, keep_test_connection):
    """Whatever the generated parameters and body, the answer passes every check.

    A generated id mostly names nothing (a 404), so each case is also sent with the id of a seeded
    object of the path's kind, which makes the fuzzed parameters and bodies reach the real work.
    """
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    statuses = []
    # Valid inputs reach the computation; invalid ones (wrong types, out-of-range values) must answer 4xx.
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases)
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        # The fleet is set up once per operation, not per example; the requests only read it or recompute it.
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def fuzz(case):
        statuses.append(_call_and_validate(case, manager_token))
        # Only for ids the schema allows: where the path itself is the invalid part, a seeded id would
        # turn the case into a valid one that the checks still judge as invalid.
        if case.path_parameters and all(type(value) is int for value in case.path_parameters.values()):
            for name in case.path_parameters:
                case.path_parameters[name] = _known_id(path, fleet)
            statuses.append(_call_and_validate(case, manager_token))

    fuzz()
    # Proves the token and the seeded ids work: a run of nothing but 401s and 404s would test nothing.
    # A generated write mostly names nothing real or deletes what is in use, so for writes a 400 or a
    # 409 (the input was read and judged) is the proof.
    judged = {400, 409} if method != "GET" else set()
    reached = [status for status in statuses if status < 400 or status in judged]
    assert reached, f"no request reached the endpoint's work: {sorted(set(statuses))}"


def test_operations_chained_through_links(fleet, manager_token, keep_test_connection):
    """Sequences of calls, each taking ids from an earlier answer (a list's rows into the detail, update
    and delete of the same object), every answer passing every check, including the stateful ones (a
    deleted object is gone, a created one can be read back)."""
    workflow = schema.as_state_machine()
    assert len(workflow.bundles) > 10, "Schemathesis found few links between the operations to follow"

    headers = _headers(manager_token)

    class ManagerWorkflow(workflow):
        # Each scenario starts from the seeded fleet: Hypothesis replays a failing scenario to shrink it,
        # which needs the same answers as on its first run.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": headers}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            # The checks must know the token is the caller's own, not generated: the authentication
            # check then sends the request again without it and with a wrong one, and expects a 401.
            case.validate_response(
                response,
                additional_checks=additional_checks,
                headers=headers,
                transport_kwargs=kwargs,
                recorder=self.recorder,
            )

    ManagerWorkflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=STATEFUL_STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )
