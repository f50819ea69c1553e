"""Run retention: dispose of what has expired, list what is due for review, record 'keep' decisions.

``run()`` is idempotent (a disposed row no longer matches its policy) and safe to call
from a scheduler: ``flask --app wsgi retention run`` from cron, or the RQ cron job in
portal/auditor/cron.py. Every disposal is written to the audit log.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import String, and_, cast, delete, exists, func, select

from portal import audit, audit_chain
from portal.auditor.policies import BY_OBJECT_TYPE, POLICIES, Policy
from portal.extensions import db
from portal.models import AuditEvent, RetentionDecision, utcnow
from portal.params import record_id

logger = logging.getLogger(__name__)

BATCH = 500


@dataclass
class PolicyResult:
    policy: Policy
    days: int
    cutoff: datetime
    disposed: int = 0
    ids: list[str] = field(default_factory=list)


@dataclass
class DueItem:
    policy: Policy
    object_id: str
    since: datetime
    due_on: datetime

    @property
    def overdue(self) -> bool:
        return self.due_on <= utcnow()


def period_days(policy: Policy) -> int:
    """Return the configured period of a policy, never below its floor."""
    return max(int(current_app.config.get(policy.config_key, policy.min_days)), policy.min_days)


def _not_kept(policy: Policy, now: datetime):
    kept = exists().where(
        RetentionDecision.object_type == policy.object_type,
        RetentionDecision.object_id == cast(policy.id_column, String),
        RetentionDecision.keep_until > now,
    )
    return ~kept


def _expired(policy: Policy, before: datetime, now: datetime):
    since = policy.since()
    return policy.rows().add_columns(since.label("since")).where(
        and_(since < before, _not_kept(policy, now))
    ).order_by(since, policy.id_column)


def run(now: datetime | None = None, dry_run: bool = False) -> list[PolicyResult]:
    """Dispose of every expired record (or only count them with dry_run); return per-policy results."""
    now = now or utcnow()
    results = []
    for policy in POLICIES:
        days = period_days(policy)
        result = PolicyResult(policy, days, now - timedelta(days=days))
        if dry_run:
            stmt = _expired(policy, result.cutoff, now)
            result.disposed = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        else:
            _dispose_all(result, now)
        results.append(result)
    return results


def _dispose_all(result: PolicyResult, now: datetime) -> None:
    policy = result.policy
    seen: set[str] = set()
    while True:
        rows = db.session.execute(_expired(policy, result.cutoff, now).limit(BATCH)).all()
        ids = [str(row[0].id) for row in rows]
        if not rows or seen.issuperset(ids):  # nothing left, or a policy that failed to dispose
            return
        seen.update(ids)
        if policy.dispose is None:
            db.session.execute(delete(policy.model).where(policy.id_column.in_([row[0].id for row in rows])),
                               execution_options={"synchronize_session": False})
            if policy.model is AuditEvent:  # the oldest links are gone: the chain now starts later
                audit_chain.note_pruned(db.session())
            audit.record("dispose", f"Deleted {len(ids)} {policy.object_type} records (retention: {policy.key})",
                         object_type=policy.object_type, actor_id=None,
                         details={"policy": policy.key, "action": "delete", "ids": ids, "days": result.days})
        else:
            for obj, since in rows:
                object_id = str(obj.id)
                policy.dispose(obj)
                audit.record(
                    "dispose",
                    f"{'Deleted' if policy.action == 'delete' else 'Anonymised'} {policy.object_type} "
                    f"{object_id} (retention: {policy.key})",
                    object_type=policy.object_type, object_id=object_id, actor_id=None,
                    details={"policy": policy.key, "action": policy.action, "since": since.isoformat(),
                             "days": result.days},
                )
        db.session.commit()
        result.disposed += len(ids)
        result.ids.extend(ids)
        logger.info("retention %s: disposed of %d %s", policy.key, len(ids), policy.object_type)


def run_scheduled() -> dict[str, int]:
    """Entry point for a scheduler (RQ cron or a background job): run and report counts."""
    return {result.policy.key: result.disposed for result in run()}


def due_for_review(now: datetime | None = None, limit: int = 50) -> list[tuple[Policy, list[DueItem], int]]:
    """Return, per policy, the records expired or expiring within the review window (oldest first)."""
    now = now or utcnow()
    window = timedelta(days=int(current_app.config.get("RETENTION_REVIEW_WINDOW_DAYS", 30)))
    listing = []
    for policy in POLICIES:
        days = period_days(policy)
        stmt = _expired(policy, now - timedelta(days=days) + window, now)
        total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        items = [DueItem(policy, str(obj.id), since, since + timedelta(days=days))
                 for obj, since in db.session.execute(stmt.limit(limit)).all()]
        listing.append((policy, items, total))
    return listing


class UnknownRecord(LookupError):
    """No retention policy covers this record, or it does not exist."""


def policy_for(object_type: str, object_id: str) -> Policy | None:
    """Return the policy covering an existing record, or None (unknown type or no such record)."""
    policy = BY_OBJECT_TYPE.get(object_type)
    if policy is None:
        return None
    try:
        found = db.session.get(policy.model, _pk(policy, object_id))
    except UnknownRecord:
        return None
    return policy if found is not None else None


def keep(object_type: str, object_id: str, reason: str, months: int, user_id: int) -> RetentionDecision:
    """Record a 'keep because…' decision that postpones disposal; audited in the same transaction."""
    policy = policy_for(object_type, object_id)
    if policy is None:
        raise UnknownRecord(f"{object_type} {object_id}")
    keep_until = utcnow() + timedelta(days=round(months * 30.44))
    decision = RetentionDecision(object_type=object_type, object_id=object_id, reason=reason,
                                 keep_until=keep_until, decided_by_id=user_id)
    db.session.add(decision)
    audit.record("retention_keep", f"Kept {object_type} {object_id} until {keep_until:%d %b %Y}",
                 object_type=object_type, object_id=object_id, justification=reason,
                 details={"policy": policy.key, "keep_until": keep_until.isoformat(), "months": months})
    return decision


def decisions_for(object_type: str, object_id: str) -> list[RetentionDecision]:
    return list(db.session.scalars(
        select(RetentionDecision).where(RetentionDecision.object_type == object_type,
                                        RetentionDecision.object_id == object_id)
        .order_by(RetentionDecision.decided_at.desc())
    ))


def _pk(policy: Policy, object_id: str):
    if policy.id_column.type.python_type is int:
        number = record_id(object_id)
        if number is None or str(number) != object_id:
            raise UnknownRecord(object_id)
        return number
    return object_id


__all__ = ["DueItem", "PolicyResult", "UnknownRecord", "decisions_for", "due_for_review",
           "keep", "policy_for", "run", "run_scheduled"]
