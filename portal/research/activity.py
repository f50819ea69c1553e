"""Community activity before and after outreach, and assessment trends."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import ColumnClause, case, func, literal_column, select, union_all

from portal.extensions import db
from portal.models import ActivitySample, Assessment, Community
from portal.research.filters import (
    ALL_AREAS, Selection, community_conditions, first_contacts_of, months, place_of, platform_family,
    platform_place, split_places,
)
from portal.research.report import Report, Table
from portal.research.sqltime import WEEK_US, elapsed_us, month_start, whole
from portal.research.disclosure import MARK, CellTable, Protected, mean, min_cell
from portal.research.family import add_platform_sums, family_counts, family_protected, view_counts
from portal.research.releases import kept_class
from portal.research.svg import lines

WINDOW_WEEKS = 12
SCORES = (("trust", "Trust"), ("reciprocity", "Reciprocity"), ("reach", "Reach"))


def _first_contact_rows(selection: Selection):
    """Each selected community's first outbound contact, when it falls in the period (a subquery)."""
    return first_contacts_of(community_conditions(selection), selection.start, selection.end).subquery()


def first_contacts(selection: Selection) -> dict[int, object]:
    """Each selected community's first outbound contact, when it falls in the period."""
    return dict(db.session.execute(select(_first_contact_rows(selection))).tuples().all())


@kept_class("weeks", "paired")
@dataclass
class ActivitySummary:
    """Feed activity around first contacts: per week offset, and for communities sampled on both sides.

    `weeks` maps a week offset (-12 to 11) to (communities sampled, mean, median) of the
    communities' own means that week; `paired` is (communities, mean before, mean after) over
    the communities sampled both before and after their first contact.
    """

    weeks: dict[int, tuple[int, float, float]] = field(default_factory=dict)
    paired: tuple[int, float | None, float | None] = (0, None, None)


def activity_summary(selection: Selection) -> ActivitySummary:
    """Computed in SQL (one statement): at 100,000 communities the samples in the window are a
    few hundred thousand rows, and the page needs 25."""
    per_week = _weekly_means(selection).cte("weekly_means")
    ranked = select(per_week.c.week, per_week.c.mean,
                    func.row_number().over(partition_by=per_week.c.week, order_by=per_week.c.mean).label("rank"),
                    func.count().over(partition_by=per_week.c.week).label("n")).subquery()
    middle = ranked.c.rank.in_([whole(ranked.c.n, 2, up=True), whole(ranked.c.n, 2) + literal_column("1")])
    weeks = (select(literal_column("'week'").label("kind"), ranked.c.week, func.count(), func.avg(ranked.c.mean),
                    func.avg(case((middle, ranked.c.mean))))
             .group_by(ranked.c.week))
    sides = (select(func.avg(case((per_week.c.week < 0, per_week.c.mean))).label("before"),
                    func.avg(case((per_week.c.week >= 0, per_week.c.mean))).label("after"))
             .group_by(per_week.c.community_id).subquery())
    paired = (select(literal_column("'paired'"), literal_column("0"), func.count(), func.avg(sides.c.before),
                     func.avg(sides.c.after))
              .where(sides.c.before.is_not(None), sides.c.after.is_not(None)))
    summary = ActivitySummary()
    for kind, week, n, first, second in db.session.execute(union_all(weeks, paired)):
        if kind == "week":
            summary.weeks[int(week)] = (n, float(first), float(second))
        elif n:
            summary.paired = (n, float(first), float(second))
    return summary


def sampled_by_area(family: Selection) -> tuple[Counter, Counter]:
    """Communities sampled per (area, week offset), and sampled on both sides per area, for every
    area of a `platform_family`, and the same per platform for every area together (keyed by
    `platform_place`): the cube the page protects, so that one area's or one platform's counts and
    every area's cannot be differenced (issue 22)."""
    per_week = _weekly_means(family).subquery()
    platforms = not family.platform
    both_sides = (select(per_week.c.community_id, func.min(per_week.c.week).label("first"),
                         func.max(per_week.c.week).label("last")).group_by(per_week.c.community_id).subquery())
    weeks: Counter = Counter()
    paired: Counter = Counter()
    for area_id, platform, week, n in db.session.execute(
            select(Community.area_id, Community.platform, per_week.c.week, func.count())
            .join(per_week, per_week.c.community_id == Community.id)
            .group_by(Community.area_id, Community.platform, per_week.c.week)):
        for place in (area_id, platform_place(platform)) if platforms else (area_id,):
            weeks[place, int(week)] += n
    for area_id, platform, n in db.session.execute(
            select(Community.area_id, Community.platform, func.count())
            .join(both_sides, both_sides.c.community_id == Community.id)
            .where(both_sides.c.first < 0, both_sides.c.last >= 0).group_by(Community.area_id, Community.platform)):
        for place in (area_id, platform_place(platform)) if platforms else (area_id,):
            paired[place] += n
    return weeks, paired


