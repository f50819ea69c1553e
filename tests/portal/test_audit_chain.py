"""The tamper-evident audit trail: the chain each row joins, and `flask audit verify` finding every kind of tampering.

Tampering is done the way the security test did it: with SQL, the database's own append-only
triggers lifted (a table owner can disable them; a superuser can skip them).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from datetime import timedelta

from sqlalchemy import event, select, text

from portal import audit, audit_chain
from portal.auditor.verify import verify
from portal.extensions import db
from portal.models import AuditChain, AuditEvent, Community, utcnow


def _write(n: int, **kwargs) -> list[AuditEvent]:
    events = [audit.record("change", f"Changed community {i}", object_type="Community", object_id=i, **kwargs)
              for i in range(n)]
    db.session.commit()
    return events


def _check(app):
    return verify(db.session, app.config["AUDIT_KEY"])


@contextlib.contextmanager
def _tampering():
    """A connection on which the append-only triggers do not fire (test-only, like conftest's clean-up)."""
    with db.engine.begin() as conn:
        triggers = []
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            triggers = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                            "AND tbl_name = 'audit_events'").all()
            for name, _ in triggers:
                conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        yield conn
        for _, sql in triggers:
            conn.exec_driver_sql(sql)
    db.session.expire_all()


def _seq_of(event: AuditEvent) -> int:
    return db.session.get(AuditEvent, event.id).chain_seq


# --- writing -----------------------------------------------------------------------------

def test_each_row_is_a_link_dated_by_the_database(app):
    events = _write(3)
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert [row.chain_seq for row in rows] == [1, 2, 3]
    assert {row.id for row in rows} == {e.id for e in events}
    assert rows[0].chain_prev == audit_chain.GENESIS
    assert [row.chain_prev for row in rows[1:]] == [row.chain_hash for row in rows[:-1]]
    head = db.session.get(AuditChain, audit_chain.HEAD_ID)
    assert (head.last_seq, head.last_hash) == (3, rows[-1].chain_hash)
    assert _check(app).ok
    assert _check(app).checked == 3


def test_a_row_cannot_choose_its_own_time(app):
    """The web server's clock, or a back-dating caller, does not date the row: the database does."""
    before = audit_chain.database_now(db.session)
    db.session.add(AuditEvent(at=utcnow() - timedelta(days=400), action="change", summary="Back-dated",
                              details={}))
    db.session.commit()
    row = db.session.scalar(select(AuditEvent).where(AuditEvent.summary == "Back-dated"))
    assert row.at >= before - timedelta(seconds=1)
    assert row.chain_seq == 1
    assert _check(app).ok


def test_a_rolled_back_transaction_writes_no_row_and_keeps_the_chain_whole(app):
    audit.record("change", "Never happened", object_type="Community", object_id=1)
    db.session.rollback()
    _write(1)
    assert db.session.scalars(select(AuditEvent.summary)).all() == ["Changed community 0"]
    assert _check(app).ok


def test_details_are_hashed_as_they_read_back(app):
    audit.record("change", "Odd details", object_type="Community", object_id=1,
                 details={1: ("a", "b"), "when": utcnow().date(), "é": 1.5})
    db.session.commit()
    db.session.expire_all()
    assert _check(app).ok


def test_the_head_is_locked_after_the_change_s_own_writes(app, area):
    """Every audited request queues on the head's lock: it must not also cover the change's own
    UPDATEs (and wait for their row locks), only the audit rows and the commit."""
    community = Community(area_id=area.id, name="Ringmer Residents", platform="forum")
    db.session.add(community)
    db.session.commit()
    community.name = "Ringmer Residents' Association"
    audit.record("change", "Renamed a community", community)
    sent: list[str] = []

    def note(conn, cursor, statement, *rest):  # noqa: ARG001
        sent.append(" ".join(statement.split())[:40].upper())

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    renamed = next(i for i, s in enumerate(sent) if s.startswith("UPDATE COMMUNITIES"))
    locked = next(i for i, s in enumerate(sent) if s.startswith("UPDATE AUDIT_CHAIN"))
    assert renamed < locked, sent
    assert _check(app).ok


