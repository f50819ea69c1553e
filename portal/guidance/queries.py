"""Queries for the supervisor's queue, the team view and an officer's own messages."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.guidance.deciders import Deciders, deciders_for
from portal.guidance.support import flags_for
from portal.models import (
    OUTCOMES, STAGES, Area, Community, MessageReview, OutreachContact, StageChange, User, user_areas, utcnow,
)


MAX_QUEUE = 500  # held messages listed at once; a team never has this many waiting


def held_reviews(user: User) -> tuple[list[MessageReview], dict[int, Deciders]]:
    """Held messages the user may see or must decide, oldest first, and who may decide each.

    Supervisors see their areas' messages and any other they are a decider of (when no
    supervisor of that area but the author is left); admins see them all.
    """
    query = (select(MessageReview).where(MessageReview.status == "held")
             .options(joinedload(MessageReview.author), joinedload(MessageReview.contact)
                      .joinedload(OutreachContact.community))
             .order_by(MessageReview.created_at, MessageReview.id).limit(MAX_QUEUE))
    reviews = list(db.session.scalars(query).unique())
    who = deciders_for(reviews)
    if user.area_bound:
        reviews = [r for r in reviews if r.area_id in user.area_ids or user in who[r.id]]
    return reviews, who


def supervisor_queue(user: User) -> dict[str, Any]:
    """Everything that needs this supervisor or admin: support flags first, then held messages
    with who may decide each."""
    reviews, who = held_reviews(user)
    return {"flags": list(db.session.scalars(flags_for(user)).unique()), "reviews": reviews, "deciders": who}


def my_reviews(user: User, limit: int = 20) -> list[MessageReview]:
    """The user's messages that went to a supervisor, newest first."""
    return list(db.session.scalars(
        select(MessageReview).where(MessageReview.author_id == user.id)
        .options(joinedload(MessageReview.contact).joinedload(OutreachContact.community))
        .order_by(MessageReview.id.desc()).limit(limit)
    ).unique())


def _outcomes_by(key, in_areas, since) -> dict[int, dict[str, int]]:
    """Contacts that went out since `since`, counted per outcome for each value of `key`."""
    rows = db.session.execute(
        select(key, OutreachContact.outcome, func.count()).select_from(OutreachContact)
        .join(Community, Community.id == OutreachContact.community_id)
        .where(in_areas, OutreachContact.occurred_at >= since, OutreachContact.went_out)
        .group_by(key, OutreachContact.outcome)).all()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(OUTCOMES, 0))
    for value, outcome, count in rows:
        counts[value][outcome] = count
    return counts


def _moves_by(key, in_areas, since) -> dict[int, int]:
    """Stage moves (not first stages) since `since`, counted for each value of `key`."""
    return dict(db.session.execute(
        select(key, func.count()).select_from(StageChange)
        .join(Community, Community.id == StageChange.community_id)
        .where(in_areas, StageChange.changed_at >= since, StageChange.from_stage.is_not(None))
        .group_by(key)).tuples().all())


def team_view(user: User, weeks: int = 8) -> dict[str, Any]:
    """Contacts, outcomes and stage moves per officer and per area over the last weeks; stages now."""
    since = utcnow() - timedelta(weeks=weeks)
    area_ids = user.area_ids if user.area_bound else set(db.session.scalars(select(Area.id)))
    areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids or {-1})).order_by(Area.name)))
    officers = list(db.session.scalars(
        select(User).join(user_areas).where(user_areas.c.area_id.in_(area_ids or {-1}),
                                             User.role.in_(("officer", "supervisor")))
        .order_by(User.display_name).distinct()))
    in_areas = Community.area_id.in_(area_ids or {-1})
    outcomes = _outcomes_by(OutreachContact.officer_id, in_areas, since)
    moves = _moves_by(StageChange.changed_by_id, in_areas, since)
    area_outcomes = _outcomes_by(Community.area_id, in_areas, since)
    area_moves = _moves_by(Community.area_id, in_areas, since)
    stage_rows = db.session.execute(
        select(Community.area_id, Community.stage, func.count())
        .where(in_areas, Community.status == "active").group_by(Community.area_id, Community.stage)).all()
    stages: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    for area_id, stage, count in stage_rows:
        stages[area_id][stage] = count
    rows = [{"officer": officer, "outcomes": outcomes[officer.id], "contacts": sum(outcomes[officer.id].values()),
             "stage_moves": moves.get(officer.id, 0)} for officer in officers]
    area_rows = [{"area": a, "outcomes": area_outcomes[a.id], "contacts": sum(area_outcomes[a.id].values()),
                  "stage_moves": area_moves.get(a.id, 0), "stages": stages[a.id]} for a in areas]
    return {"weeks": weeks, "since": since, "officers": rows, "areas": area_rows,
            "held": held_reviews(user)[0] if user.role == "supervisor" else []}
