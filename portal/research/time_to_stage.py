"""Relationship trajectories: time from first approach to each stage, censoring and competing endings kept.

The SQL that measures each approached community's span to each target, and the report built on
it; the estimators over those spans are in `survival.py`.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnClause, DateTime, and_, case, func, literal, literal_column, or_, select, union_all

from portal.extensions import db
from portal.models import STAGE_BRANCHES, STAGE_LABELS, STAGE_PATH, Community, StageChange, utcnow
from portal.research.filters import (
    ALL_AREAS, Selection, as_datetime, community_conditions, first_contacts_of, place_of, platform_family,
    platform_place, split_places,
)
from portal.research.family import add_platform_sums, family_counts, family_protected, view_counts
from portal.research.report import Report, Table
from portal.research.sqltime import DAY_US, elapsed_us, whole
from portal.research.disclosure import MARK, CellTable, Protected, min_cell
from portal.research.survival import (
    ENDED, KINDS, REACHED, WAITING, Steps, aalen_johansen, kaplan_meier, protect_curve, quantile_day, share_by,
)
from portal.research.svg import lines

TARGETS = ("acknowledged", "two_way", "partner")
MILESTONE_DAYS = (30, 90, 180)


def _first_reached_rows(chosen, until: datetime):
    """Subquery: per chosen community with stage changes before `until`, when it first reached each target.

    A target counts as reached by a change to it or to any later main-path stage; one row per
    community (columns community_id and one per target, NULL when not reached).
    """
    firsts = [func.min(case((StageChange.to_stage.in_(STAGE_PATH[STAGE_PATH.index(t):]), StageChange.changed_at)))
              .label(t) for t in TARGETS]
    ended = func.min(case((StageChange.to_stage.in_(STAGE_BRANCHES), StageChange.changed_at))).label(ENDED)
    return (select(StageChange.community_id, *firsts, ended)
            .where(StageChange.community_id.in_(chosen), StageChange.changed_at < until)
            .group_by(StageChange.community_id)
            .subquery())


def _first_reached(selection: Selection, until: datetime) -> dict[int, list[datetime | None]]:
    """Per selected community with stage changes before `until`: when it first reached each target (or None)."""
    chosen = select(Community.id).where(*community_conditions(selection))
    reached = _first_reached_rows(chosen, until)
    rows = db.session.execute(select(reached.c.community_id, *[reached.c[t] for t in TARGETS]))
    return {community_id: [as_datetime(t) for t in hits] for community_id, *hits in rows}


def _first_approaches(conditions: list, start: datetime, end: datetime):
    """Subquery: the first approach (first outbound contact that went out, or first move onto the
    path past 'new', whichever is earlier) of each community meeting `conditions`, when it falls
    in [start, end)."""
    chosen = select(Community.id).where(*conditions)
    approaches = union_all(
        first_contacts_of(conditions),
        select(StageChange.community_id, func.min(StageChange.changed_at))
        .where(StageChange.community_id.in_(chosen), StageChange.to_stage.in_(STAGE_PATH[1:]))
        .group_by(StageChange.community_id)).subquery()
    first = func.min(approaches.c.first)
    return (select(approaches.c.community_id, first.label("first"))
            .group_by(approaches.c.community_id)
            .having(first >= start, first < end)
            .cte("first_approaches"))  # a CTE: read twice below, computed once


def _spans(selection: Selection, now: datetime | None):
    """CTE: per community first approached in the period, its area and, per target, the span
    (microseconds) to reaching it, ending otherwise or now, and which of the three it was."""
    observed_until = min(selection.end, now or utcnow())
    firsts = _first_approaches(community_conditions(selection), selection.start, selection.end)
    hits = _first_reached_rows(select(firsts.c.community_id), observed_until)
    until = literal(observed_until, DateTime())
    ended = hits.c[ENDED]
    columns: list[Any] = [Community.area_id.label("area_id"), Community.platform.label("platform")]
    for i, t in enumerate(TARGETS):
        hit = hits.c[t]
        reached_first = and_(hit.is_not(None), or_(ended.is_(None), hit <= ended))
        ended_first = and_(ended.is_not(None), or_(hit.is_(None), ended < hit))
        columns += [elapsed_us(case((reached_first, hit), (ended_first, ended), else_=until), firsts.c.first)
                    .label(f"us{i}"), case((reached_first, 1), (ended_first, 2), else_=0).label(f"kind{i}")]
    return (select(*columns)
            .select_from(firsts.outerjoin(hits, hits.c.community_id == firsts.c.community_id)
                         .join(Community, Community.id == firsts.c.community_id))
            .cte("spans"))


def trajectories(selection: Selection, now: datetime | None = None) -> dict[str, Counter]:
    """Per target stage: {(days, kind): communities} over the communities first approached in the period.

    `kind` is REACHED, ENDED (declined, hostile or dormant first: a competing event) or WAITING.
    `days` are whole days from the first approach: to the target or the competing event rounded
    up (it happened within that many days), or, for a community still waiting, the days observed
    so far rounded down (observed until the end of the period or now). Counted in SQL: a few
    hundred rows back whatever the number of communities.
    """
    if selection.impossible:
        return {t: Counter() for t in TARGETS}
    spans = _spans(selection, now)
    # Constants inline, so that each GROUP BY expression is the selected one, word for word.
    zero: ColumnClause[int] = literal_column("0")
    legs = []
    for i in range(len(TARGETS)):
        us, kind = spans.c[f"us{i}"], spans.c[f"kind{i}"]
        day = case((us < zero, zero), (kind == zero, whole(us, DAY_US)), else_=whole(us, DAY_US, up=True))
        legs.append(select(literal_column(str(i)), day, kind, func.count()).group_by(day, kind))
    out: dict[str, Counter] = {t: Counter() for t in TARGETS}
    for i, day, kind, n in db.session.execute(union_all(*legs)):
        out[TARGETS[int(i)]][(int(day), KINDS[int(kind)])] = n
    return out


def trajectory_family(family: Selection, now: datetime | None = None) -> Counter:
    """{(area id, target, kind): communities}: how each area's approached communities of a
    `platform_family` stand, and each platform's for every area together (keyed by `platform_place`),
    from one query grouped by area and platform."""
    return _by_place(_totals(family, now), platforms=not family.platform)


def _totals(selection: Selection, now: datetime | None) -> Counter:
    """{(area id, platform, target, kind): communities}, in SQL."""
    if selection.impossible:
        return Counter()
    spans = _spans(selection, now)
    legs = [select(literal_column(str(i)), spans.c.area_id, spans.c.platform, spans.c[f"kind{i}"], func.count())
            .group_by(spans.c.area_id, spans.c.platform, spans.c[f"kind{i}"]) for i in range(len(TARGETS))]
    return Counter({(area_id, platform, TARGETS[int(i)], KINDS[int(kind)]): n
                    for i, area_id, platform, kind, n in db.session.execute(union_all(*legs))})


def _by_place(totals: Counter, platforms: bool) -> Counter:
    out: Counter = Counter()
    for (area_id, platform, target, kind), n in totals.items():
        out[area_id, target, kind] += n
        if platforms:
            out[platform_place(platform), target, kind] += n
    return out


def _protected_trajectory_counts(totals: Counter, suppress: bool) -> Protected:
    """Per area and for all areas: approached = reached + ended otherwise + still waiting, for each
    target, and each cell of all areas the sum of the areas' (one area cannot be differenced out);
    per platform for every area together the same, each cell of all areas the sum of the platforms'."""
    table = CellTable(active=suppress)
    areas, platforms = split_places(place for place, _, _ in totals)
    cells = [(target, kind) for target in TARGETS for kind in (REACHED, ENDED, WAITING)]
    every = Counter({cell: sum(totals[(a, *cell)] for a in areas) for cell in cells})
    for area in (*areas, ALL_AREAS, *platforms):
        counts = every if area == ALL_AREAS else Counter({cell: totals[(area, *cell)] for cell in cells})
        table.cell((area, "approached"), sum(counts[TARGETS[0], kind] for kind in (REACHED, ENDED, WAITING)))
        for target in TARGETS:
            table.add_sum((area, "approached"),
                          [table.cell((area, target, kind), counts[target, kind]) for kind in (REACHED, ENDED, WAITING)])
    for cell in ("approached", *cells):
        key = cell if isinstance(cell, tuple) else (cell,)
        table.add_sum((ALL_AREAS, *key), [(area, *key) for area in areas])
    add_platform_sums(table, [place[1] for place in platforms])
    return table.protect()


