"""One timeline per community: contacts, stage changes, assessments, meetings and activity samples.

A single UNION ALL query picks the page's event keys (newest first, keyset-paginated
on time, kind, id); then each kind's rows are loaded in one query. A page therefore
costs a fixed number of queries however many events the community has.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, bindparam, literal, or_, select, union_all
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import (
    ActivitySample, Assessment, Meeting, OutreachContact, StageChange, User, meeting_promotions,
)
from portal.params import record_id

# kind -> (model, time column, community column). Kind names sort as the tie-break order.
SOURCES: dict[str, tuple[Any, Any, Any]] = {
    "contact": (OutreachContact, OutreachContact.occurred_at, OutreachContact.community_id),
    "stage": (StageChange, StageChange.changed_at, StageChange.community_id),
    "assessment": (Assessment, Assessment.assessed_at, Assessment.community_id),
    "activity": (ActivitySample, ActivitySample.sampled_at, ActivitySample.community_id),
}
# The timeline shows who logged, moved or assessed by name only: no other user column is read.
LOADER_OPTIONS = {
    "contact": (joinedload(OutreachContact.officer).load_only(User.id, User.display_name),),
    "stage": (joinedload(StageChange.changed_by).load_only(User.id, User.display_name),),
    "assessment": (joinedload(Assessment.assessed_by).load_only(User.id, User.display_name),),
    "activity": (),
    "meeting": (),
}
KINDS = ("activity", "assessment", "contact", "meeting", "stage")


@dataclass(frozen=True)
class Cursor:
    at: datetime
    kind: str
    id: int

    def encode(self) -> str:
        return f"{self.at.isoformat()}~{self.kind}~{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        try:
            at, kind, ident = (text or "").split("~")
            number = record_id(ident)
            if kind not in KINDS or number is None:
                return None
            return cls(datetime.fromisoformat(at), kind, number)
        except ValueError:
            return None


@dataclass
class TimelineEvent:
    kind: str
    at: datetime
    record: Any


@dataclass
class TimelinePage:
    events: list[TimelineEvent]
    next_cursor: str | None


def _before(kind: str, time_col, id_col, cursor: Cursor | None):
    """Keyset condition for one branch: strictly after the cursor in (time, kind, id) descending order."""
    if cursor is None:
        return literal(True)
    if kind < cursor.kind:
        return time_col <= cursor.at
    if kind > cursor.kind:
        return time_col < cursor.at
    return or_(time_col < cursor.at, and_(time_col == cursor.at, id_col < cursor.id))


def _branches(community_id, cursor: Cursor | None):
    for kind, (model, time_col, community_col) in SOURCES.items():
        yield (select(literal(kind).label("kind"), model.id.label("id"), time_col.label("at"))
               .where(community_col == community_id, _before(kind, time_col, model.id, cursor)))
    held_at = Meeting.held_at
    yield (select(literal("meeting").label("kind"), Meeting.id.label("id"), held_at.label("at"))
           .join(meeting_promotions, meeting_promotions.c.meeting_id == Meeting.id)
           .where(meeting_promotions.c.community_id == community_id,
                  _before("meeting", held_at, Meeting.id, cursor)))


def _keys_statement(community_id, cursor: Cursor | None, per_page: int) -> Select:
    events = union_all(*_branches(community_id, cursor)).subquery()
    return (select(events.c.kind, events.c.id, events.c.at)
            .order_by(events.c.at.desc(), events.c.kind.desc(), events.c.id.desc()).limit(per_page + 1))


@functools.cache
def _first_keys_statement(per_page: int) -> Select:
    """The first page's statement, built once: every community page runs it."""
    return _keys_statement(bindparam("community_id"), None, per_page)


def timeline_page(community_id: int, cursor: Cursor | None = None, per_page: int = 25) -> TimelinePage:
    """Return one page of a community's timeline, newest first, and the cursor of the next."""
    if cursor is None:
        keys = db.session.execute(_first_keys_statement(per_page), {"community_id": community_id}).all()
    else:
        keys = db.session.execute(_keys_statement(community_id, cursor, per_page)).all()
    more = len(keys) > per_page
    keys = keys[:per_page]
    records = _load(keys)
    page = [TimelineEvent(kind, at, records[(kind, ident)]) for kind, ident, at in keys
            if (kind, ident) in records]
    next_cursor = Cursor(keys[-1][2], keys[-1][0], keys[-1][1]).encode() if more and keys else None
    return TimelinePage(page, next_cursor)


def _load(keys) -> dict[tuple[str, int], Any]:
    """Load each kind's records in one query."""
    wanted: dict[str, list[int]] = {}
    for kind, ident, _ in keys:
        wanted.setdefault(kind, []).append(ident)
    found = {}
    for kind, ids in wanted.items():
        rows = db.session.scalars(_records_statement(kind), {"ids": ids})
        found.update({(kind, row.id): row for row in rows})
    return found


@functools.cache
def _records_statement(kind: str) -> Select:
    model = SOURCES[kind][0] if kind in SOURCES else Meeting
    return select(model).options(*LOADER_OPTIONS[kind]).where(model.id.in_(bindparam("ids", expanding=True)))
