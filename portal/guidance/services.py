"""Sign-off: hold risky messages for a supervisor, record decisions, guard 'sent'.

The outreach save path calls ``review_on_save(contact)`` after filling in the
contact (and before committing); ``mark_sent`` is the only way to mark a message sent.
Guidance never imports outreach: an approval is announced on ``message_approved`` and
outreach, which owns the follow-up clock, makes the contact count.
"""
from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from blinker import Namespace
from flask import g, has_request_context
from sqlalchemy import Select, bindparam, func, select

from portal import audit
from portal.extensions import db
from portal.guidance.check import CheckContext, Finding, check_message, highest_severity
from portal.guidance.rules import active_rules
from portal.models import Community, MessageReview, OutreachContact, User, utcnow

if TYPE_CHECKING:
    from portal.guidance.deciders import Deciders

logger = logging.getLogger(__name__)

DECISIONS = {"approve": "approved", "changes": "changes_requested", "reject": "rejected"}
OPEN_STATUSES = ("held",)
_signals = Namespace()
#: Sent with ``contact=`` when a held message is approved, in the decision's transaction
#: (receivers must not commit). ``portal.outreach.services`` lets the contact count.
message_approved = _signals.signal("message-approved")


class MessageRefused(ValueError):
    """The message must not be sent at all (a do-not-send finding)."""

    def __init__(self, findings: list[Finding]):
        self.findings = [f for f in findings if f.severity == "do_not_send"]
        words = ", ".join(f"“{f.matched_text}”" for f in self.findings[:3])
        super().__init__(
            f"This message cannot be sent: {self.findings[0].explanation} Remove or reword {words}."
        )


class SignOffError(PermissionError):
    """A decision that the rules of sign-off do not allow."""


@dataclass(frozen=True)
class SaveCheck:
    findings: list[Finding]
    severity: str | None


def context_for(community: Community | None, channel: str | None = None) -> CheckContext:
    """Describe where a message goes, for the reach-risk rules."""
    if community is None:
        return CheckContext(channel=channel)
    return CheckContext(audience_size=community.audience_size, access=community.access,
                        channel=channel, platform=community.platform)


def check_text(text: str | None, community: Community | None = None, channel: str | None = None) -> list[Finding]:
    """Check a message with the portal's current rules and the community's context."""
    return check_message(text or "", active_rules(), context_for(community, channel))


def review_on_save(contact: OutreachContact) -> MessageReview | None:
    """Check a contact's message as it is saved; hold it for a supervisor when the findings say so.

    Raises MessageRefused for a do-not-send finding (nothing is changed). Returns the
    open review when the message is held, else None. Inbound contacts and contacts
    without a message are not checked.
    """
    if not contact.message_text or contact.direction == "inbound":
        return None
    community = contact.community or db.session.get(Community, contact.community_id)
    findings = check_text(contact.message_text, community, contact.channel)
    severity = highest_severity(findings)
    if severity == "do_not_send":
        raise MessageRefused(findings)
    current = latest_review(contact) if contact.id else None
    if current is not None and current.status == "approved" and current.message_text == contact.message_text:
        return None  # already signed off, unchanged
    if severity != "needs_supervisor":
        if not contact.went_out and current is not None and current.status == "held":
            current.status = "withdrawn"  # the officer reworded it; nothing left to sign off
        if not contact.went_out:
            contact.review_status = "none"
        return None
    return _hold(contact, community, findings, severity, current)


def _hold(contact, community, findings, severity, current) -> MessageReview:
    contact.review_status = "held"  # before a new contact's INSERT: an UPDATE after it cost a round trip
    if contact.id is None:
        db.session.add(contact)
        db.session.flush()
    review = current if current is not None and current.status == "held" else MessageReview(
        contact_id=contact.id, author_id=contact.officer_id, area_id=community.area_id)
    review.message_text = contact.message_text
    review.findings = [f.to_dict() for f in findings]
    review.highest_severity = severity
    review.status = "held"
    db.session.add(review)
    db.session.flush()
    audit.record("hold", f"Message on contact {contact.id} held for a supervisor", review,
                 details={"contact_id": contact.id, "rules": sorted({f.rule_code for f in findings})})
    from portal.guidance.deciders import deciders
    from portal.notices import events

    who = deciders(review)  # asked once: the notices go to them, and the author's answer names them
    events.message_held(review, who)
    if has_request_context():
        g.setdefault(_TOLD, {})[review.id] = who
    return review