def trajectory_report(selection: Selection, suppress: bool) -> Report:
    data = view_counts("trajectories", selection, lambda: trajectories(selection), suppress=suppress)
    if sum(data[TARGETS[0]].values()) == 0:
        return Report(empty=True)
    family = platform_family(selection)
    totals = family_counts("trajectories", family, lambda: trajectory_family(family), suppress=suppress)
    protected = family_protected("trajectories", family, suppress, lambda: _protected_trajectory_counts(totals, suppress))
    here = place_of(selection)
    km: dict[str, Steps | None] = {}
    aj: dict[str, Steps | None] = {}
    rows: list[list[str]] = []
    horizon = 0
    for target in TARGETS:
        counts = data[target]
        # A curve ends at its count reached: it is drawn only when that count is shown.
        drawn = protected.visible((here, target, REACHED))
        km[target] = protect_curve(kaplan_meier(counts), counts, suppress) if drawn else None
        aj[target] = protect_curve(aalen_johansen(counts), counts, suppress) if drawn else None
        horizon = max([horizon, *[day for day, _ in counts]])
        rows.append([STAGE_LABELS[target], protected.text((here, "approached")),
                     *[protected.text((here, target, kind)) for kind in (REACHED, ENDED, WAITING)],
                     _day_cell(km[target], 0.5), _spread(_day_cell(km[target], 0.25), _day_cell(km[target], 0.75)),
                     *[_share_cell(km[target], d) for d in MILESTONE_DAYS],
                     *[_share_cell(aj[target], d) for d in MILESTONE_DAYS]])
    grid = list(range(0, int(horizon) + 8, 7))
    series = [(f"{STAGE_LABELS[t]} ({name})", _percent_points(curve[t], grid))
              for t in TARGETS for name, curve in (("KM", km), ("AJ", aj))]
    chart = lines("trajectory-km", "Share of approached communities that reached each stage, by days since first approach",
                  "Step lines: the share of communities that had reached acknowledged, two-way and partner by each "
                  "number of days after the first approach, as Kaplan–Meier (KM, those that declined, turned hostile "
                  "or went dormant counted as still able to) and as Aalen–Johansen cumulative incidence (AJ, those "
                  "counted as no longer able to).",
                  [str(d) for d in grid], series, y_max=100, unit="%", step=True)
    table = Table("Time from first approach to each stage (days)",
                  ["Stage", "Approached", "Reached", "Ended otherwise", "Still waiting", "Median days (KM)",
                   "Middle half (days, KM)", *[f"Reached by day {d} (KM)" for d in MILESTONE_DAYS],
                   *[f"Reached by day {d} (AJ)" for d in MILESTONE_DAYS]], rows)
    notes = ["Communities that have not reached a stage yet are kept as 'still waiting' (right-censored at the end "
             "of the period or today): they count in the risk set until then, so the shares are not inflated.",
             "'Ended otherwise' counts communities that declined, turned hostile or went dormant before reaching the "
             "stage: competing events. Kaplan–Meier (KM) treats them as censored, which answers 'how soon, if "
             "nothing stopped it'; Aalen–Johansen cumulative incidence (AJ) treats them as having left for good, "
             "which answers 'what share actually got there'. AJ is never above KM.",
             "Median and middle half are Kaplan–Meier estimates; 'not yet reached' means the share never got there.",
             "Days are whole days since the first approach: reaching a stage after 10.2 days counts as within day 11; "
             "a community still waiting after 10.2 days was observed for 10 whole days."]
    if suppress:
        notes.append(f"Curves move only where at least {min_cell()} communities reached the stage since the last "
                     "step shown, and are not drawn when the count reached is withheld.")
    return Report(charts=[chart], tables=[table], notes=notes)


def _spread(low: str, high: str) -> str:
    return low if low == high else f"{low} – {high}"


def _day_cell(steps: Steps | None, share: float) -> str:
    """The day the Kaplan–Meier share first reaches `share`, for the table (the mark when withheld)."""
    if steps is None:
        return MARK
    day = quantile_day(steps, share)
    return "not yet reached" if day is None else f"{day:.0f}"


def _share_cell(steps: Steps | None, day: int) -> str:
    """The share reached by `day`, as a whole percentage for the table (the mark when withheld)."""
    return MARK if steps is None else f"{100 * share_by(steps, day):.0f}%"


def _percent_points(steps: Steps | None, grid: list[int]) -> list[float | None]:
    """The curve's percentage at each day of the chart's grid (gaps where the curve is withheld)."""
    return [None if steps is None else round(100 * share_by(steps, day), 1) for day in grid]
