"""Stage funnel over time: communities at each stage at each month's end, and how many reached each."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import case, func, select

from portal.extensions import db
from portal.models import STAGE_LABELS, STAGE_PATH, STAGES, Community, StageChange
from portal.research.filters import (
    ALL_AREAS, Selection, community_conditions, family_platforms, months, place_of, platform_family, platform_place,
    split_places, whole_family,
)
from portal.research.family import add_platform_sums, family_counts, family_protected
from portal.research.funnel_tallies import tallied, tallied_counts
from portal.research.report import Report, Table
from portal.research.disclosure import CellTable, Protected, text
from portal.research.svg import bars

# Communities at each stage at each month's end, and how many reached each main-path stage.
Funnel = tuple[list[Counter[str]], Counter[str]]

def _month_index(column, limits: list[datetime]):
    """SQL: the index of the first limit after `column` (len(limits) when none is, or NULL stays NULL)."""
    return case(*[(column < limit, m) for m, limit in enumerate(limits)],
                else_=case((column.is_(None), None), else_=len(limits)))


def _funnel_counts(selection: Selection, limits: list[datetime]) -> Funnel:
    """Stage counts at each limit and how many communities reached each main-path stage.

    From the pre-aggregated tallies when the selection allows it; the tallies know areas and
    platforms but not contacts, so channel, purpose and officer filters count the stage changes.
    """
    if selection.impossible:
        return [Counter() for _ in limits], Counter()
    if tallied(selection, limits):
        return tallied_counts(selection, limits)
    return _counted_changes(selection, limits)


def _counted_changes(selection: Selection, limits: list[datetime]) -> Funnel:
    """`_funnel_counts` from the stage changes themselves, in SQL (cost grows with the selection's history).

    A stage change is a community's stage at a limit when it happened before the limit and its next
    change did not: i.e. for the limits from its month index up to (not including) the next change's.
    The database returns one row per (first month, month after the last, stage, furthest stage if it
    is the community's last change) with a count, in one pass over the stage changes.
    """
    chosen = select(Community.id).where(*community_conditions(selection))
    path_index = case(*[(StageChange.to_stage == s, i) for i, s in enumerate(STAGE_PATH)], else_=None)
    community, in_order = StageChange.community_id, (StageChange.changed_at, StageChange.id)
    changes = (select(StageChange.to_stage, StageChange.changed_at,
                      func.lead(StageChange.changed_at).over(partition_by=community, order_by=in_order).label("next_at"),
                      func.max(path_index).over(partition_by=community, order_by=in_order).label("furthest_so_far"))
               .where(StageChange.community_id.in_(chosen), StageChange.changed_at < selection.end).subquery())
    first, after = _month_index(changes.c.changed_at, limits), _month_index(changes.c.next_at, limits)
    # On a community's last change the running maximum is the furthest main-path stage it reached.
    furthest = case((changes.c.next_at.is_(None), changes.c.furthest_so_far), else_=None)
    per_month: list[Counter[str]] = [Counter() for _ in limits]
    reached: Counter[str] = Counter()
    for start, stop, stage, level, n in db.session.execute(
            select(first, after, changes.c.to_stage, furthest, func.count())
            .group_by(first, after, changes.c.to_stage, furthest)):
        for stage_reached in STAGE_PATH[:(-1 if level is None else level) + 1]:
            reached[stage_reached] += n
        if stage:
            for m in range(start, len(limits) if stop is None else stop):
                per_month[m][stage] += n
    return per_month, reached


def _funnel_by_area(selection: Selection, limits: list[datetime]) -> dict[int, Funnel]:
    """`_funnel_counts` for every area in scope that has selected communities, keyed by area id.

    One query per area (the tallies answer each from areas x months x stages rows, whatever the
    number of communities): the page shows one area or all of them, and protects every area with
    their sum so that the two cannot be differenced (issue 22).
    """
    family = whole_family(selection)
    areas = db.session.scalars(select(Community.area_id).where(*community_conditions(family)).distinct())
    return {area_id: _funnel_counts(replace(family, area_id=area_id), limits) for area_id in sorted(areas)}


def _funnel_family(family: Selection, limits: list[datetime]) -> dict[object, Funnel]:
    """`_funnel_by_area` of a `platform_family`, and each of its platforms' funnel for every area together
    (keyed by `platform_place`): from the tallies, which keep every area's rows per platform."""
    counted: dict[object, Funnel] = {area: funnel for area, funnel in _funnel_by_area(family, limits).items()}
    for platform in family_platforms(family):
        counted[platform_place(platform)] = _funnel_counts(replace(family, platform=platform), limits)
    return counted


def stage_funnel(selection: Selection, suppress: bool) -> Report:
    """Communities at each stage at the end of each month, and how many ever reached each stage."""
    month_starts = months(selection.start, selection.end)
    ends = [*month_starts[1:], selection.end.date()]
    limits = [datetime.combine(e, datetime.min.time()) for e in ends]
    family = platform_family(selection)
    counted = family_counts("funnel", family, lambda: _funnel_family(family, limits), suppress=suppress)
    here = place_of(selection)
    nothing: Funnel = ([Counter() for _ in month_starts], Counter())
    by_area = {area: counted[area] for area in split_places(counted)[0]}
    per_month, reached = (_summed(by_area.values(), len(month_starts)) if here == ALL_AREAS
                          else counted.get(here, nothing))
    if not reached and not any(per_month):
        return Report(empty=True)
    protected = family_protected("funnel", family, suppress,
                                 lambda: _protected_funnel(counted, len(month_starts), suppress))
    labels = [m.strftime("%b %Y") for m in month_starts]
    series = [(STAGE_LABELS[s], [protected[here, m, s] for m in range(len(month_starts))]) for s in STAGES]
    reached_row = [protected[here, "reached", s] for s in STAGE_PATH]
    report = Report(charts=[
        bars("funnel-month", "Communities at each stage, month by month",
             "Stacked bars: for each month, the number of communities at each relationship stage at the month's end.",
             labels, series),
        bars("funnel-reached", "Communities that ever reached each stage",
             "Bars: how many of the selected communities reached each stage of the main path.",
             [STAGE_LABELS[s] for s in STAGE_PATH], [("Communities", reached_row)]),
    ])
    report.tables.append(Table("Communities at each stage at the end of each month",
                               ["Month", *[STAGE_LABELS[s] for s in STAGES], "Total"],
                               [[label, *[protected.text((here, m, s)) for s in STAGES],
                                 protected.text((here, m, "total"))] for m, label in enumerate(labels)]))
    report.tables.append(Table("Communities that ever reached each stage", ["Stage", "Communities"],
                               [[STAGE_LABELS[s], text(v)] for s, v in zip(STAGE_PATH, reached_row, strict=True)]))
    report.notes.append("A community's stage at a month's end is its latest stage change up to then "
                        "(stage changes are the event log of each relationship).")
    return report


def _summed(counts: Iterable[Funnel], n_months: int) -> Funnel:
    """The areas' funnels added up, cell by cell."""
    per_month: list[Counter[str]] = [Counter() for _ in range(n_months)]
    reached: Counter[str] = Counter()
    for months_of_area, reached_of_area in counts:
        for total, month in zip(per_month, months_of_area, strict=True):
            total.update(month)
        reached.update(reached_of_area)
    return per_month, reached


def _protected_funnel(counted: dict[object, Funnel], n_months: int, suppress: bool) -> Protected:
    """Every area's funnel and their sum (all areas) with their sums: each month's total, each stage's
    "reached" as the next stage's plus those that stopped there (never shown, but the difference of
    two shown bars), and every cell of all areas as the sum of the areas' cells; each platform's funnel
    for every area together the same way, every cell of all areas the sum of the platforms' too."""
    table = CellTable(active=suppress)
    areas, platforms = split_places(counted)
    by_area = {area: counted[area] for area in areas}
    for area, (per_month, reached) in [*by_area.items(), (ALL_AREAS, _summed(by_area.values(), n_months)),
                                       *((platform, counted[platform]) for platform in platforms)]:
        for m, counts in enumerate(per_month):
            table.add_sum(table.cell((area, m, "total"), sum(counts.values())),
                          [table.cell((area, m, s), counts[s]) for s in STAGES])
        for s in STAGE_PATH:
            table.cell((area, "reached", s), reached[s])
        for here, after in zip(STAGE_PATH, STAGE_PATH[1:], strict=False):
            table.add_sum((area, "reached", here),
                          [(area, "reached", after), table.latent((area, "stopped", here), reached[here] - reached[after])])
    # Every key here is a tuple (area, ...); CellTable keys are any hashable, hence the check.
    for key in {key[1:] for key in table.values if isinstance(key, tuple) and key[0] == ALL_AREAS}:
        table.add_sum((ALL_AREAS, *key), [(area, *key) for area in areas])
    add_platform_sums(table, [platform for _, platform in platforms])
    return table.protect()
