"""The `demo` fixture: the demo data loaded once per test session, then copied into each test's database.

Loading the demo (portal.demo.load_demo: the Lewes area and the research sample's history) was
most of every research test's set-up (issue 25, point 9): about 11 s a test on a loaded 2-core
machine, where a test given the copy sets up in 0.5-2 s (figures in the commit message).
The first test that asks for `demo` loads it for real and keeps a copy of the whole database;
every later test gets that copy written over its own database, so each test still starts from
the same rows and nothing a test writes reaches the next one (its changes are overwritten by the
next copy, or emptied by the `app` fixture as for every test).

- SQLite: the copy is an in-memory database filled by SQLite's backup API, and is backed up over
  the test's file again: every page, so the full-text index and the triggers come along.
- PostgreSQL: every table's rows are kept in COPY's binary form and the sequences' positions;
  a test's copy deletes the rows (triggers lifted, as the `app` fixture does) and copies them in.

The copy is taken from the database as the `app`, `area` and `users` fixtures leave it, and is only
written over a database in that same state (same row counts, same user ids), so a fixture that
writes before `demo` fails loudly instead of losing its rows. The demo's dates are relative to
the day it is loaded: a copy from an earlier day is not used, the demo is loaded again.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

import pytest


@dataclass
class Snapshot:
    """One session's copy of the demo database, with the state it must be written over."""

    day: date  # the UTC date the demo was loaded on
    before: dict[str, int]  # row counts per table just before the demo was loaded
    sqlite_copy: sqlite3.Connection | None = None
    pg_tables: list[tuple[str, str, bytes]] = field(default_factory=list)  # (table, columns, COPY data)
    pg_sequences: list[tuple[str, int | None, int]] = field(default_factory=list)  # (name, last, start)


def row_counts(db) -> dict[str, int]:
    """Every table's row count (one query)."""
    names = [table.name for table in db.metadata.sorted_tables]
    query = " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM \"{name}\"" for name in names)
    with db.engine.connect() as conn:
        return dict(conn.exec_driver_sql(query).all())


def _take(db, snapshot: Snapshot) -> None:
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        if isinstance(driver, sqlite3.Connection):
            snapshot.sqlite_copy = sqlite3.connect(":memory:")
            driver.backup(snapshot.sqlite_copy)
            return
        with driver.cursor() as cur:
            for table in db.metadata.sorted_tables:
                columns = ", ".join(f'"{row[0]}"' for row in cur.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position", (table.name,)))
                with cur.copy(f'COPY "{table.name}" ({columns}) TO STDOUT (FORMAT BINARY)') as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                snapshot.pg_tables.append((table.name, columns, data))
            snapshot.pg_sequences = cur.execute(
                "SELECT format('%I.%I', schemaname, sequencename), last_value, start_value FROM pg_sequences "
                "WHERE schemaname = current_schema()").fetchall()
        driver.commit()
    finally:
        raw.close()


def restore(db, snapshot: Snapshot) -> None:
    """Write the kept copy over the app's database (all of it: rows, sequences, search index)."""
    db.session.commit()  # no transaction of the test's session may hold the database meanwhile
    raw = db.engine.raw_connection()
    try:
        driver = raw.driver_connection
        if isinstance(driver, sqlite3.Connection):
            assert snapshot.sqlite_copy is not None
            snapshot.sqlite_copy.backup(driver)
            return
        with driver.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # as _empty_all_tables: no triggers
            for name, _, _ in reversed(snapshot.pg_tables):
                cur.execute(f'DELETE FROM "{name}"')
            for name, columns, data in snapshot.pg_tables:
                with cur.copy(f'COPY "{name}" ({columns}) FROM STDIN (FORMAT BINARY)') as copy:
                    copy.write(data)
            for sequence, last, start in snapshot.pg_sequences:
                cur.execute("SELECT setval(%s::regclass, %s, %s)", (sequence, start if last is None else last,
                                                                   last is not None))
        driver.commit()
    finally:
        raw.close()


@pytest.fixture(scope="session")
def _demo_snapshots() -> Iterator[dict[str, Snapshot]]:
    """The demo copies this session took, by database URL."""
    kept: dict[str, Snapshot] = {}
    yield kept
    for snapshot in kept.values():
        if snapshot.sqlite_copy is not None:
            snapshot.sqlite_copy.close()


def provide(db, users: dict, kept: dict[str, Snapshot]) -> None:
    """Load the demo, or write the copy in `kept` over the database; keep a copy after a load."""
    from portal.demo import load_demo
    from portal.models import User, utcnow

    url = str(db.engine.url)
    today = utcnow().date()
    before = row_counts(db)
    snapshot = kept.get(url)
    if snapshot is not None and snapshot.day == today:
        assert before == snapshot.before, "a fixture wrote to the database before `demo`: ask for `demo` first"
        ids = {user.id: user.email for user in users.values()}
        restore(db, snapshot)
        db.session.expire_all()
        assert {user.id: user.email for user in db.session.query(User).filter(User.id.in_(ids))} == ids
        return
    load_demo(passwords={})
    db.session.commit()
    snapshot = Snapshot(day=today, before=before)
    _take(db, snapshot)
    kept[url] = snapshot


@pytest.fixture
def demo(app, users, _demo_snapshots) -> None:
    """The demo data on top of the `area` and `users` fixtures (loaded once a session, then copied)."""
    from portal.extensions import db

    provide(db, users, _demo_snapshots)