def _weekly_means(selection: Selection):
    """Per community and week offset from its first contact: the mean of its samples that week.

    Samples are kept by the window, -12 weeks inclusive to +12 weeks exclusive, exactly to the
    microsecond.
    """
    firsts = _first_contact_rows(selection)
    window_us: ColumnClause[int] = literal_column(str(WINDOW_WEEKS * WEEK_US))
    since = elapsed_us(ActivitySample.sampled_at, firsts.c.first)
    if db.session.get_bind().dialect.name == "sqlite":
        # Datetimes are text there and SQLite's datetime() drops the microseconds: narrow by the
        # window plus a day, then keep the exact window in whole microseconds.
        margin = timedelta(weeks=WINDOW_WEEKS, days=1)
        window = [ActivitySample.sampled_at >= func.datetime(firsts.c.first, f"-{margin.days} days"),
                  ActivitySample.sampled_at < func.datetime(firsts.c.first, f"+{margin.days} days"),
                  since >= -window_us, since < window_us]
    else:  # timestamp arithmetic is exact on PostgreSQL
        margin = timedelta(weeks=WINDOW_WEEKS)
        window = [ActivitySample.sampled_at >= firsts.c.first - margin, ActivitySample.sampled_at < firsts.c.first + margin]
    week = whole(since + window_us, WEEK_US) - literal_column(str(WINDOW_WEEKS))
    return (select(ActivitySample.community_id.label("community_id"), week.label("week"),
                   func.avg(ActivitySample.items_per_week).label("mean"))
            .join(firsts, firsts.c.community_id == ActivitySample.community_id)
            .where(ActivitySample.items_per_week.is_not(None), *window)
            .group_by(ActivitySample.community_id, week))


def activity_report(selection: Selection, suppress: bool) -> Report:
    summary = view_counts("activity", selection, lambda: activity_summary(selection), suppress=suppress)
    if not summary.weeks:
        return Report(empty=True)
    offsets = list(range(-WINDOW_WEEKS, WINDOW_WEEKS))
    here = place_of(selection)
    protected = _protected_activity(selection, summary, offsets, suppress)
    rows, means = [], []
    for offset in offsets:
        n, average, median = summary.weeks.get(offset, (0, None, None))
        kept = mean(1.0, n, suppress, protected.visible((here, offset)))  # None: too few, or the count is withheld
        withheld = bool(n) and kept is None
        if kept is None:
            average = median = None
        means.append(None if average is None else round(average, 2))
        rows.append([f"{offset:+d}", protected.text((here, offset)),
                     *[(MARK if withheld else "–") if v is None else f"{v:.2f}" for v in (average, median)]])
    chart = lines("activity-window", "Community activity in the weeks around the first contact",
                  "Line: mean feed items per week across communities, by weeks before (negative) and after "
                  "(zero and positive) each community's first outreach contact.",
                  [f"{o:+d}" for o in offsets], [("Mean items per week", means)], marker_at=WINDOW_WEEKS)
    notes = ["Week 0 is the week starting at the community's first outbound contact; each community counts once per "
             "week (the mean of its samples that week)."]
    paired, before, after = summary.paired
    if paired and (not suppress or (paired >= min_cell() and protected.visible((here, "paired")))):
        notes.append(f"{paired} communities have samples both before and after: mean {before:.2f} "
                     f"items/week before, {after:.2f} after.")
    return Report(charts=[chart], tables=[Table("Feed items per week around the first contact",
                  ["Week from first contact", "Communities sampled", "Mean items/week", "Median items/week"], rows)],
                  notes=notes)


def _protected_activity(selection: Selection, summary: ActivitySummary, offsets: list[int],
                        suppress: bool) -> Protected:
    """Communities sampled per week offset (and on both sides) for every area, for all areas together and
    for each platform (every area together), with the areas' and the platforms' sums to all areas."""
    if not suppress:  # nothing is withheld: the selection's own counts, without the other areas'
        table = CellTable(active=False)
        for offset in offsets:
            table.cell((place_of(selection), offset), summary.weeks.get(offset, (0, None, None))[0])
        return table.protect()
    family = platform_family(selection)
    weeks, paired = family_counts("activity", family, lambda: sampled_by_area(family), suppress=suppress)
    return family_protected("activity", family, suppress, lambda: _activity_table(weeks, paired, offsets))


