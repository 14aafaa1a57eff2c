"""PostgreSQL restarted during a stream of sales batches.

The portal runs as deployed (gunicorn, production settings, persistent connections) on a
PostgreSQL cluster of the test's own, migrated and stocked by ``tests.faults.seed``. A client posts
a stream of ``POST /api/sales/`` batches with transaction ids. Twice mid-stream, a batch is held
inside its transaction (sales inserted, stock lowered, movements and the daily product rollup
written, the device-day rollup and the totals not yet) and the server is restarted under it:
stopped ``fast`` (sessions ended, a clean shutdown), later ``immediate`` (a crash, recovered from
the WAL on start), and started again.

Every batch is answered: recorded (201), or refused with a 5xx and nothing of it recorded
(503, retryable, once the API maps database errors to it). The database holds exactly the batches
answered 201, no part of any other: the sales, each slot's stock and movements, and the three
rollups, computed here from the batches themselves. The client then retries every refused batch,
which records each once, and the database holds the whole stream.
"""

import datetime as dt
import random
import threading
from collections import Counter, defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import OperationalError

from cvd_portal.api.exceptions import portal_exception_handler
from sales.models import DailyProductSales, DeviceDailySales, DeviceProductSales, Sale

from .holds import WriteHold
from .services import portal_server, wait_until

pytestmark = pytest.mark.faults

ROWS_PER_BATCH = 30
# Batches recorded before the first restart, between the two, and after the second.
BATCHES_BETWEEN = 4
MAX_BATCHES = 150
# "fast" ends every session and shuts down cleanly; "immediate" crashes the server (recovery from the WAL on start).
SHUTDOWNS = ["fast", "immediate"]
PRICE = Decimal("1.50")


def database_errors_answer_503() -> bool:
    """Whether the API's exception handler maps a database outage to 503 (then nothing else may answer)."""
    response = portal_exception_handler(OperationalError("probe"), {})
    return response is not None and response.status_code == 503


class SaleStream:
    """Batches of sales over the fleet's slots, each row with a transaction id of its own."""

    def __init__(self, slots: list[dict]):
        self.slots = slots
        self.random = random.Random(1234)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.today = dt.datetime.now(self.zone).date()

    def batch(self, number: int) -> list[dict]:
        rows = []
        for row in range(ROWS_PER_BATCH):
            slot = self.random.choice(self.slots)
            day = self.today - dt.timedelta(days=self.random.randrange(1, 4))
            sold_at = dt.datetime.combine(day, dt.time(8 + row % 12, number % 60), tzinfo=self.zone)
            units = self.random.randint(1, 3)
            rows.append(
                {
                    "device": slot["asset"],
                    "slot": slot["position"],
                    "units": units,
                    "cash_amount": str(PRICE * units),
                    "sold_at": sold_at.isoformat(),
                    "transaction_id": f"T{number}-{row}",
                    # Not sent: what the reference computation needs.
                    "_slot": slot,
                    "_day": day,
                }
            )
        return rows


def posted(rows):
    return {"rows": [{key: value for key, value in row.items() if not key.startswith("_")} for row in rows]}


class Client:
    def __init__(self, base_url: str, token: str):
        self.url = f"{base_url}/api/sales/"
        self.headers = {"Authorization": f"Token {token}"}

    def post(self, rows):
        """The answer's status and body; ``(None, error)`` when no HTTP answer came at all."""
        try:
            response = requests.post(self.url, json=posted(rows), headers=self.headers, timeout=(3, 30))
        except requests.RequestException as error:
            return None, repr(error)
        try:
            return response.status_code, response.json()
        except ValueError:  # Django's own error page
            return response.status_code, response.text[:200]


def expected_state(batches: list[list[dict]]) -> dict:
    """What the database must hold after recording ``batches`` (one recording each): the reference."""
    sold = [row for rows in batches for row in rows]
    by_slot = Counter()
    movements = Counter()
    days = defaultdict(lambda: [0, Decimal(0), 0])
    device_days = defaultdict(lambda: [0, Decimal(0), 0])
    totals = defaultdict(lambda: [0, Decimal(0), set()])
    for rows in batches:
        for slot_id in {row["_slot"]["id"] for row in rows}:
            movements[slot_id] += 1
    for row in sold:
        slot, units, cash = row["_slot"], row["units"], Decimal(row["cash_amount"])
        device_id, product_id = slot["device_id"], slot["product_id"]
        by_slot[slot["id"]] += units
        for sums in (days[device_id, product_id, row["_day"]], device_days[device_id, row["_day"]]):
            sums[0] += units
            sums[1] += cash
            sums[2] += 1
        totals[device_id, product_id][0] += units
        totals[device_id, product_id][1] += cash
        totals[device_id, product_id][2].add(row["_day"])
    running, units_to_date = Counter(), {}
    for key in sorted(days, key=lambda key: key[2]):
        running[key[:2]] += days[key][0]
        units_to_date[key] = running[key[:2]]
    return {
        "transactions": Counter(row["transaction_id"] for row in sold),
        "units_by_slot": dict(by_slot),
        "movements_by_slot": {slot_id: (movements[slot_id], by_slot[slot_id]) for slot_id in movements},
        "daily_product": {key: (*sums, units_to_date[key]) for key, sums in days.items()},
        "device_daily": {key: tuple(sums) for key, sums in device_days.items()},
        "device_product": {key: (units, revenue, len(dates)) for key, (units, revenue, dates) in totals.items()},
    }


