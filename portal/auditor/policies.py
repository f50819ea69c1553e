"""Retention policies: per kind of record, what expires, when, and how it is disposed of.

Each policy names the rows that still hold what it removes and the moment its clock
starts ("since"); a row expires when ``since`` is older than the policy's period
(``app.config[policy.config_key]`` days; defaults in portal/config.py). Anonymising
policies blank the personal fields and keep the row, so research counts survive.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, SQLColumnExpression, case, select

from portal.extensions import db
from portal.models.base import Model
from portal.models import (
    Assessment, AuditEvent, Candidate, Community, ContactRevision, Job, Meeting, MessageReview, Notification,
    OutreachContact, StageChange, SupportFlag, SupportNote, User,
)

REMOVED = "[removed under the retention policy]"
# The database refuses to delete audit events younger than this (migration 0007).
AUDIT_FLOOR_DAYS = 6 * 366 + 1


@dataclass(frozen=True)
class Policy:
    """One kind of record's retention rule."""

    key: str
    label: str
    model: type[Model]
    config_key: str
    action: str  # "delete" or "anonymise"
    since: Callable[[], SQLColumnExpression[Any]]
    rows: Callable[[], Select]  # select(model) limited to rows still holding what is disposed of
    dispose: Callable[[Any], None] | None = None  # None: a bulk delete (audit events)
    min_days: int = 1

    @property
    def object_type(self) -> str:
        return self.model.__name__

    @property
    def id_column(self) -> Column[Any]:
        """The ``id`` key that retention decisions and disposal name a row by (every model has one)."""
        return self.model.__table__.c.id


def _later(a: SQLColumnExpression[Any], b: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    """The later of two times, treating a missing first one as absent (portable GREATEST)."""
    return case((a > b, a), else_=b)


def _delete(obj: Any) -> None:
    db.session.delete(obj)


def _blank(*fields: str) -> Callable[[Any], None]:
    def dispose(obj: Any) -> None:
        for field in fields:
            setattr(obj, field, None)
    return dispose


def _scrub_contact(contact: OutreachContact) -> None:
    contact.message_text = None
    contact.link = None
    for revision in db.session.scalars(select(ContactRevision).where(ContactRevision.contact_id == contact.id)):
        if any(name in revision.changes for name in ("message_text", "link")):
            revision.changes = {
                name: ([REMOVED, REMOVED] if name in ("message_text", "link") else change)
                for name, change in revision.changes.items()
            }


def _scrub_support_note(note: SupportNote) -> None:
    note.body = REMOVED


def _scrub_review(review: MessageReview) -> None:
    review.comment = None
    review.message_text = None
    review.findings = [{**finding, "matched_text": REMOVED} if isinstance(finding, dict) else finding
                       for finding in review.findings or []]


def _anonymise_user(user: User) -> None:
    user.email = f"former-user-{user.id}@invalid"
    user.display_name = f"Former user {user.id}"
    user.password_hash = None
    user.sso_subject = None
    user.clear_invite()
    user.rotate_session()


def _last_contact_or(column: SQLColumnExpression[Any]) -> ColumnElement[Any]:
    return _later(Community.last_contact_at, column)


POLICIES: tuple[Policy, ...] = (
    Policy(
        "candidates", "Crawl candidates never accepted (since last seen by a crawl)", Candidate,
        "RETENTION_CANDIDATE_DAYS", "delete",
        since=lambda: Candidate.updated_at,
        rows=lambda: select(Candidate).where(Candidate.status != "accepted"),
        dispose=_delete,
    ),
    Policy(
        "contact_text", "Contact message text and links (after the community's last contact)",
        OutreachContact, "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(OutreachContact.occurred_at),
        rows=lambda: select(OutreachContact).join(Community, Community.id == OutreachContact.community_id)
        .where((OutreachContact.message_text.is_not(None)) | (OutreachContact.link.is_not(None))),
        dispose=_scrub_contact,
    ),
    Policy(
        "stage_notes", "Stage change notes (after the community's last contact)", StageChange,
        "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(StageChange.changed_at),
        rows=lambda: select(StageChange).join(Community, Community.id == StageChange.community_id)
        .where(StageChange.note.is_not(None)),
        dispose=_blank("note"),
    ),
    Policy(
        "assessment_notes", "Assessment notes (after the community's last contact)", Assessment,
        "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(Assessment.assessed_at),
        rows=lambda: select(Assessment).join(Community, Community.id == Assessment.community_id)
        .where(Assessment.note.is_not(None)),
        dispose=_blank("note"),
    ),
    Policy(
        "support_flags", "Support flag notes and thread links (after the community's last contact)",
        SupportFlag, "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(SupportFlag.created_at),
        rows=lambda: select(SupportFlag).join(Community, Community.id == SupportFlag.community_id)
        .where((SupportFlag.note.is_not(None)) | (SupportFlag.thread_link.is_not(None))),
        dispose=_blank("note", "thread_link"),
    ),
    Policy(
        "support_notes", "Support notes and debriefs (after the community's last contact)", SupportNote,
        "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(SupportNote.created_at),
        rows=lambda: select(SupportNote).join(SupportFlag, SupportFlag.id == SupportNote.flag_id)
        .join(Community, Community.id == SupportFlag.community_id).where(SupportNote.body != REMOVED),
        dispose=_scrub_support_note,
    ),
    Policy(
        "review_text", "Reviewed message text, quoted findings and review comments "
        "(after the community's last contact)",
        MessageReview, "RETENTION_CONTACT_TEXT_DAYS", "anonymise",
        since=lambda: _last_contact_or(MessageReview.created_at),
        rows=lambda: select(MessageReview).join(OutreachContact, OutreachContact.id == MessageReview.contact_id)
        .join(Community, Community.id == OutreachContact.community_id)
        .where((MessageReview.comment.is_not(None)) | (MessageReview.message_text.is_not(None))),
        dispose=_scrub_review,
    ),
    Policy(
        "meeting_notes", "Meeting notes (after the meeting)", Meeting, "RETENTION_MEETING_NOTES_DAYS",
        "anonymise",
        since=lambda: Meeting.held_at,
        rows=lambda: select(Meeting).where(Meeting.notes.is_not(None)),
        dispose=_blank("notes"),
    ),
    Policy(
        "former_users", "Deactivated user accounts (anonymised after deactivation)", User,
        "RETENTION_USER_DAYS", "anonymise",
        since=lambda: User.updated_at,
        rows=lambda: select(User).where(User.active.is_(False), ~User.email.like("former-user-%@invalid")),
        dispose=_anonymise_user,
    ),
    Policy(
        "jobs", "Finished background job records", Job, "RETENTION_JOB_DAYS", "delete",
        since=lambda: Job.updated_at,
        rows=lambda: select(Job).where(Job.status.in_(("done", "failed", "cancelled"))),
        dispose=_delete,
    ),
    Policy(
        "notices", "E-mail notices sent or cancelled", Notification, "RETENTION_NOTICE_DAYS", "delete",
        since=lambda: Notification.updated_at,
        rows=lambda: select(Notification).where(Notification.status.in_(("sent", "cancelled"))),
        dispose=_delete,
    ),
    Policy(
        "audit_events", "Audit events", AuditEvent, "RETENTION_AUDIT_DAYS", "delete",
        since=lambda: AuditEvent.at,
        rows=lambda: select(AuditEvent),
        dispose=None,
        min_days=AUDIT_FLOOR_DAYS,
    ),
)

BY_KEY = {policy.key: policy for policy in POLICIES}
BY_OBJECT_TYPE = {policy.object_type: policy for policy in POLICIES}
