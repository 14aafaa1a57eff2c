"""Stopping a transaction of another process half-way through its writes, so a test can break things right there.

``WriteHold`` puts a trigger on a table that waits for an advisory lock the test holds: the first
write to that table, in any process, waits inside its transaction with everything it wrote before
still uncommitted. The test sees it waiting (``waiting()``), breaks something (kills the worker,
restarts the server) and releases the hold. Nothing in the portal's code knows about it.
"""

import contextlib
import random
import uuid

import psycopg
from psycopg import sql


class WriteHold:
    """While held, a write to ``table`` (``events``; rows matching ``when`` only, if given) waits mid-transaction."""

    def __init__(self, conninfo: str, table: str, *, events: str = "INSERT OR UPDATE", when: str | None = None):
        self.conninfo = conninfo
        self.key = random.randrange(1, 2**31)
        self.name = f"faults_hold_{uuid.uuid4().hex[:8]}"
        self.table = table
        self.holder = psycopg.connect(conninfo, autocommit=True)
        self.holder.execute("SELECT pg_advisory_lock(%s)", [self.key])
        level = sql.SQL("FOR EACH ROW WHEN ({})").format(sql.SQL(when)) if when else sql.SQL("FOR EACH STATEMENT")
        self.holder.execute(
            sql.SQL(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$"
                " BEGIN PERFORM pg_advisory_xact_lock_shared({key}); RETURN NEW; END $$"
            ).format(name=sql.Identifier(self.name), key=sql.Literal(self.key))
        )
        self.holder.execute(
            sql.SQL("CREATE TRIGGER {name} BEFORE {events} ON {table} {level} EXECUTE FUNCTION {name}()").format(
                name=sql.Identifier(self.name), events=sql.SQL(events), table=sql.Identifier(table), level=level
            )
        )

    def waiting(self) -> list[int]:
        """The server processes (backend pids) waiting at the hold now."""
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 0 AND objid = %s"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [self.key],
            ).fetchall()
        return [pid for (pid,) in rows]

    def release(self) -> None:
        """Let the waiting writes go on (if the holder's session still exists: a server restart ends it)."""
        if not self.holder.closed:
            with contextlib.suppress(psycopg.OperationalError):
                self.holder.execute("SELECT pg_advisory_unlock(%s)", [self.key])
            self.holder.close()

    def remove(self) -> None:
        """Release, and drop the trigger: the table is as it was."""
        self.release()
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP TRIGGER IF EXISTS {name} ON {table}").format(
                    name=sql.Identifier(self.name), table=sql.Identifier(self.table)
                )
            )
            connection.execute(sql.SQL("DROP FUNCTION IF EXISTS {name}()").format(name=sql.Identifier(self.name)))


def backend_gone(conninfo: str, pid: int) -> bool:
    """Whether the server process ``pid`` has ended (its transaction, if any, rolled back)."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        return connection.execute("SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE pid = %s)", [pid]).fetchone()[
            0
        ]