def stored_state(database_url: str, slots) -> dict:
    """What the database holds, in ``expected_state``'s shape (read with SQL, not with the portal's code)."""
    with psycopg.connect(database_url) as connection:

        def rows(query):
            return connection.execute(query).fetchall()

        quantities = dict(rows("SELECT id, quantity FROM planograms_planogramslot"))
        return {
            "transactions": Counter(
                dict(rows(f"SELECT transaction_id, count(*) FROM {Sale._meta.db_table} GROUP BY transaction_id"))
            ),
            "units_by_slot": {
                slot["id"]: slot["quantity"] - quantities[slot["id"]]
                for slot in slots
                if quantities[slot["id"]] != slot["quantity"]
            },
            "movements_by_slot": {
                slot_id: (count, units)
                for slot_id, count, units in rows(
                    "SELECT slot_id, count(*), sum(quantity_before - quantity_after + shortfall)"
                    " FROM planograms_inventorymovement GROUP BY slot_id"
                )
            },
            "daily_product": {
                (device_id, product_id, day): (units, revenue, transactions, to_date)
                for device_id, product_id, day, units, revenue, transactions, to_date in rows(
                    "SELECT device_id, product_id, date, units, revenue, transactions, units_to_date"
                    f" FROM {DailyProductSales._meta.db_table}"
                )
            },
            "device_daily": {
                (device_id, day): (units, revenue, transactions)
                for device_id, day, units, revenue, transactions in rows(
                    f"SELECT device_id, date, units, revenue, transactions FROM {DeviceDailySales._meta.db_table}"
                )
            },
            "device_product": {
                (device_id, product_id): (units, revenue, days)
                for device_id, product_id, units, revenue, days in rows(
                    "SELECT device_id, product_id, units, revenue, days_with_sales"
                    f" FROM {DeviceProductSales._meta.db_table}"
                )
            },
        }


def recorded_transactions(database_url: str, rows) -> int:
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            f"SELECT count(*) FROM {Sale._meta.db_table} WHERE transaction_id = ANY(%s)",
            [[row["transaction_id"] for row in rows]],
        ).fetchone()[0]


def test_postgresql_restarts_mid_stream_lose_no_batch_and_half_write_none(seeded_cluster, log_dir):
    cluster, database, fleet = seeded_cluster
    slots = fleet["slots"]
    portal, base_url = portal_server(database=database, log_dir=log_dir)
    try:
        login = {"username": fleet["username"], "password": fleet["password"]}
        token = requests.post(f"{base_url}/api/auth/token/", json=login, timeout=10).json()["token"]
        client, stream = Client(base_url, token), SaleStream(slots)

        answers = []  # (batch, status, body, restarts before it was posted), in the order they were posted
        restarts, stop = [], threading.Event()

        def post_stream():
            for number in range(MAX_BATCHES):
                if stop.is_set():
                    return
                rows, restarted = stream.batch(number), len(restarts)
                status, body = client.post(rows)
                answers.append((rows, status, body, restarted))
                if status != 201:
                    stop.wait(0.05)

        def recorded_since(restarted):
            return sum(status == 201 and since == restarted for _, status, _, since in answers) >= BATCHES_BETWEEN

        poster = threading.Thread(target=post_stream, daemon=True)
        poster.start()
        for shutdown in SHUTDOWNS:
            wait_until(lambda: recorded_since(len(restarts)) or stop.is_set(), timeout=30, message="batches recorded")
            hold = WriteHold(database, DeviceDailySales._meta.db_table)
            try:
                wait_until(hold.waiting, timeout=30, message="a batch held before its device-day rollup")
                cluster.stop(shutdown)
                cluster.start()
            finally:
                hold.remove()
            restarts.append(shutdown)
        wait_until(lambda: recorded_since(len(restarts)) or stop.is_set(), timeout=30, message="batches recorded")
        stop.set()
        poster.join(timeout=40)
        assert not poster.is_alive()
        assert len(answers) < MAX_BATCHES, "the stream ran out before the restarts were over"

        refused = [(rows, status, body) for rows, status, body, _ in answers if status != 201]
        assert len(refused) >= len(SHUTDOWNS), "a restart refused no batch: it happened between requests"
        allowed = {503} if database_errors_answer_503() else set(range(500, 600))
        assert {status for _, status, _ in refused} <= allowed, refused[:3]

        # Each refused batch is all there (its commit went through but the answer was lost) or not at all.
        partly = [
            (rows[0]["transaction_id"], count)
            for rows, _, _ in refused
            if (count := recorded_transactions(database, rows)) not in (0, len(rows))
        ]
        assert partly == [], "batches half-written"
        committed_anyway = [rows for rows, _, _ in refused if recorded_transactions(database, rows)]
        recorded = [rows for rows, status, _, _ in answers if status == 201] + committed_anyway
        assert stored_state(database, slots) == expected_state(recorded)

        # The client retries what was refused: each records once, and the stream is complete.
        for rows, _, _ in refused:
            status, body = client.post(rows)
            assert status == 201, body
            already = rows in committed_anyway
            assert (body["recorded"], body["duplicates"]) == ((0, len(rows)) if already else (len(rows), 0))
        every_batch = [rows for rows, _, _, _ in answers]
        assert stored_state(database, slots) == expected_state(every_batch)
    except AssertionError as failure:
        raise AssertionError(f"{failure}\n--- gunicorn ---\n{portal.log_tail()}") from None
    finally:
        portal.kill()
