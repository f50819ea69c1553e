"""The tamper-evident audit trail: each row is dated by the database and chained to the one before.

Every audit row written since migration 0022 carries its place in the chain (``chain_seq``), the
hash of the row before it (``chain_prev``), the SHA-256 of its own content and that link
(``chain_hash``) and an HMAC of that hash with the server-held ``AUDIT_KEY`` (``chain_mac``).
Editing, deleting, reordering or inserting a row breaks a link or a digest, and forging a row
that fits needs the key, which the database never holds; ``flask audit verify`` walks the chain
(portal/auditor/verify.py). The one ``audit_chain`` row is the chain's sealed head.

Writers append under a lock on the head row (``SELECT … FOR UPDATE``; SQLite serialises writes
anyway), taken only when the transaction commits: ``portal.audit.record`` keeps its rows aside
until then and flushes its other changes first, so a request holds the lock for the few
statements that write its audit rows and the commit, not for its whole transaction, and never
while it waits for another lock (a row its change updates, say). The unique ``chain_seq`` makes a fork
impossible even if the lock were bypassed.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from sqlalchemy import Connection, DateTime, String, bindparam, event, insert, inspect, literal_column, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.orm import Session

from portal.models import AuditChain, AuditEvent, utcnow

logger = logging.getLogger(__name__)

GENESIS = "0" * 64  # the "previous hash" of the chain's first row
HEAD_ID = 1
PENDING = "audit_pending"  # key in Session.info: events recorded in this transaction, written at commit


def normalised(details: Any) -> dict[str, Any]:
    """Return details as they will read back from a JSON column (string keys, lists, no tuples)."""
    return json.loads(json.dumps(details or {}, default=str))


def _stamp(at: datetime) -> str:
    return at.isoformat(sep=" ", timespec="microseconds")


def content_hash(row: AuditEvent) -> str:
    """Return the SHA-256 of a row's content and its link to the row before it."""
    fields = [row.chain_seq, row.chain_prev, _stamp(row.at), row.actor_id, row.action, row.object_type,
              row.object_id, row.summary, row.details, row.justification, row.ip]
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def head_hash(head: AuditChain) -> str:
    """Return the SHA-256 of the head row's fields (what its MAC seals)."""
    fields = [head.first_seq, head.first_prev, head.last_seq, head.last_hash, head.legacy_max_id,
              head.legacy_count, _stamp(head.started_at)]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":")).encode()).hexdigest()


def mac(key: str, digest: str, purpose: str = "row") -> str:
    """Return the HMAC-SHA256 of a hash under the audit key (purpose keeps row and head MACs apart)."""
    return hmac.new(key.encode(), f"{purpose}:{digest}".encode(), hashlib.sha256).hexdigest()


def audit_key() -> str:
    return current_app.config["AUDIT_KEY"]


def _clock(session: Session) -> ColumnElement:
    """The database server's clock as naive UTC (the audit trail's time, not the web server's)."""
    return _dialect_clock(session.get_bind().dialect.name)


def _dialect_clock(dialect: str) -> ColumnElement:
    if dialect == "postgresql":
        return literal_column("clock_timestamp() AT TIME ZONE 'UTC'", DateTime)
    return literal_column("strftime('%Y-%m-%d %H:%M:%f', 'now')", String)


def _as_datetime(value: datetime | str) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def database_now(session: Session) -> datetime:
    """Return the database server's clock as naive UTC."""
    return _as_datetime(session.execute(select(_clock(session))).scalar_one())


def locked_head(session: Session) -> tuple[AuditChain, datetime]:
    """Lock and return the chain's head row, and the database's time once it is locked.

    One statement: an UPDATE of the row takes the lock (PostgreSQL holds its row lock to the end
    of the transaction, and SQLite's driver opens the write transaction there: a plain SELECT
    would run outside it and could read a head another writer moves before this one writes), and
    returns the row as it is now, with the clock read after the wait.
    """
    row = session.execute(_locked_head_statement(session.get_bind().dialect.name)).first()
    if row is None:
        raise RuntimeError("the audit chain has no head row: run flask --app wsgi init-db (migration 0022)")
    return row[0], _as_datetime(row[1])


@functools.cache
def _locked_head_statement(dialect: str) -> Any:
    """locked_head's statement, built once per dialect (every audited change runs it)."""
    return (update(AuditChain).where(AuditChain.id == HEAD_ID).values(last_seq=AuditChain.last_seq)
            .returning(AuditChain, _dialect_clock(dialect)).execution_options(populate_existing=True))


def seal(head: AuditChain, key: str) -> None:
    head.mac = mac(key, head_hash(head), "head")


def link(rows: list[AuditEvent], head: AuditChain, now: datetime, key: str) -> None:
    """Give new rows the database's time and their places in the chain; move the head past them."""
    for row in rows:
        row.at, row.details = now, normalised(row.details)
        row.chain_seq, row.chain_prev = head.last_seq + 1, head.last_hash
        row.chain_hash = content_hash(row)
        row.chain_mac = mac(key, row.chain_hash)
        head.last_seq, head.last_hash = row.chain_seq, row.chain_hash
    seal(head, key)


