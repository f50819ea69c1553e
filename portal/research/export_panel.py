"""panel.csv: one row per community and calendar month, as of the end of each month.

Communities are read in pages of ids (keyset), and each page's stage changes, contacts,
assessments and activity samples with one query each, so memory holds one page at a time.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from portal.extensions import db
from portal.models import ActivitySample, Assessment, Community, OutreachContact, StageChange
from portal.research.export_context import ExportContext
from portal.research.vocabulary import NOT_APPLICABLE, UNKNOWN

PAGE = 1000


def _month_start(value: datetime) -> datetime:
    return datetime(value.year, value.month, 1)


def _next_month(value: datetime) -> datetime:
    return datetime(value.year + value.month // 12, value.month % 12 + 1, 1)


def _by_community(query) -> dict[int, list[tuple]]:
    grouped: dict[int, list[tuple]] = defaultdict(list)
    for row in db.session.connection().execute(query):
        grouped[row[0]].append(tuple(row[1:]))
    return grouped


def _page_facts(ctx: ExportContext, ids: list[int]) -> dict[str, dict[int, list[tuple]]]:
    """Each kind of dated fact of these communities up to the end date, in time order."""
    end = ctx.options.end
    c, s, a, x = OutreachContact, StageChange, Assessment, ActivitySample
    return {
        "stages": _by_community(select(s.community_id, s.changed_at, s.to_stage)
                                .where(s.community_id.in_(ids), s.changed_at < end)
                                .order_by(s.community_id, s.changed_at, s.id)),
        "contacts": _by_community(select(c.community_id, c.occurred_at)
                                  .where(c.community_id.in_(ids), c.went_out, c.occurred_at < end)
                                  .order_by(c.community_id, c.occurred_at)),
        "assessments": _by_community(select(a.community_id, a.assessed_at, a.trust, a.reciprocity, a.reach)
                                     .where(a.community_id.in_(ids), a.assessed_at < end)
                                     .order_by(a.community_id, a.assessed_at, a.id)),
        "activity": _by_community(select(x.community_id, x.sampled_at, x.items_per_week)
                                  .where(x.community_id.in_(ids), x.sampled_at < end)
                                  .order_by(x.community_id, x.sampled_at, x.id)),
    }


def _pages(ctx: ExportContext) -> Iterator[list[tuple[int, int, datetime]]]:
    last = 0
    while True:
        rows = db.session.execute(select(Community.id, Community.area_id, Community.created_at)
                                  .where(*ctx.catalogued(), Community.id > last)
                                  .order_by(Community.id).limit(PAGE)).all()
        if not rows:
            return
        yield [tuple(row) for row in rows]
        last = rows[-1][0]


def _months(ctx: ExportContext, created_at: datetime) -> Iterator[tuple[datetime, datetime]]:
    """(start, exclusive end) of each month of the community's life within the period."""
    first = max(created_at, ctx.options.start) if ctx.options.start else created_at
    last = ctx.options.end - timedelta(microseconds=1)
    month = _month_start(first)
    while month <= last:
        yield month, _next_month(month)
        month = _next_month(month)


def _community_months(ctx: ExportContext, cid: int, area: str, created_at: datetime,
                      facts: dict[str, list[tuple]]) -> Iterator[dict[str, Any]]:
    stages, contacts = facts["stages"], facts["contacts"]
    assessments, samples = facts["assessments"], facts["activity"]
    at = {"stages": 0, "contacts": 0, "assessments": 0, "activity": 0}
    pseudonyms = ctx.pseudonyms
    community = pseudonyms.community(cid)
    for start, end in _months(ctx, created_at):
        counted = {}
        for kind, rows in (("stages", stages), ("contacts", contacts), ("assessments", assessments),
                           ("activity", samples)):
            before, i = at[kind], at[kind]
            while i < len(rows) and rows[i][0] < end:
                i += 1
            at[kind] = i
            counted[kind] = sum(1 for row in rows[before:i] if row[0] >= start)
        rating = assessments[at["assessments"] - 1] if at["assessments"] else None
        sample = samples[at["activity"] - 1] if at["activity"] else None
        yield {"community": community, "month": f"{start:%Y-%m}", "area": area,
               "stage": stages[at["stages"] - 1][1] if at["stages"] else "identified",
               "contacts": counted["contacts"], "contacts_to_date": at["contacts"],
               "assessments": counted["assessments"],
               "trust": rating[1] if rating else NOT_APPLICABLE,
               "reciprocity": rating[2] if rating else NOT_APPLICABLE,
               "reach": rating[3] if rating else NOT_APPLICABLE,
               "items_per_week": UNKNOWN if sample is None or sample[1] is None else round(sample[1], 2)}


def panel(ctx: ExportContext) -> Iterator[dict[str, Any]]:
    """panel.csv rows, community by community, month by month."""
    ctx.preload()
    empty: list[tuple] = []
    for page in _pages(ctx):
        facts = _page_facts(ctx, [cid for cid, _area, _created in page])
        for cid, area_id, created_at in page:
            area = ctx.attribute(cid, "area_id", area_id)
            slug = ctx.area_slugs.get(area, ctx.area_slugs.get(area_id, ""))
            mine = {kind: rows.get(cid, empty) for kind, rows in facts.items()}
            yield from _community_months(ctx, cid, slug, created_at, mine)
