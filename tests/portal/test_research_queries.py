"""Research charts that aggregate in SQL give what the row-by-row definitions give, on random data."""
from __future__ import annotations

import random
import statistics
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import groupby

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import STAGE_BRANCHES, STAGE_PATH, ActivitySample, Area, Community, OutreachContact, StageChange, utcnow
from portal.research import activity, engagement, survival, time_to_stage
from portal.research.filters import Selection, community_conditions, contact_conditions
from portal.scale import generate
from tests.portal.test_first_contact_at import _counted as first_contact_counted
from tests.portal.test_first_contact_at import _stored as first_contact_stored
from tests.portal.test_funnel_tallies import _random_edits, _random_selection


def _online_by_month_row_by_row(selection: Selection) -> tuple[Counter, Counter]:
    """The definition: every outbound contact's day, area and community, counted per area and month."""
    contacts, contacted = Counter(), defaultdict(set)
    day = func.date(OutreachContact.occurred_at)
    for d, area_id, cid, n in db.session.execute(
            select(day, Community.area_id, Community.id, func.count()).join(Community)
            .where(*contact_conditions(selection), OutreachContact.direction == "outbound")
            .group_by(day, Community.area_id, Community.id)):
        d = engagement.as_date(d)
        contacts[(area_id, date(d.year, d.month, 1))] += n
        contacted[(area_id, date(d.year, d.month, 1))].add(cid)
    return contacts, Counter({key: len(ids) for key, ids in contacted.items()})


def _first_reached_row_by_row(selection: Selection, until, with_ended: bool = False) -> dict[int, list]:
    """The definition: walk each community's stage changes in time order to the first at or past each target."""
    chosen = select(Community.id).where(*community_conditions(selection))
    rows = db.session.execute(
        select(StageChange.community_id, StageChange.changed_at, StageChange.to_stage)
        .where(StageChange.community_id.in_(chosen), StageChange.changed_at < until)
        .order_by(StageChange.community_id, StageChange.changed_at, StageChange.id))
    out = {}
    for cid, group in groupby(rows, key=lambda r: r[0]):
        history = [(r[1], r[2]) for r in group]
        out[cid] = [next((t for t, s in history if s in STAGE_PATH and STAGE_PATH.index(s) >= STAGE_PATH.index(target)),
                         None) for target in time_to_stage.TARGETS]
        if with_ended:
            out[cid].append(next((t for t, s in history if s in STAGE_BRANCHES), None))
    return out


