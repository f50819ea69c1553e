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

On PostgreSQL a row lock is held until the commit is on disk, so with a synchronous commit the
head's lock would also be held through each writer's WAL flush (3-6 ms on the bench machines):
every audited request in the portal would queue for one flush each, and PostgreSQL's group commit
(many commits in one flush) could never happen. So the transaction that locks the head commits
with ``synchronous_commit = off`` (the lock is released once the commit record is in the WAL
buffers) and ``Session.commit`` then waits for the disk before it returns, in a transaction of its
own whose commit flushes the WAL up to and past this one (``_wait_for_the_disk``). What the caller
is told committed is on disk, as before; concurrent writers share flushes. The difference: other
sessions may see the change (and append after its rows) for the few milliseconds before the flush,
and a crash of the database server in those milliseconds loses them with it (the WAL is replayed in
order, so the chain is cut at its end, never forked or gapped, and the request that made the change
got an error, never a success). Only with ``AUDIT_CHAIN_EARLY_UNLOCK=1``; off by default (the
lock held through the flush) until a quiet machine shows the pages gain: on a machine loaded by
other work, one more round trip per audited request cost the GET pages more than the shorter
queue saved. docs/AUDIT.md; benchmarks/README.md has the figures.
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
from sqlalchemy import Connection, DateTime, String, bindparam, event, func, insert, inspect, literal_column, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.orm import Session, make_transient_to_detached

from portal.models import AuditChain, AuditEvent, utcnow

logger = logging.getLogger(__name__)

GENESIS = "0" * 64  # the "previous hash" of the chain's first row
HEAD_ID = 1
PENDING = "audit_pending"  # key in Session.info: events recorded in this transaction, written at commit
#: Key in Session.info: this transaction locked the head and commits without waiting for the disk;
#: True: wait for the disk after the commit; False: do not (AUDIT_READS_ASYNC_COMMIT's view rows).
WAIT_FOR_DISK = "audit_wait_for_disk"
FLUSH_NOW = "audit_flush_now"  # key in Session.info: committed so; wait for the disk as the transaction ends
#: Any transaction that writes WAL and commits synchronously flushes the WAL up to its own commit,
#: past every commit before it. A transactional logical-decoding message is the smallest such write
#: (no table, executable by any role, ignored by physical replicas), in an autocommit statement: one
#: round trip.
FLUSH_SQL = "SELECT pg_logical_emit_message(true, 'local-reach', 'audit flush')"


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
    early = _early_unlock(session)
    row = session.execute(_locked_head_statement(session.get_bind().dialect.name, early)).first()
    if row is None:
        raise RuntimeError("the audit chain has no head row: run flask --app wsgi init-db (migration 0022)")
    return row[0], _as_datetime(row[1])


@functools.cache
def _locked_head_statement(dialect: str, early_unlock: bool) -> Any:
    """locked_head's statement, built once per dialect and setting (every audited change runs it)."""
    return (update(AuditChain).where(AuditChain.id == HEAD_ID).values(last_seq=AuditChain.last_seq)
            .returning(AuditChain, _dialect_clock(dialect), *_commit_setting(early_unlock))
            .execution_options(populate_existing=True))


def _early_unlock(session: Session) -> bool:
    """Whether this transaction, about to lock the head, commits without waiting for the disk
    (and ``Session.commit`` waits after the head is unlocked): PostgreSQL, unless configured off."""
    if session.get_bind().dialect.name != "postgresql" or not current_app.config.get("AUDIT_CHAIN_EARLY_UNLOCK"):
        return False
    session.info.setdefault(WAIT_FOR_DISK, True)
    return True


def _commit_setting(early_unlock: bool) -> list[ColumnElement]:
    """The lock statement's extra column that makes its transaction's commit asynchronous (set_config
    with is_local: this transaction only), evaluated once the lock is held; none when not unlocking early."""
    return [func.set_config("synchronous_commit", "off", True).label("commit_setting")] if early_unlock else []


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
APPEND_CHUNK = 50  # rows a statement at most (a statement's shape is cached per row count)
_ROW_COLUMNS = [column.key for column in AuditEvent.__table__.c if column.key != "id"]


@functools.cache
def _append_statements(dialect: str, count: int = 1) -> tuple[Any, ...]:
    """The statements that write ``count`` linked rows (returning their ids and places) and move the
    head past them, built once per dialect and count (their compiled form is cached)."""
    head_table, events_table = AuditChain.__table__, AuditEvent.__table__
    move_head = (update(head_table).where(head_table.c.id == HEAD_ID)
                 .values(last_seq=bindparam("head_seq"), last_hash=bindparam("head_hash"), mac=bindparam("head_mac")))
    add_rows = (insert(events_table).values([{key: bindparam(f"row{n}_{key}", type_=events_table.c[key].type)
                                              for key in _ROW_COLUMNS} for n in range(count)])
                .returning(events_table.c.id, events_table.c.chain_seq))
    if dialect == "postgresql":  # one round trip: the head moves in a data-modifying CTE
        return (add_rows.add_cte(move_head.cte("moved")),)
    return (add_rows, move_head)


