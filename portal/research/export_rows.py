"""Rows of the export tables, read in batches and pseudonymised on the way out."""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, func, select

from portal.extensions import db
from portal.models import (
    STAGE_PATH, ActivitySample, Area, Assessment, Community, Meeting, OutreachContact, StageChange,
    meeting_promotions,
)
from portal.research.codebook import AUDIENCE_BANDS
from portal.research.pseudonyms import Pseudonymiser
from portal.research.suppression import THRESHOLD

if TYPE_CHECKING:
    from portal.research.export import ExportOptions

BATCH = 1000
TARGETS = ("acknowledged", "two_way", "partner")


@dataclass
class ExportContext:
    options: ExportOptions
    pseudonymise: Pseudonymiser | None
    area_slugs: dict[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, options: ExportOptions, pseudonymise: Pseudonymiser | None) -> ExportContext:
        slugs = {area_id: slug for area_id, slug in db.session.execute(select(Area.id, Area.slug))}
        return cls(options, pseudonymise, slugs)

    def area_conditions(self, column) -> list[ColumnElement[bool]]:
        conditions = []
        if self.options.scope_area_ids is not None:
            conditions.append(column.in_(self.options.scope_area_ids))
        if self.options.area_id is not None:
            conditions.append(column == self.options.area_id)
        return conditions

    @cached_property
    def rare(self) -> tuple[frozenset[int], frozenset[int]]:
        """Communities whose platform, and whose audience band, would single them out.

        Small-cell protection for row-level tables: within an area, a platform shared by
        fewer than THRESHOLD exported communities is blanked (in every table), and so is an
        audience band shared by fewer than THRESHOLD communities of that area and platform.
        Returns (ids whose platform is blanked, ids whose audience band is blanked).
        """
        rows = db.session.execute(
            select(Community.id, Community.area_id, Community.platform, Community.audience_size)
            .where(*self.area_conditions(Community.area_id), Community.created_at < self.options.end)).all()
        platforms = Counter((area, platform) for _cid, area, platform, _size in rows)
        bands = Counter((area, platform, _band(size)) for _cid, area, platform, size in rows)
        hide_platform = frozenset(cid for cid, area, platform, _size in rows if platforms[area, platform] < THRESHOLD)
        hide_band = hide_platform | {cid for cid, area, platform, size in rows
                                     if _band(size) and bands[area, platform, _band(size)] < THRESHOLD}
        return hide_platform, frozenset(hide_band)

    def platform(self, community_id: int | None, platform: str | None) -> str:
        """The community's platform as exported: blank where it would single the community out."""
        return "" if community_id in self.rare[0] else (platform or "")

    def period(self, column) -> list[ColumnElement[bool]]:
        conditions = [column < self.options.end]
        if self.options.start is not None:
            conditions.append(column >= self.options.start)
        return conditions

    @cached_property
    def first_contacts(self) -> dict[int, datetime]:
        """Each community's first outbound contact ever (so relative days do not depend on the filters)."""
        return dict(db.session.execute(
            select(OutreachContact.community_id, func.min(OutreachContact.occurred_at))
            .join(Community).where(OutreachContact.direction == "outbound", OutreachContact.went_out,
                                   *self.area_conditions(Community.area_id))
            .group_by(OutreachContact.community_id)).all())

    def when(self, value: datetime | None, prefix: str = "") -> dict[str, str]:
        if value is None:
            return {f"{prefix}week": "", **({} if self.options.coarsen_weeks else {f"{prefix}date": ""})}
        year, week, _ = value.isocalendar()
        out = {f"{prefix}week": f"{year}-W{week:02d}"}
        if not self.options.coarsen_weeks:
            out[f"{prefix}date"] = value.date().isoformat()
        return out

    def relative_days(self, community_id: int | None, value: datetime) -> int | str:
        first = self.first_contacts.get(community_id) if community_id is not None else None
        return "" if first is None else (value - first) // timedelta(days=1)


def _stream(query: Select) -> Iterator[Any]:
    yield from db.session.execute(query.execution_options(yield_per=BATCH))


def _blank(value: Any) -> Any:
    return "" if value is None else value