def _trajectories_row_by_row(selection: Selection, now) -> dict[str, Counter]:
    """The definition: each chosen community's first approach in Python, whole days to each target
    (rounded up) or waited so far (rounded down), from timedelta arithmetic."""
    until = min(selection.end, now)
    chosen = set(db.session.scalars(select(Community.id).where(*community_conditions(selection))))
    firsts = {}
    for cid, at in [*db.session.execute(select(OutreachContact.community_id, OutreachContact.occurred_at)
                                        .where(OutreachContact.direction == "outbound", OutreachContact.went_out)),
                    *db.session.execute(select(StageChange.community_id, StageChange.changed_at)
                                        .where(StageChange.to_stage.in_(STAGE_PATH[1:])))]:
        if cid in chosen:
            firsts[cid] = min(at, firsts.get(cid, at))
    hits = _first_reached_row_by_row(selection, until, with_ended=True)
    day = timedelta(days=1)
    out = {t: Counter() for t in time_to_stage.TARGETS}
    for cid, first in firsts.items():
        if not selection.start <= first < selection.end:
            continue
        *reached, ended = hits.get(cid, [None] * (len(time_to_stage.TARGETS) + 1))
        for target, hit in zip(time_to_stage.TARGETS, reached, strict=True):
            # The first of reaching the target and ending otherwise (a competing event) counts.
            if hit is not None and (ended is None or hit <= ended):
                at, kind = hit, survival.REACHED
            elif ended is not None:
                at, kind = ended, survival.ENDED
            else:
                at, kind = until, survival.WAITING
            span = max(timedelta(0), at - first)
            out[target][(span // day if kind == survival.WAITING else -(-span // day), kind)] += 1
    return out


def _stage_changes_on_day_boundaries(rng: random.Random) -> None:
    """Stage changes exactly whole days after a first contact, and a microsecond either side."""
    for cid, first in list(db.session.execute(
            select(OutreachContact.community_id, func.min(OutreachContact.occurred_at))
            .where(OutreachContact.direction == "outbound", OutreachContact.went_out)
            .group_by(OutreachContact.community_id)))[40:70]:
        shift = timedelta(microseconds=rng.choice([-1, 0, 0, 1]))
        db.session.add(StageChange(community_id=cid, to_stage=rng.choice(time_to_stage.TARGETS),
                                   changed_at=first + timedelta(days=rng.randint(0, 40)) + shift))
    db.session.commit()


def _activity_row_by_row(selection: Selection) -> dict[int, dict[int, float]]:
    """The definition: every sample of every community with a first contact, kept when inside the window."""
    firsts = activity.first_contacts(selection)
    window = timedelta(weeks=activity.WINDOW_WEEKS)
    by_offset = defaultdict(lambda: defaultdict(list))
    for cid, sampled_at, per_week in db.session.execute(
            select(ActivitySample.community_id, ActivitySample.sampled_at, ActivitySample.items_per_week)
            .where(ActivitySample.community_id.in_(list(firsts)), ActivitySample.items_per_week.is_not(None))):
        delta = sampled_at - firsts[cid]
        if -window <= delta < window:
            by_offset[delta // timedelta(weeks=1)][cid].append(per_week)
    return {o: {c: statistics.fmean(v) for c, v in per.items()} for o, per in by_offset.items()}


def _summary_of(data: dict[int, dict[int, float]]) -> activity.ActivitySummary:
    """The page's figures from the row-by-row definition: per week count, mean and median; paired means."""
    summary = activity.ActivitySummary(weeks={week: (len(per), statistics.fmean(per.values()),
                                                     statistics.median(per.values())) for week, per in data.items()})
    before, after = defaultdict(list), defaultdict(list)
    for week, per in data.items():
        for cid, value in per.items():
            (before if week < 0 else after)[cid].append(value)
    both = set(before) & set(after)
    if both:
        summary.paired = (len(both), statistics.fmean(statistics.fmean(before[c]) for c in both),
                          statistics.fmean(statistics.fmean(after[c]) for c in both))
    return summary


def _same_summary(got: activity.ActivitySummary, expected: activity.ActivitySummary) -> bool:
    return (got.weeks.keys() == expected.weeks.keys()
            and all(got.weeks[w][0] == expected.weeks[w][0] and got.weeks[w][1:] == pytest.approx(expected.weeks[w][1:])
                    for w in got.weeks)
            and got.paired[0] == expected.paired[0] and got.paired[1:] == pytest.approx(expected.paired[1:]))


def _samples_at_the_window_edges(rng: random.Random) -> None:
    """Samples exactly on, just inside and just outside ±12 weeks of first contacts (the SQL margin's edge)."""
    window = timedelta(weeks=activity.WINDOW_WEEKS)
    for cid, first in list(db.session.execute(
            select(OutreachContact.community_id, func.min(OutreachContact.occurred_at))
            .where(OutreachContact.direction == "outbound").group_by(OutreachContact.community_id)))[:40]:
        for shift in (-window, -window - timedelta(microseconds=1), window, window - timedelta(seconds=1),
                      timedelta(days=rng.randint(-100, 100))):
            db.session.add(ActivitySample(community_id=cid, sampled_at=first + shift, items_per_week=rng.random() * 9))
    db.session.commit()


@pytest.mark.parametrize("seed", [3, 4])
def test_sql_aggregates_match_the_row_by_row_definitions(app, seed):
    rng = random.Random(seed)
    generate(150, areas=4, seed=seed)
    _random_edits(rng, 60)
    _samples_at_the_window_edges(rng)
    _stage_changes_on_day_boundaries(rng)
    # The charts read each community's first contact from communities.first_contact_at, which the
    # references below share: it must be the first contact that went out, after every edit.
    assert first_contact_stored() == first_contact_counted()
    now = utcnow()
    areas = db.session.scalars(select(Area)).all()
    selections = [_random_selection(rng, areas) for _ in range(25)]
    selections += [Selection(), Selection(since=date(2020, 1, 1), until=utcnow().date() + timedelta(days=30))]
    for selection in selections:
        assert engagement.online_by_month(selection) == _online_by_month_row_by_row(selection), selection
        until = min(selection.end, utcnow())
        assert time_to_stage._first_reached(selection, until) == _first_reached_row_by_row(selection, until), selection
        assert time_to_stage.trajectories(selection, now=now) == _trajectories_row_by_row(selection, now), selection
        expected = _summary_of(_activity_row_by_row(selection))
        assert _same_summary(activity.activity_summary(selection), expected), selection
    # The comparisons were not all empty.
    summary = activity.activity_summary(Selection())
    assert engagement.online_by_month(Selection())[0]
    assert len(summary.weeks) == 2 * activity.WINDOW_WEEKS
    assert summary.paired[0] > 10
    reached = time_to_stage.trajectories(Selection(), now=now)["acknowledged"]
    assert sum(n for (_, kind), n in reached.items() if kind == survival.REACHED) > 10
    assert sum(n for (_, kind), n in reached.items() if kind == survival.ENDED) > 0
