"""Outreach changes: log and edit contacts, move stages, assess, record meetings.

Views call these; guidance (issue 5) hooks its message check into ``log_contact``
through ``review_status`` (held messages keep their contact row). Outreach depends on
guidance, never the reverse: guidance announces an approval on ``message_approved``.
"""
from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, Select, bindparam, exists, select, update

from portal import audit
from portal.extensions import db
from portal.guidance.services import message_approved, review_on_save
from portal.models import (
    Assessment, Community, ContactRevision, Meeting, MessageReview, OutreachContact, StageChange, User, label, utcnow,
)
from portal.outreach.forms import DETAIL_FIELDS
from portal.outreach.stages import ContactFacts, check_move, suggest_move

#: What an officer may set on a contact: how and with what outcome, the form's details, and when.
CONTACT_FIELDS = ("channel", "outcome", *DETAIL_FIELDS, "occurred_at")


class StageMoveRefused(ValueError):
    """A stage move broke the rules (e.g. a forward move without evidence)."""


def default_purpose(community_id: int) -> str:
    """'introduce' for a first contact with a community, else 'inform'."""
    first = db.session.scalar(
        select(OutreachContact.id).where(OutreachContact.community_id == community_id).limit(1))
    return "introduce" if first is None else "inform"


def log_contact(data: dict[str, Any], officer: User) -> tuple[OutreachContact, MessageReview | None]:
    """Record a contact, reset the community's follow-up clock and keep its summary in sync.

    ``data`` holds CONTACT_FIELDS plus ``community_id``; purpose defaults sensibly.
    The caller commits (guidance may add its review in the same transaction).
    Returns the contact and the review holding its message for a supervisor (None when not held),
    so that the caller need not look the review up again.
    """
    community = db.session.get_one(Community, data["community_id"])
    values = {key: data.get(key) for key in (*CONTACT_FIELDS, "template_id") if data.get(key) not in (None, "")}
    if "purpose" not in values:  # not setdefault: its argument, a query, would run for every contact
        values["purpose"] = default_purpose(community.id)
    values.setdefault("occurred_at", utcnow())
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, review_status="none", **values)
    contact.community = community
    held = check_message(contact)  # may raise MessageRefused before anything is written
    db.session.add(contact)
    db.session.flush()
    if contact.went_out:
        count_as_contact(contact)
    audit.record("create", f"Logged a {label(contact.channel).lower()} contact with community {community.id}", contact,
                 details={"community_id": community.id, "outcome": contact.outcome})
    return contact, held


def count_as_contact(contact: OutreachContact) -> None:
    """Let a contact that went out count: reset the follow-up clock and move the last-contact date.

    A message held for a supervisor is a draft, so this waits until it is approved
    (guidance calls it then) or reworded so that it no longer needs sign-off.
    """
    community = contact.community or db.session.get_one(Community, contact.community_id)
    reset_follow_up_clock(community.id, keep_id=contact.id)
    if community.last_contact_at is None or contact.occurred_at >= community.last_contact_at:
        community.last_contact_at = contact.occurred_at


def check_message(contact: OutreachContact) -> MessageReview | None:
    """Run guidance's sign-off check: holds the message for a supervisor (returns the review), or raises MessageRefused."""
    return review_on_save(contact)


@message_approved.connect
def _count_approved(_review: object, *, contact: OutreachContact) -> None:
    """A held draft approved by a supervisor may now go out: it counts from here on."""
    count_as_contact(contact)