def _activity_table(weeks: Counter, paired: Counter, offsets: list[int]) -> Protected:
    table = CellTable()
    areas, platforms = split_places([*(place for place, _ in weeks), *paired])
    for offset in offsets:
        table.add_sum(table.cell((ALL_AREAS, offset), sum(weeks[a, offset] for a in areas)),
                      [table.cell((a, offset), weeks[a, offset]) for a in areas])
        for platform in platforms:
            table.cell((platform, offset), weeks[platform, offset])
    table.add_sum(table.cell((ALL_AREAS, "paired"), sum(paired[a] for a in areas)),
                  [table.cell((a, "paired"), paired[a]) for a in areas])
    for platform in platforms:
        table.cell((platform, "paired"), paired[platform])
    add_platform_sums(table, [place[1] for place in platforms])
    return table.protect()


def assessment_report(selection: Selection, suppress: bool) -> Report:
    """Mean trust, reciprocity and reach per month.

    Counted for every area in scope and shown for the chosen one (or all), so that one area's
    counts and every area's are protected together: their difference is the other areas'.
    """
    family = platform_family(selection)
    per_area = family_counts("assessments", family, lambda: _assessments_by_place(family),
                             suppress=suppress)
    here = place_of(selection)
    by_month = {m: value for (where, m), value in per_area.items() if where == here}
    if not by_month:
        return Report(empty=True)
    month_starts = months(selection.start, selection.end)
    protected = family_protected("assessments", family, suppress,
                                 lambda: _protected_assessments(per_area, month_starts, suppress))
    table_rows: list[list[str]] = []
    series: dict[str, list[float | None]] = {name: [] for name, _ in SCORES}
    for m in month_starts:
        n, sums = by_month.get(m, (0, [0, 0, 0]))
        means = [mean(float(total or 0), n, suppress, protected.visible((here, m))) for total in sums]
        for (name, _), value in zip(SCORES, means, strict=True):
            series[name].append(None if value is None else round(value, 2))
        table_rows.append([m.strftime("%b %Y"), protected.text((here, m)),
                           *[(MARK if n else "–") if v is None else f"{v:.2f}" for v in means]])
    chart = lines("assessment-trends", "Mean assessment scores per month (1 to 5)",
                  "Lines: the mean trust, reciprocity and reach ratings given to relationships each month.",
                  [m.strftime("%b %Y") for m in month_starts], [(title, series[name]) for name, title in SCORES],
                  y_max=5)
    notes = ["Ratings are on 1–5 scales; a month without assessments has no point."]
    if suppress:
        notes.append(f"Means resting on fewer than {min_cell()} assessments are withheld ({MARK}).")
    return Report(charts=[chart], tables=[Table("Assessments per month",
                  ["Month", "Assessments", *[title for _, title in SCORES]], table_rows)], notes=notes)


def _assessments_by_place(family: Selection) -> dict[tuple, tuple[int, list[float]]]:
    """{(place, month): (assessments, [sum of trust, reciprocity, reach])} for every area of a
    `platform_family`, all areas (ALL_AREAS) and each platform for every area together."""
    chosen = select(Community.id).where(*community_conditions(family))
    month = month_start(Assessment.assessed_at)
    rows = db.session.execute(
        select(Community.area_id, Community.platform, month, func.count(), func.sum(Assessment.trust),
               func.sum(Assessment.reciprocity), func.sum(Assessment.reach))
        .join(Community, Community.id == Assessment.community_id)
        .where(Assessment.community_id.in_(chosen), Assessment.assessed_at >= family.start,
               Assessment.assessed_at < family.end)
        .group_by(Community.area_id, Community.platform, month))
    per_place: dict[tuple, tuple[int, list[float]]] = {}
    for area_id, platform, key, n, *sums in rows:
        places = (area_id, ALL_AREAS, *(() if family.platform else (platform_place(platform),)))
        for where in places:
            before_n, before_sums = per_place.get((where, key.date()), (0, [0.0, 0.0, 0.0]))
            per_place[where, key.date()] = (before_n + n,
                                            [x + float(y or 0) for x, y in zip(before_sums, sums, strict=True)])
    return per_place


def _protected_assessments(per_place: dict[tuple, tuple[int, list[float]]], month_starts: list,
                           suppress: bool) -> Protected:
    """Assessments per month of every area, all areas and each platform, with the areas' and the platforms' sums."""
    table = CellTable(active=suppress)
    areas, platforms = split_places(where for where, _ in per_place if where != ALL_AREAS)
    for m in month_starts:
        table.add_sum(table.cell((ALL_AREAS, m), per_place.get((ALL_AREAS, m), (0, None))[0]),
                      [table.cell((area, m), per_place.get((area, m), (0, None))[0]) for area in areas])
        for platform in platforms:
            table.cell((platform, m), per_place.get((platform, m), (0, None))[0])
    add_platform_sums(table, [place[1] for place in platforms])
    return table.protect()
