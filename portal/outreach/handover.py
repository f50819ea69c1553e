"""Beat handover: pass an officer's relationships, follow-ups and tasks to a successor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update

from portal import audit
from portal.extensions import db
from portal.models import Community, OutreachContact, Task, User, utcnow


@dataclass
class HandoverResult:
    communities: int
    follow_ups: int
    tasks: int
    introductions: int


def hand_over(old: User, new: User, note: str | None = None, by: User | None = None) -> HandoverResult:
    """Move `old`'s communities, open follow-ups and open tasks to `new`, with an introduction task each.

    Contacts stay attributed to whoever made them (history is not rewritten); each
    open follow-up becomes a task for the successor and is closed on the old list.
    """
    communities = list(db.session.scalars(select(Community).where(
        Community.owner_id == old.id, Community.status == "active").order_by(Community.id)))
    for community in communities:
        community.owner_id = new.id
    due = date.today() + timedelta(days=7)
    intro_title = "Introduce yourself as the new contact for this community"
    note = (note or "").strip() or None
    for community in communities:
        db.session.add(Task(community_id=community.id, assignee_id=new.id, kind="introduce", title=intro_title,
                            note=note, due_on=due, created_by_id=by.id if by else None))
    follow_ups = list(db.session.scalars(select(OutreachContact).where(
        OutreachContact.officer_id == old.id, OutreachContact.follow_up_on.is_not(None),
        OutreachContact.follow_up_closed_at.is_(None))))
    now = utcnow()
    for contact in follow_ups:
        db.session.add(Task(community_id=contact.community_id, assignee_id=new.id, kind="follow_up",
                            title=f"Follow up {old.display_name}'s contact of {contact.occurred_at:%d %b %Y}"[:200],
                            due_on=contact.follow_up_on, created_by_id=by.id if by else None))
        contact.follow_up_closed_at = now
    # An UPDATE's result is a CursorResult (with a rowcount); Session.execute is typed for any statement.
    moved_tasks = cast("CursorResult[Any]", db.session.execute(
        update(Task).where(Task.assignee_id == old.id, Task.done_at.is_(None)).values(assignee_id=new.id)
        .execution_options(synchronize_session=False))).rowcount
    result = HandoverResult(len(communities), len(follow_ups), moved_tasks or 0, len(communities))
    audit.record("handover", f"Handed {old.display_name}'s beat to {new.display_name}", old,
                 details={"to_user_id": new.id, **result.__dict__})
    return result