def test_rows_written_at_once_are_links_like_the_others(app):
    """The read audit's Core path (audit.write_now) and the ORM path make one chain between them."""
    _write(1)
    audit.write_now("view", "Viewed community 7", object_type="Community", object_id=7,
                    details={"query": {"q": "é"}, 1: ("a", "b"), "when": utcnow().date()})
    db.session.commit()
    _write(1)
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.chain_seq)).all()
    assert [(row.chain_seq, row.summary) for row in rows] == [
        (1, "Changed community 0"), (2, "Viewed community 7"), (3, "Changed community 0")]
    assert (rows[1].object_type, rows[1].object_id, rows[1].details["1"]) == ("Community", "7", ["a", "b"])
    assert rows[1].chain_prev == rows[0].chain_hash
    assert rows[2].chain_prev == rows[1].chain_hash
    assert db.session.get(AuditChain, audit_chain.HEAD_ID).last_seq == 3
    report = _check(app)
    assert report.ok, report.problem
    assert report.checked == 3


def test_a_row_written_at_once_goes_with_a_rollback(app):
    audit.write_now("view", "Never shown")
    db.session.rollback()
    _write(1)
    assert db.session.scalars(select(AuditEvent.summary)).all() == ["Changed community 0"]
    assert _check(app).ok


def test_concurrent_writers_never_fork_the_chain(app):
    """Several connections append at once (gunicorn workers), by both paths: one chain, no gaps, no two rows in one place."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            with app.app_context():
                for i in range(15):
                    if n % 2:
                        audit.write_now("view", f"Writer {n} row {i}", object_type="Community", object_id=n)
                    else:
                        audit.record("view", f"Writer {n} row {i}", object_type="Community", object_id=n)
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = db.session.scalars(select(AuditEvent.chain_seq).order_by(AuditEvent.chain_seq)).all()
    assert seqs == list(range(1, 61))
    report = _check(app)
    assert report.ok, report.problem
    assert report.checked == 60



def test_many_events_of_one_transaction_are_written_in_order_each_with_its_own_id(app):
    """A change's events are written a chunk of rows per statement: each event object gets the id of
    its own row (RETURNING's order is not relied on), in the order recorded, across chunks."""
    count = 2 * audit_chain.APPEND_CHUNK + 3
    events = _write(count)
    assert [db.session.get(AuditEvent, e.id).summary for e in events] == [f"Changed community {i}" for i in range(count)]
    assert [_seq_of(e) for e in events] == list(range(1, count + 1))
    report = _check(app)
    assert report.ok, report.problem
    assert report.checked == count

def _statements_of(commit) -> list[str]:
    """The statements (and COMMITs) sent on every connection while ``commit`` runs."""
    sent: list[str] = []

    def note(conn, cursor, statement, *rest):  # noqa: ARG001
        sent.append(" ".join(statement.split()))

    def committed(conn):
        sent.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", note)
    event.listen(db.engine, "commit", committed)
    try:
        commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        event.remove(db.engine, "commit", committed)
    return sent


def test_a_change_unlocks_the_head_before_its_flush_and_is_on_disk_when_commit_returns(app, area):
    """PostgreSQL: the head's lock is not held through the WAL flush (synchronous_commit off for that
    transaction, set once the lock is held), and Session.commit waits for the disk after it; the
    returned event is a persistent row of the chain. SQLite: neither."""
    app.config["AUDIT_CHAIN_EARLY_UNLOCK"] = True
    community = Community(area_id=area.id, name="Ringmer Residents", platform="forum")
    db.session.add(community)
    db.session.commit()
    community.name = "Ringmer Residents' Association"
    recorded = audit.record("change", "Renamed a community", community)
    postgresql = db.engine.dialect.name == "postgresql"
    written: list[str] = []  # where the WAL ends just before the transaction's COMMIT

    def note_lsn(conn):
        if postgresql and not written:
            cursor = conn.connection.dbapi_connection.cursor()
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            written.append(cursor.fetchone()[0])

    event.listen(db.engine, "commit", note_lsn)
    try:
        sent = _statements_of(db.session.commit)
    finally:
        event.remove(db.engine, "commit", note_lsn)
    locked = next(i for i, s in enumerate(sent) if s.startswith("UPDATE audit_chain"))
    commit = sent.index("COMMIT", locked)
    assert ("set_config" in sent[locked]) is postgresql
    flushed = [i for i, s in enumerate(sent) if s == audit_chain.FLUSH_SQL]
    if postgresql:
        assert flushed, sent
        assert flushed[0] > commit, sent
        with db.engine.connect() as conn:  # the commit's WAL is on disk once commit() returned
            assert conn.exec_driver_sql("SELECT pg_current_wal_flush_lsn() >= %s::pg_lsn",
                                        (written[0],)).scalar_one()
    else:
        assert flushed == []
    assert db.session.get(AuditEvent, recorded.id).chain_seq == 1
    assert recorded.summary == "Renamed a community"
    assert _check(app).ok


def test_the_head_held_through_the_flush_by_default(app):
    """AUDIT_CHAIN_EARLY_UNLOCK off (the default): a synchronous commit under the lock, and no wait after it."""
    audit.record("change", "Changed community 1", object_type="Community", object_id=1)
    sent = _statements_of(db.session.commit)
    locked = next(s for s in sent if s.startswith("UPDATE audit_chain"))
    assert "set_config" not in locked
    assert audit_chain.FLUSH_SQL not in sent
    assert _check(app).ok


def test_a_rolled_back_append_leaves_no_wait_for_the_next_commit(app, area):
    """The wait belongs to the transaction that locked the head: rolled back, the next commit (no audit
    row) does not wait for the disk on its behalf."""
    app.config["AUDIT_CHAIN_EARLY_UNLOCK"] = True
    audit.write_now("view", "Never shown")
    db.session.rollback()
    db.session.add(Community(area_id=area.id, name="Ringmer Residents", platform="forum"))
    assert audit_chain.FLUSH_SQL not in _statements_of(db.session.commit)
    audit.write_now("view", "Shown")
    assert (audit_chain.FLUSH_SQL in _statements_of(db.session.commit)) is (db.engine.dialect.name == "postgresql")
    assert db.session.scalars(select(AuditEvent.summary)).all() == ["Shown"]
    assert _check(app).ok

# --- tampering ---------------------------------------------------------------------------

def _broken(app, runner, expected: str, seq: int | None = None):
    report = _check(app)
    assert not report.ok, report.problem
    assert expected in report.problem, report.problem
    if seq is not None:
        assert report.broken_seq == seq
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "AUDIT CHAIN BROKEN" in result.output
    assert expected in result.output
    return report


def test_verify_passes_an_untouched_chain_and_records_the_check(app, runner):
    _write(5)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact: 5 rows checked" in result.output
    check = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "verify"))
    assert check.details["ok"] is True
    assert check.chain_seq == 6
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # its own row is a good link too


