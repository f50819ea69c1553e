"""Queries behind the start page, per role."""
from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import Select, bindparam, func, select

from portal.extensions import db
from portal.models import STAGES, Community, OutreachContact, User


#: How many recent outcomes Home lists.
RECENT = 8


@functools.cache
def _officer_recent_statement() -> Select:
    """An officer's recent outcomes, built once (bound parameter): Home runs it on every view."""
    from portal.outreach.queries import COMMUNITY_NAME

    return (select(OutreachContact).options(COMMUNITY_NAME).where(OutreachContact.officer_id == bindparam("officer_id"))
            .order_by(OutreachContact.occurred_at.desc()).limit(RECENT))


@functools.cache
def _by_stage_statement(area_bound: bool) -> Select:
    """Active communities by stage, in the user's areas when area-bound (as user.scope limits
    them), built once per shape: Home runs it on every view."""
    query = select(Community.stage, func.count()).where(Community.status == "active")
    if area_bound:
        query = query.where(Community.area_id.in_(bindparam("area_ids", expanding=True)))
    return query.group_by(Community.stage)


def dashboard_summary(user: User) -> dict[str, Any]:
    """Return the start page's figures: stages, recent outcomes and, for officers, what is due."""
    scope = {"area_ids": sorted(user.area_ids) or [-1]} if user.area_bound else {}
    by_stage = dict(db.session.execute(_by_stage_statement(user.area_bound), scope).tuples().all())
    recent, due, gone_quiet = [], None, 0
    if user.area_bound:
        from portal.outreach.queries import COMMUNITY_NAME, gone_quiet_count, open_follow_ups

        if user.role == "officer":
            recent = list(db.session.scalars(_officer_recent_statement(), {"officer_id": user.id}))
        else:  # supervisors see their team's recent outcomes
            contacts = user.scope(select(OutreachContact).options(COMMUNITY_NAME)
                                  .join(Community, Community.id == OutreachContact.community_id), Community.area_id)
            recent = list(db.session.scalars(contacts.order_by(OutreachContact.occurred_at.desc()).limit(RECENT)))
        due = open_follow_ups(user, horizon_days=0)
        gone_quiet = gone_quiet_count(user)
    return {
        "by_stage": [(stage, by_stage.get(stage, 0)) for stage in STAGES],
        "communities": sum(by_stage.values()),
        "recent_contacts": recent,
        "due": due,
        "gone_quiet": gone_quiet,
        "areas": user.areas,
    }
