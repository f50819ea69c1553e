"""An adversary against two consecutive month-end releases of one year (issue 22): the responses page's year
to 31 October, viewed in November, and its year to 30 November, viewed in December (every area, each
area, with and without the platform filter: tables, CSVs, tooltips and rates, as `_seen` reads them).

The unknowns are the true month cells: October's cube area × platform × outcome (what the first release
counted) and the increment cube (what the second release counted beyond it: November's contacts, and
October's entered after the first release). Each number shown in the first release is an equation over
October's cube, each number of the second over October's plus the increment; linprog then bounds every
increment cell from 1 to k-1, and every small cell of October's cube, as the single-release adversary
does (test_research_adversary.py). None may be recoverable: an interval below k, or narrower than one.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

import portal.research.filters as research_filters
from portal.extensions import db
from portal.models import OUTCOMES, Community, OutreachContact
from portal.research import disclosure
from portal.research.responses import RESPONDED
from tests.conftest import _empty_all_tables
from tests.portal.research_support import areas_and_officers
from tests.portal.test_research_adversary import ADVERSARY, K, OUTCOME_WEIGHTS, PLATFORMS, _seen, optimum

YEAR = {"since": date(2025, 1, 1)}
#: when a community's contacts are dated and entered: October before the first release, November, and
#: October entered after the first release (a late record for a published month)
WHEN = st.sampled_from(["october", "october", "november", "late october"])
community = st.tuples(st.integers(0, 2), st.sampled_from(PLATFORMS), st.lists(OUTCOME_WEIGHTS, min_size=1, max_size=3),
                      WHEN)
datasets = st.lists(community, min_size=10, max_size=50)


def _clock(monkeypatch, day: date) -> None:
    monkeypatch.setattr(research_filters, "utcnow", lambda: datetime.combine(day, datetime.min.time()).replace(hour=10))


def _add(areas, officer, n, area, platform, outcomes, when: datetime) -> Counter:
    c = Community(area_id=areas[area].id, name=f"Community {n}", platform=platform, created_at=datetime(2025, 6, 1))
    db.session.add(c)
    db.session.flush()
    added: Counter = Counter()
    for outcome in outcomes:
        db.session.add(OutreachContact(community_id=c.id, officer_id=officer.id, occurred_at=when, channel="comment",
                                       purpose="introduce", outcome=outcome))
        added[area, platform, outcome] += 1
    return added


def _two_releases(dataset, monkeypatch):
    """Store the dataset around two views; return (October's cube, the increment cube, first seen, second seen)."""
    db.session.remove()
    _empty_all_tables(db)
    areas, officers = areas_and_officers(3, K)
    october: Counter = Counter()
    increment: Counter = Counter()
    for n, (area, platform, outcomes, when) in enumerate(dataset):
        if when == "october":
            october += _add(areas, officers[0], n, area, platform, outcomes, datetime(2025, 10, 8))
        elif when == "november":
            increment += _add(areas, officers[0], n, area, platform, outcomes, datetime(2025, 11, 12))
    db.session.commit()
    _clock(monkeypatch, date(2025, 11, 20))
    first = list(_seen(areas, **YEAR))
    for n, (area, platform, outcomes, when) in enumerate(dataset):
        if when == "late october":
            increment += _add(areas, officers[0], 1000 + n, area, platform, outcomes, datetime(2025, 10, 20))
    db.session.commit()
    _clock(monkeypatch, date(2025, 12, 3))
    second = list(_seen(areas, **YEAR))
    return len(areas), october, increment, first, second


def _bounds(n_areas: int, october: Counter, increment: Counter, first, second) -> dict:
    """Lowest and highest value of every small cell of October's cube and of the increment cube."""
    cells = [(a, p, o) for a in range(n_areas) for p in PLATFORMS for o in OUTCOMES]
    index = {(release, cell): i for i, (release, cell) in enumerate(
        [("october", c) for c in cells] + [("increment", c) for c in cells])}
    width = len(index)
    eq_rows, eq_values, le_rows, le_values = [], [], [], []

    def row(releases, summed, platform, outcomes, weight=1.0, into=None):
        into = into if into is not None else [0.0] * width
        for release in releases:
            for a in summed:
                for o in outcomes:
                    into[index[release, (a, platform, o)]] += weight
        return into

    for releases, seen in ((("october",), first), (("october", "increment"), second)):
        for summed, platform, measure, value, precision in seen:
            if measure == "rate":
                for sign, share in ((1, (value + precision) / 100), (-1, (value - precision) / 100)):
                    coefficients = row(releases, summed, platform, RESPONDED, sign)
                    row(releases, summed, platform, [o for o in OUTCOMES if o != "pending"], -sign * share, coefficients)
                    le_rows.append(coefficients)
                    le_values.append(0.0)
            else:
                eq_rows.append(row(releases, summed, platform, OUTCOMES if measure == "total" else [measure]))
                eq_values.append(value)
    out = {}
    for (release, cell), i in index.items():
        truth = (october if release == "october" else increment)[cell]
        if not 0 < truth < K:
            continue
        bounds = []
        for direction in (1, -1):
            objective = [0.0] * width
            objective[i] = direction
            bounds.append(direction * optimum(objective, le_rows, le_values, eq_rows, eq_values, 200, False))
        out[release, cell] = (truth, *bounds)
    return out


def _recovered(bounds: dict) -> list:
    return [(key, truth, round(low, 2), round(high, 2)) for key, (truth, low, high) in bounds.items()
            if high - low < 1 - 1e-6 or high < K - 1e-6]


@settings(ADVERSARY, max_examples=8)
@given(dataset=datasets)
def test_no_month_s_small_increment_is_recoverable_from_two_releases(app, monkeypatch, dataset):
    assert _recovered(_bounds(*_two_releases(dataset, monkeypatch))) == []


LEAK = ([(0, "forum", ["positive"], "october")] * 12 + [(0, "forum", ["positive"], "november")] * 3
        + [(1, "blog", ["hostile"], "october")] * 11 + [(1, "blog", ["hostile"], "late october")] * 2)


def test_the_adversary_recovers_increments_without_the_cross_release_step(app, monkeypatch):
    """Each release protected alone: 12 then 15 forums give November's 3, 11 then 13 blogs the 2 entered late."""
    assert _recovered(_bounds(*_two_releases(LEAK, monkeypatch))) == []
    monkeypatch.setattr(disclosure.CellTable, "joined_with", lambda self, previous: self)
    found = {key for key, *_ in _recovered(_bounds(*_two_releases(LEAK, monkeypatch)))}
    assert ("increment", (0, "forum", "positive")) in found
    assert ("increment", (1, "blog", "hostile")) in found