@functools.cache
def _lock_statement(dialect: str, early_unlock: bool) -> Any:
    """The statement that locks the head and returns it with the database's clock, built once per
    dialect and setting: every audited response runs it, and building it and its cache key each
    time cost more than the rest of the read audit's Python."""
    head_table = AuditChain.__table__
    return (update(head_table).where(head_table.c.id == HEAD_ID).values(last_seq=head_table.c.last_seq)
            .returning(*head_table.c, _dialect_clock(dialect).label("now"), *_commit_setting(early_unlock)))


def append_all(session: Session, rows: list[Any], key: str) -> list[int]:
    """Write rows as the chain's next links now, in the session's transaction, with Core statements;
    return their ids.

    ``rows``: anything with the audit row's columns as attributes (AuditEvent objects, namespaces);
    ``link`` fills in their time and chain columns. No ORM unit of work: one statement locks the
    head and reads the clock, then one more writes the rows (up to APPEND_CHUNK at a time) and
    moves the head (a data-modifying CTE on PostgreSQL; two statements on SQLite, which has no such
    CTE and no round trip). Every audited request holds the head's lock for these few statements,
    so the fewer the better. The caller commits.
    """
    head_table = AuditChain.__table__
    dialect = session.get_bind().dialect.name
    found = session.execute(_lock_statement(dialect, _early_unlock(session))).first()
    if found is None:
        raise RuntimeError("the audit chain has no head row: run flask --app wsgi init-db (migration 0022)")
    head = SimpleNamespace(**{column.key: getattr(found, column.key) for column in head_table.c})
    now = _as_datetime(found.now)
    ids: dict[int, int] = {}
    for first in range(0, len(rows), APPEND_CHUNK):
        chunk = rows[first:first + APPEND_CHUNK]
        link(chunk, head, now, key)  # type: ignore[arg-type]  # a namespace with the head's columns
        params = {f"row{n}_{name}": getattr(row, name) for n, row in enumerate(chunk) for name in _ROW_COLUMNS}
        params |= {"head_seq": head.last_seq, "head_hash": head.last_hash, "head_mac": head.mac}
        statements = _append_statements(dialect, len(chunk))
        ids |= {seq: row_id for row_id, seq in session.execute(statements[0], params).tuples()}
        for statement in statements[1:]:
            session.execute(statement, params)
    return [ids[row.chain_seq] for row in rows]  # RETURNING's order is not promised: matched by place


def append(session: Session, row: dict[str, Any], key: str) -> None:
    """Write one row (its columns as a dict) as the chain's next link now (``append_all``). The read
    audit writes this way, once per audited response."""
    append_all(session, [SimpleNamespace(**row)], key)


@event.listens_for(Session, "before_commit")
def _add_pending(session: Session) -> None:
    """Write the events recorded in this transaction as the chain's next links, just before it commits.

    The transaction's other changes are flushed first, so that the head's lock is held for the
    audit rows and the commit only, not also for the rows (and row locks) the change itself
    writes: every audited request queues on that one lock. The rows are written with Core
    statements (``append_all``), not by the ORM's flush, which took one more round trip and its
    own bookkeeping under the lock; the event objects then join the session as persistent rows
    (so the ORM's refusal to update or delete an audit row still applies to them).
    """
    pending = session.info.pop(PENDING, None)
    if pending:
        session.flush()
        for event_row, row_id in zip(pending, append_all(session, pending, audit_key()), strict=True):
            event_row.id = row_id
            make_transient_to_detached(event_row)  # written: its columns read as loaded, nothing to flush
            session.add(event_row)


@event.listens_for(Session, "after_commit")
def _committed_unlocked(session: Session) -> None:
    """A commit that unlocked the head before its WAL was flushed: wait for the disk once the
    transaction has ended (``_end``), when its connection is back in the pool for the wait to reuse."""
    if session.info.pop(WAIT_FOR_DISK, None):
        session.info[FLUSH_NOW] = True


@event.listens_for(Session, "after_transaction_end")
def _end(session: Session, transaction: Any) -> None:
    """A transaction that ended without committing takes its audit events with it; one that committed
    with the head unlocked early waits for the disk here, before ``Session.commit`` returns."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)
        session.info.pop(WAIT_FOR_DISK, None)
        if session.info.pop(FLUSH_NOW, None):
            _wait_for_the_disk(session)


def _wait_for_the_disk(session: Session) -> None:
    """Flush the WAL past a commit made with ``synchronous_commit = off``.

    The WAL is one for the whole server, so any connection will do: this autocommit statement's
    synchronous commit flushes it up to a point after that transaction's commit record (the
    session's own connection, just returned to the pool, is usually the one reused). Several
    writers waiting at once share one flush. An error here (the database gone) reaches the caller
    of ``commit``, which then reports a failure although the change may have reached the disk, as a
    synchronous commit cut off mid-flush would.
    """
    with session.get_bind().engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(FLUSH_SQL)


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
