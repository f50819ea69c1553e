"""End a request's read-only transaction with COMMIT, so PostgreSQL keeps its prepared statements.

psycopg 3 prepares a statement on the server once it has run five times on a connection, and
then PostgreSQL skips parsing and planning it. But psycopg forgets every prepared statement
when a transaction is rolled back (it sends ``DEALLOCATE ALL``), and a request's session ends
with a rollback. So a read-only page, the community list among them, never reached the
threshold: PostgreSQL parsed and planned its queries afresh on every request (0.45-1.1 ms a
request on the bench data: benchmarks/README.md, runs T to V).

For a transaction that wrote nothing, COMMIT and ROLLBACK do the same thing. A request whose
transaction sent nothing but SELECT statements therefore ends with COMMIT; anything else (a
write, even one the view meant to throw away, a savepoint, an exception, objects changed in the
session) still ends with the rollback. Only on PostgreSQL: that is where it helps.
"""
from __future__ import annotations

import contextlib
import logging
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from portal.extensions import db

logger = logging.getLogger(__name__)

WROTE = "local_reach_wrote"  # key in the DBAPI connection's info: has this transaction sent a non-SELECT?


@event.listens_for(Engine, "begin")
def _transaction_begins(conn: Connection) -> None:
    conn.info[WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:  # noqa: ARG001
    # Anything but a plain SELECT counts as a write: INSERT/UPDATE/DELETE, WITH (a CTE may
    # modify data), SAVEPOINT, COPY… A mistaken "write" only costs the rollback it had before.
    if not conn.info.get(WROTE) and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def end_read_only_transaction(exc: BaseException | None) -> None:
    """teardown_request hook: commit the session's transaction when it only read (PostgreSQL)."""
    if exc is not None:
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    if session.get_bind().dialect.name != "postgresql":
        return
    try:
        if session.connection().info.get(WROTE, True):
            return
        session.commit()
    except Exception:  # noqa: BLE001 - the page has been answered; Flask-SQLAlchemy removes the session next
        logger.warning("could not commit a read-only transaction; it is rolled back instead", exc_info=True)
        with contextlib.suppress(Exception):
            session.rollback()


def init_app(app: Flask) -> None:
    # teardown_request runs before Flask-SQLAlchemy's teardown_appcontext removes the session.
    app.teardown_request(end_read_only_transaction)
