"""Stage funnel over time and relationship trajectories (time to each stage, censoring kept)."""
from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import DateTime, and_, case, func, literal, literal_column, or_, select, union_all

from portal.extensions import db
from portal.models import STAGE_BRANCHES, STAGE_LABELS, STAGE_PATH, STAGES, Community, StageChange, utcnow
from portal.research.filters import (
    ALL_AREAS, Selection, as_datetime, community_conditions, first_contacts_of, months, whole_family,
)
from portal.research.family import family_counts
from portal.research.funnel_tallies import tallied, tallied_counts
from portal.research.report import Report, Table
from portal.research.sqltime import DAY_US, elapsed_us, whole
from portal.research.disclosure import MARK, CellTable, Protected, min_cell, text
from portal.research.svg import bars, lines

TARGETS = ("acknowledged", "two_way", "partner")
# How each approached community's time to a target ends: it reached the target, it ended otherwise
# first (declined, hostile or dormant: competing events), or it is still waiting (censored).
REACHED, ENDED, WAITING = "reached", "ended", "waiting"
KINDS = {1: REACHED, 2: ENDED, 0: WAITING}
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


def _month_index(column, limits: list[datetime]):
    """SQL: the index of the first limit after `column` (len(limits) when none is, or NULL stays NULL)."""
    return case(*[(column < limit, m) for m, limit in enumerate(limits)],
                else_=case((column.is_(None), None), else_=len(limits)))


def _funnel_counts(selection: Selection, limits: list[datetime]) -> tuple[list[Counter], Counter]:
    """Stage counts at each limit and how many communities reached each main-path stage.

    From the pre-aggregated tallies when the selection allows it; the tallies know areas and
    platforms but not contacts, so channel, purpose and officer filters count the stage changes.
    """
    if selection.impossible:
        return [Counter() for _ in limits], Counter()
    if tallied(selection, limits):
        return tallied_counts(selection, limits)
    return _counted_changes(selection, limits)


def _counted_changes(selection: Selection, limits: list[datetime]) -> tuple[list[Counter], Counter]:
    """`_funnel_counts` from the stage changes themselves, in SQL (cost grows with the selection's history).

    A stage change is a community's stage at a limit when it happened before the limit and its next
    change did not: i.e. for the limits from its month index up to (not including) the next change's.
    The database returns one row per (first month, month after the last, stage, furthest stage if it
    is the community's last change) with a count, in one pass over the stage changes.
    """
    chosen = select(Community.id).where(*community_conditions(selection))
    path_index = case(*[(StageChange.to_stage == s, i) for i, s in enumerate(STAGE_PATH)], else_=None)
    history = {"partition_by": StageChange.community_id, "order_by": (StageChange.changed_at, StageChange.id)}
    changes = (select(StageChange.to_stage, StageChange.changed_at,
                      func.lead(StageChange.changed_at).over(**history).label("next_at"),
                      func.max(path_index).over(**history).label("furthest_so_far"))
               .where(StageChange.community_id.in_(chosen), StageChange.changed_at < selection.end).subquery())
    first, after = _month_index(changes.c.changed_at, limits), _month_index(changes.c.next_at, limits)
    # On a community's last change the running maximum is the furthest main-path stage it reached.
    furthest = case((changes.c.next_at.is_(None), changes.c.furthest_so_far), else_=None)
    per_month = [Counter() for _ in limits]
    reached: Counter = Counter()
    for start, stop, stage, level, n in db.session.execute(
            select(first, after, changes.c.to_stage, furthest, func.count())
            .group_by(first, after, changes.c.to_stage, furthest)):
        for stage_reached in STAGE_PATH[:(-1 if level is None else level) + 1]:
            reached[stage_reached] += n
        if stage:
            for m in range(start, len(limits) if stop is None else stop):
                per_month[m][stage] += n
    return per_month, reached


def _funnel_by_area(selection: Selection, limits: list[datetime]) -> dict:
    """`_funnel_counts` for every area in scope that has selected communities, keyed by area id.

    One query per area (the tallies answer each from areas x months x stages rows, whatever the
    number of communities): the page shows one area or all of them, and protects every area with
    their sum so that the two cannot be differenced (issue 22).
    """
    family = whole_family(selection)
    areas = db.session.scalars(select(Community.area_id).where(*community_conditions(family)).distinct())
    return {area_id: _funnel_counts(replace(family, area_id=area_id), limits) for area_id in sorted(areas)}


