"""Community activity before and after outreach, and assessment trends."""
from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import ActivitySample, Assessment, Community, OutreachContact
from portal.research.filters import Selection, as_datetime, community_conditions, months
from portal.research.report import Report, Table
from portal.research.suppression import THRESHOLD, hide_small, safe_mean, shown
from portal.research.svg import lines

WINDOW_WEEKS = 12
SCORES = (("trust", "Trust"), ("reciprocity", "Reciprocity"), ("reach", "Reach"))


def _first_contact_rows(selection: Selection):
    """Each selected community's first outbound contact, when it falls in the period (a subquery)."""
    chosen = select(Community.id).where(*community_conditions(selection))
    first = func.min(OutreachContact.occurred_at)
    return (select(OutreachContact.community_id.label("community_id"), first.label("first"))
            .where(OutreachContact.community_id.in_(chosen), OutreachContact.direction == "outbound",
                   OutreachContact.went_out)
            .group_by(OutreachContact.community_id)
            .having(first >= selection.start, first < selection.end)
            .subquery())


def first_contacts(selection: Selection) -> dict[int, object]:
    """Each selected community's first outbound contact, when it falls in the period."""
    return dict(db.session.execute(select(_first_contact_rows(selection))).all())


def activity_around_first_contact(selection: Selection) -> dict[int, dict[int, float]]:
    """{week offset: {community: mean items per week}} within ±WINDOW_WEEKS of each first contact."""
    by_offset: dict[int, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    window = timedelta(weeks=WINDOW_WEEKS)
    for cid, sampled_at, per_week, first in _samples_near_first_contacts(selection):
        delta = sampled_at - as_datetime(first)
        if -window <= delta < window:  # the exact window (SQL only narrowed the rows down)
            by_offset[delta // timedelta(weeks=1)][cid].append(per_week)
    return {offset: {cid: statistics.fmean(v) for cid, v in per.items()} for offset, per in by_offset.items()}


def _samples_near_first_contacts(selection: Selection):
    """Activity samples within the window (plus a day) of their community's first contact, with it.

    Joined in SQL: not every sample of every contacted community (at 100,000 communities that
    was 1.1 million rows fetched to keep a fraction).
    """
    firsts = _first_contact_rows(selection)
    margin = timedelta(weeks=WINDOW_WEEKS, days=1)
    if db.session.get_bind().dialect.name == "sqlite":  # datetimes are text there: let SQLite shift them
        low = func.datetime(firsts.c.first, f"-{margin.days} days")
        high = func.datetime(firsts.c.first, f"+{margin.days} days")
    else:
        low, high = firsts.c.first - margin, firsts.c.first + margin
    return db.session.execute(
        select(ActivitySample.community_id, ActivitySample.sampled_at, ActivitySample.items_per_week, firsts.c.first)
        .join(firsts, firsts.c.community_id == ActivitySample.community_id)
        .where(ActivitySample.items_per_week.is_not(None), ActivitySample.sampled_at >= low,
               ActivitySample.sampled_at < high))


def activity_report(selection: Selection, suppress: bool) -> Report:
    data = activity_around_first_contact(selection)
    if not data:
        return Report(empty=True)
    offsets = list(range(-WINDOW_WEEKS, WINDOW_WEEKS))
    rows, means = [], []
    for offset in offsets:
        values = list(data.get(offset, {}).values())
        mean = safe_mean(sum(values), len(values), suppress)
        median = statistics.median(values) if values and (not suppress or len(values) >= THRESHOLD) else None
        means.append(None if mean is None else round(mean, 2))
        rows.append([f"{offset:+d}", shown(hide_small(len(values), suppress)),
                     "–" if mean is None else f"{mean:.2f}", "–" if median is None else f"{median:.2f}"])
    before, after = _paired_change(data)
    chart = lines("activity-window", "Community activity in the weeks around the first contact",
                  "Line: mean feed items per week across communities, by weeks before (negative) and after "
                  "(zero and positive) each community's first outreach contact.",
                  [f"{o:+d}" for o in offsets], [("Mean items per week", means)], marker_at=WINDOW_WEEKS)
    notes = ["Week 0 is the week starting at the community's first outbound contact; each community counts once per "
             "week (the mean of its samples that week)."]
    paired = len(before)
    if paired and (not suppress or paired >= THRESHOLD):
        notes.append(f"{paired} communities have samples both before and after: mean {statistics.fmean(before):.2f} "
                     f"items/week before, {statistics.fmean(after):.2f} after.")
    return Report(charts=[chart], tables=[Table("Feed items per week around the first contact",
                  ["Week from first contact", "Communities sampled", "Mean items/week", "Median items/week"], rows)],
                  notes=notes)


def _paired_change(data: dict[int, dict[int, float]]) -> tuple[list[float], list[float]]:
    before, after = defaultdict(list), defaultdict(list)
    for offset, per in data.items():
        for cid, value in per.items():
            (before if offset < 0 else after)[cid].append(value)
    both = sorted(set(before) & set(after))
    return [statistics.fmean(before[c]) for c in both], [statistics.fmean(after[c]) for c in both]


def assessment_report(selection: Selection, suppress: bool) -> Report:
    """Mean trust, reciprocity and reach per month."""
    chosen = select(Community.id).where(*community_conditions(selection))
    month = func.substr(func.cast(Assessment.assessed_at, db.String), 1, 7)
    rows = db.session.execute(
        select(month, func.count(), func.sum(Assessment.trust), func.sum(Assessment.reciprocity),
               func.sum(Assessment.reach))
        .where(Assessment.community_id.in_(chosen), Assessment.assessed_at >= selection.start,
               Assessment.assessed_at < selection.end)
        .group_by(month))
    by_month = {key: (n, sums) for key, n, *sums in rows}
    if not by_month:
        return Report(empty=True)
    month_starts = months(selection.start, selection.end)
    table_rows, series = [], {name: [] for name, _ in SCORES}
    for m in month_starts:
        n, sums = by_month.get(m.strftime("%Y-%m"), (0, [0, 0, 0]))
        means = [safe_mean(float(total or 0), n, suppress) for total in sums]
        for (name, _), mean in zip(SCORES, means, strict=True):
            series[name].append(None if mean is None else round(mean, 2))
        table_rows.append([m.strftime("%b %Y"), shown(hide_small(n, suppress)),
                           *["–" if v is None else f"{v:.2f}" for v in means]])
    chart = lines("assessment-trends", "Mean assessment scores per month (1 to 5)",
                  "Lines: the mean trust, reciprocity and reach ratings given to relationships each month.",
                  [m.strftime("%b %Y") for m in month_starts], [(title, series[name]) for name, title in SCORES],
                  y_max=5)
    notes = ["Ratings are on 1–5 scales; a month without assessments has no point."]
    if suppress:
        notes.append("Means resting on fewer than 5 assessments are not shown.")
    return Report(charts=[chart], tables=[Table("Assessments per month",
                  ["Month", "Assessments", *[title for _, title in SCORES]], table_rows)], notes=notes)