def event_queries(ctx: ExportContext) -> dict[str, Select]:
    """One query per event type, each ordered by time."""
    c, s, a, m = OutreachContact, StageChange, Assessment, Meeting
    promoted = (select(func.count()).select_from(meeting_promotions)
                .where(meeting_promotions.c.meeting_id == m.id).scalar_subquery())
    has_text = func.coalesce(func.length(c.message_text), 0) > 0
    has_link = func.coalesce(func.length(c.link), 0) > 0
    where_community = ctx.area_conditions(Community.area_id)
    return {
        "contact": select(c.id, c.occurred_at, c.community_id, c.officer_id, c.channel, c.direction, c.purpose,
                          c.outcome, c.reach_views, c.reach_replies, c.reach_reactions, has_text, has_link,
                          Community.area_id, Community.platform)
        .join(Community).where(*where_community, c.went_out, *ctx.period(c.occurred_at))
        .order_by(c.occurred_at, c.id),
        "stage_change": select(s.id, s.changed_at, s.community_id, s.changed_by_id, s.from_stage, s.to_stage,
                               s.evidence_contact_id, Community.area_id, Community.platform)
        .join(Community).where(*where_community, *ctx.period(s.changed_at)).order_by(s.changed_at, s.id),
        "assessment": select(a.id, a.assessed_at, a.community_id, a.assessed_by_id, a.trust, a.reciprocity,
                             a.reach, Community.area_id, Community.platform)
        .join(Community).where(*where_community, *ctx.period(a.assessed_at)).order_by(a.assessed_at, a.id),
        "meeting": select(m.id, m.held_at, m.area_id, m.created_by_id, m.attendance, promoted)
        .where(*ctx.area_conditions(m.area_id), *ctx.period(m.held_at)).order_by(m.held_at, m.id),
    }