def stage_funnel(selection: Selection, suppress: bool) -> Report:
    """Communities at each stage at the end of each month, and how many ever reached each stage."""
    month_starts = months(selection.start, selection.end)
    ends = [*month_starts[1:], selection.end.date()]
    limits = [datetime.combine(e, datetime.min.time()) for e in ends]
    by_area = family_counts("funnel", selection, lambda: _funnel_by_area(selection, limits))
    here = ALL_AREAS if selection.area_id is None else selection.area_id
    nothing: tuple[list[Counter], Counter] = ([Counter() for _ in month_starts], Counter())
    per_month, reached = (_summed(by_area.values(), len(month_starts)) if here == ALL_AREAS
                          else by_area.get(here, nothing))
    if not reached and not any(per_month):
        return Report(empty=True)
    protected = _protected_funnel(by_area, len(month_starts), suppress)
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


def _summed(counts: Iterable[tuple[list[Counter], Counter]], n_months: int) -> tuple[list[Counter], Counter]:
    per_month, reached = [Counter() for _ in range(n_months)], Counter()
    for months_of_area, reached_of_area in counts:
        for total, month in zip(per_month, months_of_area, strict=True):
            total.update(month)
        reached.update(reached_of_area)
    return per_month, reached


def _protected_funnel(by_area: dict, n_months: int, suppress: bool) -> Protected:
    """Every area's funnel and their sum (all areas) with their sums: each month's total, each stage's
    "reached" as the next stage's plus those that stopped there (never shown, but the difference of
    two shown bars), and every cell of all areas as the sum of the areas' cells."""
    table = CellTable(active=suppress)
    for area, (per_month, reached) in [*by_area.items(), (ALL_AREAS, _summed(by_area.values(), n_months))]:
        for m, counts in enumerate(per_month):
            table.add_sum(table.cell((area, m, "total"), sum(counts.values())),
                          [table.cell((area, m, s), counts[s]) for s in STAGES])
        for s in STAGE_PATH:
            table.cell((area, "reached", s), reached[s])
        for here, after in zip(STAGE_PATH, STAGE_PATH[1:], strict=False):
            table.add_sum((area, "reached", here),
                          [(area, "reached", after), table.latent((area, "stopped", here), reached[here] - reached[after])])
    areas = sorted(by_area)
    for key in {key[1:] for key in table.values if key[0] == ALL_AREAS}:
        table.add_sum((ALL_AREAS, *key), [(area, *key) for area in areas])
    return table.protect()


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
    ended, columns = hits.c[ENDED], [Community.area_id.label("area_id")]
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
    zero = literal_column("0")
    legs = []
    for i in range(len(TARGETS)):
        us, kind = spans.c[f"us{i}"], spans.c[f"kind{i}"]
        day = case((us < zero, zero), (kind == zero, whole(us, DAY_US)), else_=whole(us, DAY_US, up=True))
        legs.append(select(literal_column(str(i)), day, kind, func.count()).group_by(day, kind))
    out: dict[str, Counter] = {t: Counter() for t in TARGETS}
    for i, day, kind, n in db.session.execute(union_all(*legs)):
        out[TARGETS[int(i)]][(int(day), KINDS[int(kind)])] = n
    return out


def trajectory_totals(selection: Selection, now: datetime | None = None) -> Counter:
    """{(area id, target, kind): communities}: how each area's approached communities stand, in SQL."""
    if selection.impossible:
        return Counter()
    spans = _spans(selection, now)
    legs = [select(literal_column(str(i)), spans.c.area_id, spans.c[f"kind{i}"], func.count())
            .group_by(spans.c.area_id, spans.c[f"kind{i}"]) for i in range(len(TARGETS))]
    return Counter({(area_id, TARGETS[int(i)], KINDS[int(kind)]): n
                    for i, area_id, kind, n in db.session.execute(union_all(*legs))})


def kaplan_meier(counts: Counter) -> list[tuple[int, float]]:
    """(day, share reached) steps from {(day, kind): communities}: one minus Kaplan–Meier.

    Communities still waiting, and those that ended otherwise (competing events, here treated as
    censored), leave the risk set after their day without counting as reached (on the same day,
    those that reached it count first).
    """
    at_risk, survival, steps = sum(counts.values()), 1.0, []
    for day in sorted({d for d, _ in counts}):
        events = counts.get((day, REACHED), 0)
        if events and at_risk:
            survival *= 1 - events / at_risk
            steps.append((day, 1 - survival))
        at_risk -= sum(counts.get((day, kind), 0) for kind in KINDS.values())
    return steps


def aalen_johansen(counts: Counter) -> list[tuple[int, float]]:
    """(day, cumulative incidence of reaching) steps from {(day, kind): communities}, with ENDED competing.

    Aalen–Johansen: at each day the share still at risk (no event of either kind yet, by
    Kaplan–Meier over both) times the share of those at risk that reach the target that day. A
    community that declined cannot reach the target later in this estimate, unlike in 1 − KM.
    """
    at_risk, event_free, incidence, steps = sum(counts.values()), 1.0, 0.0, []
    for day in sorted({d for d, _ in counts}):
        reached, ended = counts.get((day, REACHED), 0), counts.get((day, ENDED), 0)
        if (reached or ended) and at_risk:
            if reached:
                incidence += event_free * reached / at_risk
                steps.append((day, incidence))
            event_free *= 1 - (reached + ended) / at_risk
        at_risk -= reached + ended + counts.get((day, WAITING), 0)
    return steps