_TOLD = "held_message_deciders"


def deciders_told(review: MessageReview) -> Deciders:
    """Who this request told of the held message (``_hold`` asked once), else who may decide it now."""
    told = g.get(_TOLD, {}) if has_request_context() else {}
    if review.id in told:
        return told[review.id]
    from portal.guidance.deciders import deciders

    return deciders(review)


def latest_review(contact: OutreachContact) -> MessageReview | None:
    return db.session.scalar(select(MessageReview).where(MessageReview.contact_id == contact.id)
                             .order_by(MessageReview.id.desc()).limit(1))


def can_decide(review: MessageReview, user: User) -> str | None:
    """Return why the user may not decide on this review, or None if they may."""
    from portal.guidance.deciders import deciders

    who = deciders(review)
    decided_by = f"{who.names} ({who.why}) will decide it." if who.users else who.why.capitalize() + "."
    if review.author_id == user.id:
        return f"You wrote this message, so you cannot sign it off: {decided_by}"
    if review.status not in OPEN_STATUSES:
        return "This message has already been decided."
    if user not in who:
        return f"You cannot sign off this message: {decided_by}"
    return None


def decide(review: MessageReview, user: User, decision: str, comment: str | None = None) -> MessageReview:
    """Record a supervisor's decision on a held message, and audit it."""
    status = DECISIONS.get(decision)
    if status is None:
        raise ValueError(f"unknown decision {decision!r}")
    comment = (comment or "").strip() or None
    if status in {"changes_requested", "rejected"} and not comment:
        raise ValueError("Say what needs to change, so the officer can act on it.")
    problem = can_decide(review, user)
    if problem:
        raise SignOffError(problem)
    review.status, review.decided_by_id, review.decided_at = status, user.id, utcnow()
    review.comment, review.author_notified_at = comment, None
    review.contact.review_status = status
    if status == "approved":
        message_approved.send(review, contact=review.contact)  # the draft may now go out
    audit.record("signoff", f"{status.replace('_', ' ').capitalize()} message on contact {review.contact_id}",
                 review, details={"decision": status, "contact_id": review.contact_id,
                                  "author_id": review.author_id, "comment": comment})
    from portal.notices import events

    events.message_decided(review)
    return review


def mark_sent(contact: OutreachContact, user: User) -> None:
    """Mark a message as sent; refuse while it is held, needs changes or was rejected."""
    if not contact.went_out:
        raise SignOffError({
            "held": "This message is waiting for a supervisor's approval and cannot be marked sent yet.",
            "changes_requested": "A supervisor asked for changes: edit the message before it can be sent.",
            "rejected": "A supervisor rejected this message: it cannot be sent.",
        }[contact.review_status])
    contact.review_status = "sent"
    audit.record("sent", f"Marked message on contact {contact.id} as sent", contact,
                 details={"by": user.id})


def notifications(user: User) -> list[MessageReview]:
    """Decisions on the user's messages that they have not yet dismissed."""
    return list(db.session.scalars(
        select(MessageReview).where(MessageReview.author_id == user.id, MessageReview.decided_at.is_not(None),
                                    MessageReview.author_notified_at.is_(None))
        .order_by(MessageReview.decided_at.desc())
    ))


def notification_count(user: User) -> int:
    """How many of ``notifications`` there are, counted by the database (every officer page's banner asks)."""
    return db.session.scalar(_notification_count_statement(), {"author_id": user.id}) or 0


@functools.cache
def _notification_count_statement() -> Select:
    """Built once (bound parameter): the banner asks on every officer page, and building the
    statement cost more CPU than running it."""
    return (select(func.count()).select_from(MessageReview)
            .where(MessageReview.author_id == bindparam("author_id"), MessageReview.decided_at.is_not(None),
                   MessageReview.author_notified_at.is_(None)))


def dismiss_notification(review: MessageReview, user: User) -> None:
    if review.author_id != user.id:
        raise SignOffError("This is not your message.")
    review.author_notified_at = utcnow()
    audit.record("change", f"Dismissed the notification of message review {review.id}", review)