def test_verify_finds_an_edited_row(app, runner):
    events = _write(5)
    with _tampering() as conn:
        conn.execute(text("UPDATE audit_events SET summary = 'Nothing to see' WHERE id = :id"), {"id": events[2].id})
    _broken(app, runner, "does not match its hash (edited)", seq=3)


def test_verify_finds_a_deleted_row(app, runner):
    events = _write(5)
    with _tampering() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[1].id})
    _broken(app, runner, "row 2 of the chain is missing (deleted)", seq=2)


def test_verify_finds_the_newest_row_deleted(app, runner):
    events = _write(5)
    with _tampering() as conn:
        conn.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": events[-1].id})
    _broken(app, runner, "the newest rows are missing", seq=5)


def test_verify_finds_reordered_rows(app, runner):
    events = _write(5)
    first, second = _seq_of(events[1]), _seq_of(events[3])
    with _tampering() as conn:  # swap two rows' places (through a free value: chain_seq is unique)
        conn.execute(text("UPDATE audit_events SET chain_seq = -1 WHERE id = :id"), {"id": events[1].id})
        conn.execute(text("UPDATE audit_events SET chain_seq = :seq WHERE id = :id"),
                     {"seq": first, "id": events[3].id})
        conn.execute(text("UPDATE audit_events SET chain_seq = :seq WHERE id = :id"),
                     {"seq": second, "id": events[1].id})
    _broken(app, runner, "does not follow the row before it", seq=first)


def test_verify_finds_a_forged_row_that_knows_the_hash_but_not_the_key(app, runner):
    """A row inserted at the end, chained and hashed correctly, back-dated, with a digest made up."""
    _write(3)
    head = db.session.get(AuditChain, audit_chain.HEAD_ID)
    forged = AuditEvent(at=utcnow() - timedelta(days=30), action="change", summary="Granted access",
                        details={}, chain_seq=head.last_seq + 1, chain_prev=head.last_hash)
    forged.chain_hash = audit_chain.content_hash(forged)
    with _tampering() as conn:
        conn.execute(text(
            "INSERT INTO audit_events (at, action, summary, details, chain_seq, chain_prev, chain_hash, chain_mac) "
            "VALUES (:at, 'change', 'Granted access', '{}', :seq, :prev, :hash, :mac)"),
            {"at": forged.at, "seq": forged.chain_seq, "prev": forged.chain_prev, "hash": forged.chain_hash,
             "mac": hashlib.sha256(b"guess").hexdigest()})
    _broken(app, runner, "keyed digest is not the audit key's (forged)", seq=4)


