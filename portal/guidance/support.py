"""Support for officers: 'need backup' flags, supervisors' notes, take-overs and debriefs."""
from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from portal import audit
from portal.extensions import db
from portal.models import Community, SupportFlag, SupportNote, User, utcnow

REASONS = ("hostile_thread", "media_interest", "other")
NOTE_KINDS = ("support", "debrief")


class SupportError(PermissionError):
    """Something the support rules do not allow."""


def raise_flag(community: Community, user: User, reason: str, note: str | None = None,
               thread_link: str | None = None) -> SupportFlag:
    """Flag a thread or community as needing backup; audited."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}")
    flag = SupportFlag(community_id=community.id, raised_by_id=user.id, reason=reason,
                       note=(note or "").strip() or None, thread_link=(thread_link or "").strip() or None)
    db.session.add(flag)
    db.session.flush()
    audit.record("flag", f"Asked for backup on community {community.id} ({reason.replace('_', ' ')})", flag,
                 details={"community_id": community.id, "reason": reason})
    from portal.notices import events

    events.backup_requested(flag)
    return flag


def add_note(flag: SupportFlag, user: User, body: str, kind: str = "support") -> SupportNote:
    """Add a supervisor's support note, or a debrief (anyone working the area) after the incident."""
    if kind not in NOTE_KINDS:
        raise ValueError(f"unknown note kind {kind!r}")
    if kind == "support" and user.role != "supervisor":
        raise SupportError("Only a supervisor can add a support note; add a debrief instead.")
    note = SupportNote(flag_id=flag.id, author_id=user.id, kind=kind, body=body.strip())
    db.session.add(note)
    db.session.flush()
    audit.record("support_note", f"Added a {kind} note to support flag {flag.id}", flag,
                 details={"kind": kind, "note_id": note.id})
    return note


def take_over(flag: SupportFlag, user: User) -> None:
    """A supervisor takes over the relationship: they become the community's owner."""
    if user.role != "supervisor":
        raise SupportError("Only a supervisor can take over a relationship.")
    community = flag.community
    previous = community.owner_id
    community.owner_id = user.id
    db.session.add(SupportNote(flag_id=flag.id, author_id=user.id, kind="takeover",
                               body=f"{user.display_name} took over the relationship."))
    audit.record("takeover", f"Took over community {community.id} from support flag {flag.id}", community,
                 details={"flag_id": flag.id, "previous_owner_id": previous, "owner_id": user.id})


def resolve(flag: SupportFlag, user: User) -> None:
    if user.role != "supervisor":
        raise SupportError("Only a supervisor can close a support flag.")
    flag.status, flag.resolved_by_id, flag.resolved_at = "resolved", user.id, utcnow()
    audit.record("resolve", f"Closed support flag {flag.id}", flag)


def may_open(flag: SupportFlag, user: User) -> bool:
    """Return whether a user may open a support flag: its officer and the supervisors of its area, or an admin."""
    if user.role == "admin":
        return True
    in_area = user.can_see_area(flag.community.area_id)
    if user.role == "supervisor":
        return in_area
    return user.role == "officer" and in_area and flag.raised_by_id == user.id


def flags_for(user: User, status: str | None = "open") -> Select:
    """Support flags in the user's areas (officers see the ones they raised), oldest open first."""
    query = (select(SupportFlag).join(SupportFlag.community)
             .options(joinedload(SupportFlag.community), joinedload(SupportFlag.raised_by)))
    query = user.scope(query, Community.area_id)
    if user.role == "officer":
        query = query.where(SupportFlag.raised_by_id == user.id)
    if status:
        query = query.where(SupportFlag.status == status)
    return query.order_by(SupportFlag.created_at)
