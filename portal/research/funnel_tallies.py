"""The stage funnel's counts read from `stage_tallies` instead of every stage change of the selection.

The work is bounded by areas × months × stages (plus the days of the last month), or months ×
stages for every area: it does not grow with the number of communities or stage changes. Results are identical to counting the
stage changes (tests/portal/test_funnel_tallies.py compares the two on random histories).
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time

from sqlalchemy import and_, func, or_, select

from portal.extensions import db
from portal.models import STAGE_PATH
from portal.models.tallies import ALL_AREAS, ALL_PLATFORMS, DAY, FURTHEST, MONTH, StageTally
from portal.research.filters import Selection


def tallied(selection: Selection, limits: list[datetime]) -> bool:
    """Whether the tallies can answer: no contact filter, every limit a midnight within the period."""
    return (not selection.contact_filtered and not selection.impossible
            and all(limit.time() == time.min and limit <= selection.end for limit in limits))


def _before(span: str, starts: date, day: date) -> bool:
    """Whether a tally row counts towards the stage counts at midnight of `day`."""
    first = day.replace(day=1)
    return starts < first if span == MONTH else first <= starts < day


def tallied_counts(selection: Selection, limits: list[datetime]) -> tuple[list[Counter], Counter]:
    """Same as counting the stage changes: stage counts at each limit, and communities reaching each stage."""
    days = [limit.date() for limit in limits]
    end = selection.end.date()
    conditions = [StageTally.platform == (selection.platform or ALL_PLATFORMS)]
    if selection.scope_area_ids is not None:
        conditions.append(StageTally.area_id.in_(selection.scope_area_ids - {ALL_AREAS}))
    if selection.area_id is not None:
        conditions.append(StageTally.area_id == selection.area_id)
    if selection.scope_area_ids is None and selection.area_id is None:
        conditions.append(StageTally.area_id == ALL_AREAS)  # every area: the roll-up rows
    spans = [and_(StageTally.span == MONTH, StageTally.starts < max(d.replace(day=1) for d in [*days, end]))]
    spans += [and_(StageTally.span == DAY, StageTally.starts >= d.replace(day=1), StageTally.starts < d)
              for d in sorted({*days, end}) if d.day != 1]
    rows = db.session.execute(
        select(StageTally.span, StageTally.starts, StageTally.stage, StageTally.measure, func.sum(StageTally.change))
        .where(*conditions, or_(*spans))
        .group_by(StageTally.span, StageTally.starts, StageTally.stage, StageTally.measure))
    per_month: list[Counter] = [Counter() for _ in limits]
    furthest: Counter = Counter()
    for span, starts, stage, measure, n in rows:
        if measure == FURTHEST:
            if _before(span, starts, end):
                furthest[stage] += n
            continue
        for month, day in zip(per_month, days, strict=True):
            if stage and _before(span, starts, day):
                month[stage] += n
    reached = Counter({stage: sum(furthest[s] for s in STAGE_PATH[level:])
                       for level, stage in enumerate(STAGE_PATH)})
    return [Counter({s: n for s, n in month.items() if n}) for month in per_month], \
        Counter({s: n for s, n in reached.items() if n})