def protect_curve(steps: list[tuple[int, float]], counts: Counter, active: bool) -> list[tuple[int, float]]:
    """The steps a researcher may see: a step only where at least the minimum cell of communities
    reached the target since the last step shown, so no step size gives a small count away, and
    none is left over between the last step and the count reached."""
    if not active:
        return steps
    k, pending, out = min_cell(), 0, []
    for day, share in steps:
        pending += counts.get((day, REACHED), 0)
        if pending >= k:
            out.append((day, share))
            pending = 0
    if pending and out:
        # The last few would be the count reached minus the last step: they join the last step,
        # which moves to the final day (the curve then ends where the count reached says).
        out[-1] = steps[-1]
    return out


def share_by(steps: list[tuple[float, float]], day: float) -> float:
    """The share reached by `day`: the last step on or before it (steps rise, in day order)."""
    i = bisect_right(steps, (day, math.inf))
    return steps[i - 1][1] if i else 0.0


def quantile_day(steps: list[tuple[float, float]], share: float) -> float | None:
    return next((d for d, s in steps if s >= share - 1e-9), None)


def _protected_trajectory_counts(totals: Counter, suppress: bool) -> Protected:
    """Per area and for all areas: approached = reached + ended otherwise + still waiting, for each
    target, and each cell of all areas the sum of the areas' (one area cannot be differenced out)."""
    table = CellTable(active=suppress)
    areas = sorted({area for area, _, _ in totals})
    cells = [(target, kind) for target in TARGETS for kind in (REACHED, ENDED, WAITING)]
    for area in (*areas, ALL_AREAS):
        approached = sum(totals[area, TARGETS[0], kind] for kind in (REACHED, ENDED, WAITING)) if area != ALL_AREAS \
            else sum(n for (_, target, _), n in totals.items() if target == TARGETS[0])
        table.cell((area, "approached"), approached)
        for target in TARGETS:
            table.add_sum((area, "approached"),
                          [table.cell((area, target, kind), totals[area, target, kind] if area != ALL_AREAS else
                                      sum(totals[a, target, kind] for a in areas)) for kind in (REACHED, ENDED, WAITING)])
    for cell in ("approached", *cells):
        key = cell if isinstance(cell, tuple) else (cell,)
        table.add_sum((ALL_AREAS, *key), [(area, *key) for area in areas])
    return table.protect()


def trajectory_report(selection: Selection, suppress: bool) -> Report:
    data = trajectories(selection)
    if sum(data[TARGETS[0]].values()) == 0:
        return Report(empty=True)
    totals = family_counts("trajectories", selection, lambda: trajectory_totals(whole_family(selection)))
    protected = _protected_trajectory_counts(totals, suppress)
    here = ALL_AREAS if selection.area_id is None else selection.area_id
    km, aj, rows, horizon = {}, {}, [], 0
    for target in TARGETS:
        counts = data[target]
        # A curve ends at its count reached: it is drawn only when that count is shown.
        drawn = protected.visible((here, target, REACHED))
        km[target] = protect_curve(kaplan_meier(counts), counts, suppress) if drawn else None
        aj[target] = protect_curve(aalen_johansen(counts), counts, suppress) if drawn else None
        horizon = max([horizon, *[day for day, _ in counts]])
        steps = km[target]
        day_cell = lambda q, s=steps: MARK if s is None else (  # noqa: E731
            f"{quantile_day(s, q):.0f}" if quantile_day(s, q) is not None else "not yet reached")
        rows.append([STAGE_LABELS[target], protected.text((here, "approached")),
                     *[protected.text((here, target, kind)) for kind in (REACHED, ENDED, WAITING)],
                     day_cell(0.5), _spread(day_cell(0.25), day_cell(0.75)),
                     *[MARK if steps is None else f"{100 * share_by(steps, d):.0f}%" for d in MILESTONE_DAYS],
                     *[MARK if aj[target] is None else f"{100 * share_by(aj[target], d):.0f}%" for d in MILESTONE_DAYS]])
    grid = list(range(0, int(horizon) + 8, 7))
    series = [(f"{STAGE_LABELS[t]} ({name})", [None if curve[t] is None else round(100 * share_by(curve[t], d), 1)
                                             for d in grid]) for t in TARGETS for name, curve in (("KM", km), ("AJ", aj))]
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
