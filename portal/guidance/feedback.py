"""Supervisors' "wrong here" marks on findings: record them, count them per rule, export them as examples.

An exported row is one held message, labelled with the categories still flagged on it
once the marked findings are taken away, in the evaluation set's JSONL shape
(tests/fixtures/guidance_eval/), so `benchmarks/guidance_eval.py --extra FILE` reads it.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.models import GuidanceFlagMark, MessageReview, User

FLAGGING = frozenset({"needs_supervisor", "do_not_send"})
# Categories of the evaluation set; reach risk depends on the community, not the words.
TEXT_CATEGORIES = ("personal_data", "live_proceedings", "discriminatory", "political", "operational")
EXPORT_FORMATS = ("jsonl", "csv")
MAX_NOTE_LENGTH = 500


class MarkRefused(PermissionError):
    """The user may not mark findings on this message."""


def why_not_mark(review: MessageReview, user: User) -> str | None:
    """Return why the user may not mark this message's findings, or None if they may."""
    if user.role != "supervisor":
        return "Only a supervisor can mark a finding as wrong."
    if review.area_id not in user.area_ids:
        return "Only a supervisor of this area can mark this message's findings."
    if review.author_id == user.id:
        return "You wrote this message: another supervisor must judge its findings."
    return None


def find_finding(review: MessageReview, rule_code: str, start: int) -> dict[str, Any] | None:
    """The stored finding of a review with this rule and start, if there is one."""
    return next((f for f in review.findings or [] if f.get("rule_code") == rule_code and f.get("start") == start),
                None)


def marks_for(review: MessageReview) -> dict[tuple[str, int], GuidanceFlagMark]:
    """The review's marks, by (rule code, start)."""
    rows = db.session.scalars(select(GuidanceFlagMark).where(GuidanceFlagMark.review_id == review.id))
    return {(mark.rule_code, mark.start_offset): mark for mark in rows}


def mark(review: MessageReview, user: User, rule_code: str, start: int, note: str | None = None) -> GuidanceFlagMark:
    """Record that one finding was wrong for this message (once per finding), and audit it."""
    problem = why_not_mark(review, user)
    if problem:
        raise MarkRefused(problem)
    finding = find_finding(review, rule_code, start)
    if finding is None:
        raise LookupError("This message has no such finding.")
    existing = marks_for(review).get((rule_code, start))
    if existing is not None:
        return existing
    flag_mark = GuidanceFlagMark(review_id=review.id, rule_code=rule_code, category=finding["category"],
                                 start_offset=start, end_offset=int(finding.get("end", start)),
                                 note=((note or "").strip()[:MAX_NOTE_LENGTH] or None), marked_by_id=user.id)
    db.session.add(flag_mark)
    db.session.flush()
    audit.record("feedback", f"Marked finding {rule_code} on message review {review.id} as wrong here", flag_mark,
                 details={"review_id": review.id, "rule_code": rule_code, "start": start})
    return flag_mark


def unmark(review: MessageReview, user: User, rule_code: str, start: int) -> bool:
    """Take back a mark; return whether there was one."""
    problem = why_not_mark(review, user)
    if problem:
        raise MarkRefused(problem)
    existing = marks_for(review).get((rule_code, start))
    if existing is None:
        return False
    audit.record("feedback", f"Took back the mark on {rule_code} for message review {review.id}", existing,
                 details={"review_id": review.id, "rule_code": rule_code, "start": start, "removed": True})
    db.session.delete(existing)
    return True


def counts_per_rule(user: User) -> dict[str, int]:
    """How many findings of each rule supervisors marked wrong, on the messages this user may see."""
    query = (select(GuidanceFlagMark.rule_code, func.count()).join(MessageReview)
             .group_by(GuidanceFlagMark.rule_code))
    return dict(db.session.execute(user.scope(query, MessageReview.area_id)).tuples().all())


def _marked_reviews(user: User | None) -> list[MessageReview]:
    query = (select(MessageReview).where(MessageReview.id.in_(select(GuidanceFlagMark.review_id)))
             .order_by(MessageReview.id))
    if user is not None:
        query = user.scope(query, MessageReview.area_id)
    return list(db.session.scalars(query.options(joinedload(MessageReview.contact))).unique())


def example_rows(user: User | None) -> list[dict[str, Any]]:
    """One labelled example per marked message: what is still flagged once the marked findings are removed."""
    rows = []
    for review in _marked_reviews(user):
        marked = marks_for(review)
        kept = [f for f in review.findings or [] if (f.get("rule_code"), f.get("start")) not in marked]
        labels = sorted({f["category"] for f in kept if f.get("severity") in FLAGGING} & set(TEXT_CATEGORIES))
        wrong = sorted({m.category for m in marked.values()} - set(labels))
        rows.append({
            "id": f"mark-{review.id}", "text": review.message_text or "", "labels": labels, "register": "feedback",
            "source": "supervisor_mark", "not_labels": wrong,
            "marked_rules": sorted({code for code, _ in marked}),
            "notes": [m.note for m in marked.values() if m.note],
            "marked_at": max(m.created_at for m in marked.values()).isoformat(timespec="seconds"),
        })
    return rows


def render_export(rows: Iterable[dict[str, Any]], fmt: str) -> str:
    """The rows as JSONL (one object a line) or CSV (lists joined with ';')."""
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if fmt != "csv":
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    out = io.StringIO()
    fields = ["id", "text", "labels", "register", "source", "not_labels", "marked_rules", "notes", "marked_at"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_safe(";".join(v) if isinstance(v, list) else v) for k, v in row.items()})
    return out.getvalue()


def _csv_safe(value: Any) -> Any:
    """Keep a spreadsheet from reading a message that starts with = + - @ as a formula."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def export(user: User | None, fmt: str) -> str:
    """Export the marked messages the user may see, audited as an export of message text."""
    rows = example_rows(user)
    audit.record("export", f"Exported {len(rows)} supervisor-marked messages as {fmt}",
                 object_type="GuidanceFlagMark", details={"format": fmt, "rows": len(rows)},
                 actor_id=user.id if user is not None else None)
    return render_export(rows, fmt)