def events(ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """events.csv rows: contacts, then stage changes, assessments and meetings, each in time order."""
    p = ctx.pseudonymise
    queries = event_queries(ctx)
    ctx.first_contacts  # noqa: B018  (load before a cursor is open)
    ctx.rare  # noqa: B018
    empty = dict.fromkeys(("community", "officer", "platform", "channel", "direction", "purpose", "outcome",
                           "reach_views", "reach_replies", "reach_reactions", "has_message", "has_link",
                           "from_stage", "to_stage", "evidence_event", "trust", "reciprocity", "reach",
                           "attendance", "promoting_communities", "days_since_first_contact"), "")

    def base(kind: str, rid: int, when: datetime, area_id: int, community_id: int | None, officer_id):
        return {**empty, "event_id": p.event(kind, rid), "event_type": kind, **ctx.when(when),
                "area": ctx.area_slugs.get(area_id, ""), "community": p.community(community_id),
                "officer": p.officer(officer_id),
                "days_since_first_contact": ctx.relative_days(community_id, when)}

    for (rid, when, cid, oid, channel, direction, purpose, outcome, views, replies, reactions, has_text,
         has_link, area_id, platform) in _stream(queries["contact"]):
        yield {**base("contact", rid, when, area_id, cid, oid), "platform": ctx.platform(cid, platform),
               "channel": channel,
               "direction": direction, "purpose": purpose, "outcome": outcome, "reach_views": _blank(views),
               "reach_replies": _blank(replies), "reach_reactions": _blank(reactions),
               "has_message": "true" if has_text else "false", "has_link": "true" if has_link else "false"}
    for rid, when, cid, oid, from_stage, to_stage, evidence, area_id, platform in _stream(queries["stage_change"]):
        yield {**base("stage_change", rid, when, area_id, cid, oid), "platform": ctx.platform(cid, platform),
               "from_stage": _blank(from_stage), "to_stage": to_stage,
               "evidence_event": p.event("contact", evidence) if evidence else ""}
    for rid, when, cid, oid, trust, reciprocity, reach, area_id, platform in _stream(queries["assessment"]):
        yield {**base("assessment", rid, when, area_id, cid, oid), "platform": ctx.platform(cid, platform),
               "trust": trust,
               "reciprocity": reciprocity, "reach": reach}
    for rid, when, area_id, oid, attendance, promoted in _stream(queries["meeting"]):
        yield {**base("meeting", rid, when, area_id, None, oid), "attendance": _blank(attendance),
               "promoting_communities": promoted or 0}


def community_query(ctx: ExportContext) -> Select:
    return (select(Community.id, Community.area_id, Community.platform, Community.access,
                   Community.police_welcome, Community.audience_size, Community.provenance, Community.status,
                   Community.created_at, Community.locality_score, Community.items_per_week)
            .where(*ctx.area_conditions(Community.area_id), Community.created_at < ctx.options.end)
            .order_by(Community.id))


def _band(size: int | None) -> str:
    if size is None:
        return ""
    return AUDIENCE_BANDS[0 if size < 100 else 1 if size < 1000 else 2 if size < 10000 else 3]


def _histories(ctx: ExportContext) -> dict[int, dict[str, Any]]:
    """Per community: stage at the end of the period, first approach and first time at each target stage."""
    out: dict[int, dict[str, Any]] = defaultdict(dict)
    query = (select(StageChange.community_id, StageChange.changed_at, StageChange.to_stage).join(Community)
             .where(*ctx.area_conditions(Community.area_id), StageChange.changed_at < ctx.options.end)
             .order_by(StageChange.community_id, StageChange.changed_at, StageChange.id))
    for cid, when, stage in _stream(query):
        facts = out[cid]
        facts["stage"] = stage
        if stage in STAGE_PATH[1:]:
            facts.setdefault("approached", when)
            for target in TARGETS:
                if STAGE_PATH.index(stage) >= STAGE_PATH.index(target):
                    facts.setdefault(target, when)
    return out


def communities(ctx: ExportContext) -> Iterator[dict[str, Any]]:
    p = ctx.pseudonymise
    histories = _histories(ctx)
    ctx.first_contacts  # noqa: B018  (load before a cursor is open)
    ctx.rare  # noqa: B018
    contacts = dict(db.session.execute(
        select(OutreachContact.community_id, func.count()).join(Community)
        .where(*ctx.area_conditions(Community.area_id), *ctx.period(OutreachContact.occurred_at),
               OutreachContact.went_out)
        .group_by(OutreachContact.community_id)).all())
    for (cid, area_id, platform, access, welcome, audience, provenance, status, created_at, locality,
         per_week) in _stream(community_query(ctx)):
        facts = histories.get(cid, {})
        first_contact = ctx.first_contacts.get(cid)
        starts = [t for t in (first_contact, facts.get("approached")) if t is not None]
        approach = min(starts) if starts else None
        row = {"community": p.community(cid), "area": ctx.area_slugs.get(area_id, ""),
               "platform": ctx.platform(cid, platform), "access": access, "police_welcome": welcome,
               "audience_band": "" if cid in ctx.rare[1] else _band(audience),
               "provenance": provenance, "status": status, "stage_at_end": facts.get("stage", "identified"),
               **ctx.when(created_at, "identified_"), **ctx.when(first_contact, "first_contact_"),
               "followed_days": "" if approach is None else max(0, (ctx.options.end - approach) // timedelta(days=1)),
               "contacts": contacts.get(cid, 0),
               "locality_score": "" if locality is None else round(locality, 2),
               "items_per_week": "" if per_week is None else round(per_week, 1)}
        for target in TARGETS:
            reached = facts.get(target)
            row[f"days_to_{target}"] = ("" if approach is None or reached is None
                                        else max(0, (reached - approach) // timedelta(days=1)))
        yield row


def activity_query(ctx: ExportContext) -> Select:
    s = ActivitySample
    return (select(s.community_id, s.sampled_at, s.items_per_week, s.items_total, Community.area_id,
                   Community.platform)
            .join(Community).where(*ctx.area_conditions(Community.area_id), *ctx.period(s.sampled_at))
            .order_by(s.sampled_at, s.id))


def activity(ctx: ExportContext) -> Iterator[dict[str, Any]]:
    p = ctx.pseudonymise
    ctx.first_contacts  # noqa: B018  (load before a cursor is open)
    ctx.rare  # noqa: B018
    for cid, sampled_at, per_week, total, area_id, platform in _stream(activity_query(ctx)):
        yield {"community": p.community(cid), "area": ctx.area_slugs.get(area_id, ""),
               "platform": ctx.platform(cid, platform), **ctx.when(sampled_at), "items_per_week": "" if per_week is None else round(per_week, 2),
               "items_total": _blank(total), "days_since_first_contact": ctx.relative_days(cid, sampled_at)}
