"""The daily digest: each officer's follow-ups that are due today or overdue, once a day."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import OutreachContact, User
from portal.notices.services import absolute, queue

MAX_ITEMS = 50  # a longer list says "and N more": the page has them all
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def due_follow_ups(user: User, today: date) -> list[OutreachContact]:
    """The user's open follow-ups due on or before ``today``, oldest first."""
    return list(db.session.scalars(
        select(OutreachContact).options(joinedload(OutreachContact.community))
        .where(OutreachContact.officer_id == user.id, OutreachContact.follow_up_on.is_not(None),
               OutreachContact.follow_up_closed_at.is_(None), OutreachContact.follow_up_on <= today)
        .order_by(OutreachContact.follow_up_on, OutreachContact.id)))


def _item(contact: OutreachContact) -> dict:
    # A community's name (never a resident's) and the date: the page shows the rest after sign-in.
    name = _CONTROL.sub(" ", contact.community.name if contact.community else "a community")[:80]
    return {"contact_id": contact.id, "community": name, "due_on": contact.follow_up_on.isoformat() if contact.follow_up_on else None,
            "link": absolute("outreach.follow_up", contact_id=contact.id)}


def digest_facts(user: User, today: date) -> dict | None:
    """Counts and the list for one user's digest, or None when nothing is due."""
    due = due_follow_ups(user, today)
    if not due:
        return None
    dates = [contact.follow_up_on for contact in due if contact.follow_up_on is not None]
    return {"overdue": len([day for day in dates if day < today]),
            "due_today": len([day for day in dates if day == today]),
            "items": [_item(c) for c in due[:MAX_ITEMS]], "more": max(0, len(due) - MAX_ITEMS)}


def queue_digests(today: date) -> int:
    """Queue today's digest for every active user with something due (at most one per user per day)."""
    queued = 0
    with_due = (select(OutreachContact.officer_id)
                .where(OutreachContact.follow_up_on <= today, OutreachContact.follow_up_closed_at.is_(None)))
    officers = db.session.scalars(select(User).where(User.active.is_(True), User.id.in_(with_due)).order_by(User.id))
    for user in list(officers):
        facts = digest_facts(user, today)
        if facts and queue(user, "digest", link=absolute("outreach.follow_ups"), facts=facts,
                           dedupe_key=f"digest:{user.id}:{today.isoformat()}"):
            queued += 1
    db.session.commit()
    return queued