def test_verify_finds_a_row_inserted_around_the_application(app, runner):
    _write(3)
    with _tampering() as conn:
        conn.execute(text("INSERT INTO audit_events (at, action, summary, details) "
                          "VALUES (:at, 'login', 'Signed in', '{}')"), {"at": utcnow() - timedelta(days=3)})
    _broken(app, runner, "is outside the chain (written around the application)")


def test_verify_finds_a_back_dated_row_even_from_someone_holding_the_key(app, runner):
    """Appended with a valid digest (the key leaked), but dated before the row ahead of it."""
    _write(3)
    head = db.session.get(AuditChain, audit_chain.HEAD_ID)
    late = AuditEvent(action="signoff", summary="Approved message", details={})
    audit_chain.link([late], head, utcnow() - timedelta(days=2), app.config["AUDIT_KEY"])
    db.session.add(late)
    db.session.flush()  # already chained: the flush hook leaves it as it is
    db.session.commit()
    _broken(app, runner, "(back-dated)", seq=4)


def test_verify_finds_an_altered_head(app, runner):
    _write(3)
    with _tampering() as conn:
        conn.execute(text("UPDATE audit_chain SET last_seq = 2"))
    _broken(app, runner, "head row was altered")


def test_verify_needs_the_key_the_chain_was_written_with(app):
    _write(2)
    report = verify(db.session, "another-key")
    assert not report.ok
    assert "head row was altered" in report.problem


def test_retention_moves_the_start_of_the_chain_past_the_rows_it_disposed_of(app):
    events = _write(5)
    with _tampering() as conn:  # as if the two oldest had aged past retention
        conn.execute(text("DELETE FROM audit_events WHERE id IN (:a, :b)"), {"a": events[0].id, "b": events[1].id})
    assert "row 1 of the chain is missing" in _check(app).problem
    audit_chain.note_pruned(db.session)
    db.session.commit()
    report = _check(app)
    assert report.ok
    assert report.first_seq == 3
    assert report.checked == 3


def test_verify_newest_checks_only_the_end(app, runner):
    _write(10)
    result = runner.invoke(args=["audit", "verify", "--newest", "4"])
    assert result.exit_code == 0
    assert "the newest 4 rows checked" in result.output


def test_the_content_hash_covers_every_column(app):
    """A column added to audit_events must join the hash (or be a chain column)."""
    hashed = {"chain_seq", "chain_prev", "at", "actor_id", "action", "object_type", "object_id", "summary",
              "details", "justification", "ip"}
    columns = {column.key for column in AuditEvent.__table__.columns}
    assert columns - hashed == {"id", "chain_hash", "chain_mac"}
    row = AuditEvent(at=utcnow(), action="change", summary="s", details={"a": 1}, chain_seq=1, chain_prev="0")
    base = audit_chain.content_hash(row)
    for name, value in [("ip", "10.0.0.1"), ("justification", "x"), ("object_id", "2"), ("actor_id", 3),
                        ("details", {"a": 2}), ("at", row.at + timedelta(microseconds=1))]:
        changed = AuditEvent(**{**{k: getattr(row, k) for k in hashed}, name: value})
        assert audit_chain.content_hash(changed) != base, name
    assert json.dumps(row.details) == '{"a": 1}'


def test_rows_from_before_the_migration_are_counted_in_the_genesis_and_the_chain_starts_after(tmp_path):
    """An installation upgraded with audit rows already written: those are not vouched for, only counted."""
    from flask_migrate import upgrade

    from tests.portal.migration_support import migrated_app

    with migrated_app(f"sqlite:///{tmp_path / 'old.sqlite'}", tmp_path, "0021_community_listing_by_name") as (
            app, directory):
        with db.engine.begin() as conn:
            for n in range(3):
                conn.execute(text("INSERT INTO audit_events (at, action, summary, details) "
                                  "VALUES (:at, 'login', :s, '{}')"), {"at": utcnow(), "s": f"Old {n}"})
        upgrade(directory=directory)
        head = db.session.get(AuditChain, audit_chain.HEAD_ID)
        assert (head.legacy_count, head.legacy_max_id, head.last_seq) == (3, 3, 0)
        _write(2)
        report = _check(app)
        assert report.ok
        assert report.checked == 2
        assert report.legacy == 3
        with db.engine.begin() as conn:  # one more row, written around the application
            conn.execute(text("INSERT INTO audit_events (at, action, summary, details) "
                              "VALUES (:at, 'login', 'Sneaked in', '{}')"), {"at": utcnow()})
        assert "outside the chain" in _check(app).problem
        db.engine.dispose()
