"""Check the audit chain: every link, hash, keyed digest and date, and the sealed head.

``verify()`` walks the chain from its start (the head's ``first_seq``) in order and stops at the
first broken link, saying what it found: a missing row (deleted), a row that does not follow the
one before it (deleted, reordered or inserted), content that does not match its hash (edited), a
digest that is not the key's (forged), a date earlier than the row before it (back-dated), newest
rows missing (the head knows more), or rows outside the chain (written around the application).
"""
from __future__ import annotations

import contextlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit_chain import HEAD_ID, content_hash, head_hash, mac
from portal.models import AuditChain, AuditEvent

BATCH = 1000


@dataclass
class ChainReport:
    """What a check of the chain found; ``problem`` is None when every link holds."""

    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    last_hash: str | None = None
    started_at: datetime | None = None
    legacy: int = 0
    problem: str | None = None
    broken_seq: int | None = None
    broken_id: int | None = None
    partial: bool = False  # only the newest rows were checked

    @property
    def ok(self) -> bool:
        return self.problem is None

    def fail(self, problem: str, seq: int | None = None, row_id: int | None = None) -> ChainReport:
        self.problem, self.broken_seq, self.broken_id = problem, seq, row_id
        return self


def _same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)


def _row_problem(row: AuditEvent, seq: int, prev: str | None, prev_at: datetime | None, key: str) -> str | None:
    """Return what is wrong with one row at its expected place in the chain, or None."""
    if row.chain_seq != seq:
        return f"row {seq} of the chain is missing (deleted); the next one found is row {row.chain_seq}"
    if row.chain_prev != prev:
        return "it does not follow the row before it (a row was deleted, reordered or inserted)"
    if content_hash(row) != row.chain_hash:
        return "its content does not match its hash (edited)"
    if not _same(mac(key, row.chain_hash or ""), row.chain_mac):
        return "its keyed digest is not the audit key's (forged)"
    if prev_at is not None and row.at < prev_at:
        return f"it is dated {row.at:%Y-%m-%d %H:%M:%S}, before the row ahead of it (back-dated)"
    return None


def _walk(session: Session, head: AuditChain, report: ChainReport, key: str, start: int) -> ChainReport:
    seq, prev_at = start, None
    prev: str | None = head.first_prev
    if start > head.first_seq:  # a partial check takes its start from the row before
        before = session.scalar(select(AuditEvent).where(AuditEvent.chain_seq == start - 1)
                                .execution_options(populate_existing=True))
        if before is None:
            return report.fail(f"row {start - 1} of the chain is missing (deleted)", start - 1)
        prev, prev_at = before.chain_hash, before.at
    # What the database holds, not what this session may have loaded before; streamed in batches.
    query = (select(AuditEvent).where(AuditEvent.chain_seq >= start).order_by(AuditEvent.chain_seq)
             .execution_options(yield_per=BATCH, populate_existing=True))
    with contextlib.closing(session.scalars(query)) as rows:
        for row in rows:
            problem = _row_problem(row, seq, prev, prev_at, key)
            if problem:
                return report.fail(f"row {seq} of the chain (audit event {row.id}): {problem}", seq, row.id)
            seq, prev, prev_at = seq + 1, row.chain_hash, row.at
            report.checked += 1
    if seq - 1 != head.last_seq or prev != head.last_hash:
        return report.fail(f"the newest rows are missing: the chain ends at row {seq - 1}, its head says "
                           f"{head.last_seq} (deleted)", seq)
    return report


def _outside_the_chain(session: Session, head: AuditChain, report: ChainReport) -> ChainReport:
    stray = select(AuditEvent.id).where(AuditEvent.chain_seq.is_(None), AuditEvent.id > head.legacy_max_id)
    stray_id = session.scalar(stray.order_by(AuditEvent.id).limit(1))
    if stray_id is not None:
        return report.fail(f"audit event {stray_id} is outside the chain (written around the application)",
                           row_id=stray_id)
    early = session.scalar(select(AuditEvent.id).where(AuditEvent.chain_seq < head.first_seq).limit(1))
    if early is not None:
        return report.fail(f"audit event {early} is placed before the chain's start (inserted)", row_id=early)
    report.legacy = session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.chain_seq.is_(None))) or 0
    if report.legacy > head.legacy_count:
        return report.fail(f"{report.legacy - head.legacy_count} rows appeared among those from before the chain "
                           "(inserted)")
    return report


def last_full_check(session: Session) -> AuditEvent | None:
    """Return the audit row of the latest `flask audit verify` of the whole chain, if any."""
    return session.scalar(select(AuditEvent).where(AuditEvent.action == "verify")
                          .order_by(AuditEvent.id.desc()).limit(1))


def verify(session: Session, key: str, newest: int | None = None) -> ChainReport:
    """Check the chain (or only its ``newest`` rows) and the head; stop at the first broken link."""
    head = session.get(AuditChain, HEAD_ID, populate_existing=True)
    report = ChainReport()
    if head is None:
        return report.fail("the chain has no head row (deleted, or migration 0022 has not run)")
    report.first_seq, report.last_seq, report.last_hash = head.first_seq, head.last_seq, head.last_hash
    report.started_at = head.started_at
    if not _same(mac(key, head_hash(head), "head"), head.mac):
        return report.fail("the chain's head row was altered (its seal is not the audit key's), or the key "
                           "is not the one the chain was written with")
    start = head.first_seq
    if newest is not None and head.last_seq - newest + 1 > head.first_seq:
        start, report.partial = head.last_seq - newest + 1, True
    _walk(session, head, report, key, start)
    return report if not report.ok else _outside_the_chain(session, head, report)