#: Columns the read audit writes: everything but the id (the database numbers the rows).
_ROW_COLUMNS = [column.key for column in AuditEvent.__table__.c if column.key != "id"]


@functools.cache
def _append_statements(dialect: str) -> tuple[Any, ...]:
    """The statements that write one linked row and move the head, built once (their compiled form is cached)."""
    head_table, events_table = AuditChain.__table__, AuditEvent.__table__
    move_head = (update(head_table).where(head_table.c.id == HEAD_ID)
                 .values(last_seq=bindparam("head_seq"), last_hash=bindparam("head_hash"), mac=bindparam("head_mac")))
    add_row = insert(events_table).values({key: bindparam(f"row_{key}", type_=events_table.c[key].type)
                                           for key in _ROW_COLUMNS})
    if dialect == "postgresql":  # one round trip: a data-modifying CTE writes the row
        return (move_head.add_cte(add_row.cte("appended")),)
    return (add_row, move_head)


@functools.cache
def _lock_statement(dialect: str) -> Any:
    """The statement that locks the head and returns it with the database's clock, built once per
    dialect: every audited response runs it, and building it and its cache key each time cost
    more than the rest of the read audit's Python."""
    head_table = AuditChain.__table__
    return (update(head_table).where(head_table.c.id == HEAD_ID).values(last_seq=head_table.c.last_seq)
            .returning(*head_table.c, _dialect_clock(dialect).label("now")))


def append(session: Session, row: dict[str, Any], key: str) -> None:
    """Write one row as the chain's next link now, in the session's transaction, with Core statements.

    The same link as the ORM path below (``link`` computes it), without its unit of work: one
    statement locks the head and reads the clock, one more writes the row and moves the head
    (a data-modifying CTE on PostgreSQL; two statements on SQLite, which has no such CTE and no
    round trip). The caller commits. The read audit writes this way, once per audited response.
    """
    head_table = AuditChain.__table__
    dialect = session.get_bind().dialect.name
    found = session.execute(_lock_statement(dialect)).first()
    if found is None:
        raise RuntimeError("the audit chain has no head row: run flask --app wsgi init-db (migration 0022)")
    head = SimpleNamespace(**{column.key: getattr(found, column.key) for column in head_table.c})
    linked = SimpleNamespace(**row)
    link([linked], head, _as_datetime(found.now), key)  # type: ignore[list-item, arg-type]
    params = {f"row_{name}": getattr(linked, name) for name in _ROW_COLUMNS}
    params |= {"head_seq": head.last_seq, "head_hash": head.last_hash, "head_mac": head.mac}
    for statement in _append_statements(dialect):
        session.execute(statement, params)


@event.listens_for(Session, "before_commit")
def _add_pending(session: Session) -> None:
    """Add the events recorded in this transaction (the flush that follows chains them).

    The transaction's other changes are flushed first, so that the head's lock, taken when the
    audit rows are flushed, is held for those rows and the commit only, not also for the rows
    (and row locks) the change itself writes: every audited request queues on that one lock.
    """
    pending = session.info.pop(PENDING, None)
    if pending:
        session.flush()
        session.add_all(pending)


@event.listens_for(Session, "after_transaction_end")
def _drop_pending(session: Session, transaction: Any) -> None:
    """A transaction that ended without committing takes its audit events with it."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


@event.listens_for(Session, "before_flush")
def _chain_new_events(session: Session, flush_context: Any, instances: Any) -> None:  # noqa: ARG001
    """Chain every audit event this flush inserts, whoever built it, in the order it was added."""
    rows = [obj for obj in session.new if isinstance(obj, AuditEvent) and obj.chain_seq is None]
    if not rows:
        return
    # Session.add numbers every pending object, so insert_order is never None here.
    rows.sort(key=lambda obj: inspect(obj).insert_order or 0)
    with session.no_autoflush:
        head, now = locked_head(session)
        link(rows, head, now, audit_key())


def start(connection: Connection, key: str) -> None:
    """Write a fresh chain head over an empty audit trail (migration 0022 does this once; test clean-up again)."""
    head = AuditChain(id=HEAD_ID, first_seq=1, first_prev=GENESIS, last_seq=0, last_hash=GENESIS, legacy_max_id=0,
                      legacy_count=0, started_at=datetime.fromisoformat(_stamp(utcnow())))
    seal(head, key)
    connection.execute(insert(AuditChain).values(
        {column.key: getattr(head, column.key) for column in AuditChain.__table__.columns}))


def note_pruned(session: Session) -> None:
    """Move the chain's start past rows retention has deleted (the oldest), and reseal the head."""
    head, _ = locked_head(session)
    first = session.execute(select(AuditEvent.chain_seq, AuditEvent.chain_prev)
                            .where(AuditEvent.chain_seq.is_not(None))
                            .order_by(AuditEvent.chain_seq).limit(1)).first()
    if first is None:
        head.first_seq, head.first_prev = head.last_seq + 1, head.last_hash
    elif first.chain_seq > head.first_seq:
        head.first_seq, head.first_prev = first.chain_seq, first.chain_prev
    else:
        return
    seal(head, audit_key())
    logger.info("audit chain now starts at row %d (older rows disposed of by retention)", head.first_seq)