def reset_follow_up_clock(community_id: int, keep_id: int) -> None:
    """Close every open follow-up on the community except the new contact's."""
    db.session.execute(
        update(OutreachContact)
        .where(OutreachContact.community_id == community_id, OutreachContact.id != keep_id,
               OutreachContact.follow_up_on.is_not(None), OutreachContact.follow_up_closed_at.is_(None))
        .values(follow_up_closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def close_follow_up(contact: OutreachContact) -> bool:
    """Mark the contact's follow-up done (once); False when it has none to close."""
    if contact.follow_up_on is None:
        return False
    if contact.follow_up_closed_at is None:
        contact.follow_up_closed_at = utcnow()
        audit.record("change", f"Marked the follow-up of contact {contact.id} done", contact)
    return True


def reopen_follow_up(contact: OutreachContact) -> bool:
    """Reopen a follow-up marked done by mistake; False when the contact has no follow-up."""
    if contact.follow_up_on is None:
        return False
    if contact.follow_up_closed_at is not None:
        contact.follow_up_closed_at = None
        audit.record("change", f"Reopened the follow-up of contact {contact.id}", contact)
    return True


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def edit_contact(contact: OutreachContact, data: dict[str, Any], editor: User) -> ContactRevision | None:
    """Apply changes to a contact, keeping what changed as a revision."""
    changes = {}
    for key in CONTACT_FIELDS:
        if key not in data:
            continue
        new = data[key] if data[key] != "" else None
        if key == "purpose" and not new:
            continue
        old = getattr(contact, key)
        if old != new:
            changes[key] = [_plain(old), _plain(new)]
            setattr(contact, key, new)
    if not changes:
        return None
    if "message_text" in changes or "channel" in changes:
        was_draft = not contact.went_out
        check_message(contact)
        if was_draft and contact.went_out:
            count_as_contact(contact)  # reworded so that it no longer needs sign-off
    revision = ContactRevision(contact=contact, changed_by_id=editor.id, changes=changes)
    db.session.add(revision)
    audit.record("change", f"Edited contact {contact.id}", contact, details={"fields": sorted(changes)})
    return revision


def suggestion_for(community: Community) -> tuple[str, Row] | None:
    """The stage move the newest contact since the last stage change implies, if any.

    The contact comes back as a row of the columns the community page shows (id, time, outcome),
    not an ORM object: every community page asks, and the object and a second statement for the
    evidence check cost more than the answer.
    """
    newest = db.session.execute(_suggestion_statement(community.stage_changed_at is not None),
                                {"community_id": community.id, "since": community.stage_changed_at}).first()
    if newest is None or newest.cited:
        return None
    target = suggest_move(community.stage, ContactFacts(newest.outcome, newest.direction))
    return (target, newest) if target else None


@functools.cache
def _suggestion_statement(since: bool) -> Select:
    """The community's newest contact that went out (since ``:since`` when asked), and whether a
    stage change already cites it as evidence: one statement, built once per shape."""
    query = select(OutreachContact.id, OutreachContact.occurred_at, OutreachContact.outcome,
                   OutreachContact.direction).where(OutreachContact.community_id == bindparam("community_id"),
                                                    OutreachContact.went_out)
    if since:
        query = query.where(OutreachContact.occurred_at >= bindparam("since"))
    newest = query.order_by(OutreachContact.occurred_at.desc(), OutreachContact.id.desc()).limit(1).subquery()
    cited = exists().where(StageChange.evidence_contact_id == newest.c.id)
    return select(newest, cited.label("cited"))


def move_stage(community: Community, to_stage: str, user: User, *, evidence_contact_id: int | None = None,
               note: str | None = None) -> StageChange:
    """Move a relationship to a new stage; refuse forward moves without valid evidence."""
    evidence = None
    if evidence_contact_id:
        evidence = db.session.get(OutreachContact, evidence_contact_id)
        if evidence is None or evidence.community_id != community.id:
            raise StageMoveRefused("The evidencing contact must be a contact with this community.")
        if not evidence.went_out:
            raise StageMoveRefused("That message has not gone out (it is waiting for, or was refused, "
                                   "a supervisor's sign-off), so it cannot evidence a move.")
    facts = ContactFacts(evidence.outcome, evidence.direction) if evidence else None
    verdict = check_move(community.stage, to_stage, facts)
    if not verdict.allowed:
        raise StageMoveRefused(verdict.reason)
    change = StageChange(community_id=community.id, from_stage=community.stage, to_stage=to_stage,
                         changed_by_id=user.id, evidence_contact_id=evidence.id if evidence else None,
                         note=note or None, changed_at=utcnow())
    db.session.add(change)
    community.stage, community.stage_changed_at = to_stage, change.changed_at
    audit.record("change", f"Moved community {community.id} to {to_stage}", community,
                 details={"from": change.from_stage, "to": to_stage, "evidence_contact_id": change.evidence_contact_id})
    return change


def add_assessment(community: Community, data: dict[str, Any], user: User) -> Assessment:
    assessment = Assessment(community_id=community.id, assessed_by_id=user.id, trust=data["trust"],
                            reciprocity=data["reciprocity"], reach=data["reach"], note=data.get("note") or None)
    db.session.add(assessment)
    audit.record("create", f"Assessed community {community.id}", community,
                 details={k: data[k] for k in ("trust", "reciprocity", "reach")})
    return assessment


def record_meeting(data: dict[str, Any], communities: list[Community], user: User) -> Meeting:
    meeting = Meeting(area_id=data["area_id"], title=data["title"], held_at=data["held_at"],
                      place=data.get("place") or None, attendance=data.get("attendance"),
                      notes=data.get("notes") or None, created_by_id=user.id)
    meeting.communities = communities
    db.session.add(meeting)
    db.session.flush()
    audit.record("create", f"Recorded meeting {meeting.id}", meeting,
                 details={"communities": [c.id for c in communities]})
    return meeting


def complete_task(task: Any) -> None:
    task.done_at = task.done_at or utcnow()
    audit.record("change", f"Completed task {task.id}", task)
