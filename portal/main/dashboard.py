"""Queries behind the start page, per role."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import STAGES, Community, OutreachContact, User


def dashboard_summary(user: User) -> dict[str, Any]:
    """Return counts for the user's start page: communities by stage and recent contacts."""
    query = select(Community.stage, func.count()).where(Community.status == "active")
    if user.role in {"officer", "supervisor"}:
        query = query.where(Community.area_id.in_(user.area_ids or {-1}))
    by_stage = dict(db.session.execute(query.group_by(Community.stage)).all())
    recent = []
    if user.role in {"officer", "supervisor"}:
        recent = list(db.session.scalars(
            select(OutreachContact).options(joinedload(OutreachContact.community))
            .where(OutreachContact.officer_id == user.id)
            .order_by(OutreachContact.occurred_at.desc())
            .limit(5)
        ))
    return {
        "by_stage": [(stage, by_stage.get(stage, 0)) for stage in STAGES],
        "communities": sum(by_stage.values()),
        "recent_contacts": recent,
        "areas": user.areas,
    }
