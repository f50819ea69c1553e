"""An adversary across the responses page's groupings and filters (issue 22 (c) and the platform filter).

The page groups the same outbound contacts by platform, by channel or by purpose, for every area
or one, with or without a platform, channel or purpose filter. Every view a researcher is not
refused is read (its table, its CSV is the same table: `test_research_adversary`), and each shown
number becomes an equation (a rounded rate two inequalities) over the true cube area × platform ×
channel × purpose × outcome. Linear programming then bounds every small count a researcher could
ask about: each margin of up to two of platform, channel and purpose in every area together, and of
one in each area, by outcome and in total. One is recovered when its interval holds one whole
number or lies below the minimum cell.
"""
from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import combinations, product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import OUTCOMES, Area, Community, OutreachContact, label, utcnow
from portal.research.filters import Selection
from portal.research.pages import build_report
from portal.research.responses import RESPONDED
from tests.conftest import _empty_all_tables
from tests.portal.research_support import areas_and_officers
from tests.portal.test_research_adversary import ADVERSARY, optimum, recovered

K = 10
VALUES = {"platform": ("forum", "blog"), "channel": ("comment", "email"), "purpose": ("introduce", "invite")}
DIMS = tuple(VALUES)
AREAS = 2
OUTCOME = st.sampled_from(["pending", "no_response", "acknowledged", "positive", "positive", "negative", "hostile"])
contact = st.tuples(st.sampled_from(VALUES["channel"]), st.sampled_from(VALUES["purpose"]), OUTCOME)
community = st.tuples(st.integers(0, AREAS - 1), st.sampled_from(VALUES["platform"]),
                      st.lists(contact, min_size=1, max_size=3))
datasets = st.lists(community, min_size=10, max_size=45)
CELLS = [(a, p, c, u, o) for a, p, c, u, o in product(range(AREAS), *VALUES.values(), OUTCOMES)]
INDEX = {cell: i for i, cell in enumerate(CELLS)}


def _load(dataset) -> tuple[list[Area], Counter]:
    """Store the dataset; return the areas and the true cube {(area, platform, channel, purpose, outcome): n}."""
    db.session.remove()
    _empty_all_tables(db)
    now = utcnow()
    areas, officers = areas_and_officers(AREAS, K)
    cube: Counter = Counter()
    for n, (area, platform, contacts) in enumerate(dataset):
        c = Community(area_id=areas[area].id, name=f"Community {n}", platform=platform,
                      created_at=now - timedelta(days=90))
        db.session.add(c)
        db.session.flush()
        for channel, purpose, outcome in contacts:
            db.session.add(OutreachContact(community_id=c.id, officer_id=officers[0].id, occurred_at=now - timedelta(days=30),
                                           channel=channel, purpose=purpose, outcome=outcome))
            cube[area, platform, channel, purpose, outcome] += 1
    db.session.commit()
    return areas, cube


def _selections(areas: list[Area]):
    """(areas summed, fixed dimensions, selection) of every view of the page."""
    filters = [{}] + [{name: value} for name in DIMS for value in VALUES[name]]
    places = [(list(range(AREAS)), {})] + [([i], {"area": a.slug, "area_id": a.id}) for i, a in enumerate(areas)]
    for by, chosen, (summed, place) in product(DIMS, filters, places):
        yield summed, chosen, Selection(by=by, **chosen, **place)


def _seen(areas: list[Area]):
    """(areas summed, fixed dimensions, measure, value, precision) for every number shown."""
    outcome_by_label = {label(o): o for o in OUTCOMES}
    views = 0
    for summed, chosen, selection in _selections(areas):
        report = build_report("responses", selection, suppress=True)
        if report.refused or report.empty:
            continue
        views += 1
        table = report.tables[0]
        by_label = {label(v): v for v in VALUES[selection.by]}
        for row in table.rows:
            fixed = {**chosen, selection.by: by_label[row[0]]}
            for header, cell in zip(table.headers[1:], row[1:], strict=True):
                if cell.strip() in ("[c]", "–"):
                    continue
                measure = ("total" if header == "Contacts" else "rate" if header == "Response rate"
                           else outcome_by_label[header])
                value = float(cell.rstrip("%"))
                yield summed, fixed, measure, value, (0.5 if measure == "rate" else 0)
    assert views > 0


def _row(summed, fixed: dict, outcomes, weight: float = 1.0, into=None) -> list[float]:
    into = into if into is not None else [0.0] * len(CELLS)
    for (a, p, c, u, o), i in INDEX.items():
        named = {"platform": p, "channel": c, "purpose": u}
        if a in summed and o in outcomes and all(named[k] == v for k, v in fixed.items()):
            into[i] += weight
    return into


def targets(cube: Counter):
    """Every margin a researcher could ask about, with its true count: (areas, fixed, outcome or "total")."""
    for summed, largest in [(list(range(AREAS)), 2)] + [([a], 1) for a in range(AREAS)]:
        for size in range(largest + 1):
            for names in combinations(DIMS, size):
                for values in product(*(VALUES[n] for n in names)):
                    fixed = dict(zip(names, values, strict=True))
                    for measure in (*OUTCOMES, "total"):
                        outcomes = OUTCOMES if measure == "total" else (measure,)
                        coefficients = _row(summed, fixed, outcomes)
                        truth = sum(cube[cell] * coefficients[i] for cell, i in INDEX.items())
                        yield (tuple(summed), tuple(sorted(fixed.items())), measure), coefficients, int(truth)


def _bounds(seen, cube: Counter, integral: bool = False) -> tuple[dict, Counter]:
    eq_rows, eq_values, le_rows, le_values = [], [], [], []
    for summed, fixed, measure, value, precision in seen:
        if measure == "rate":
            for sign, share in ((1, (value + precision) / 100), (-1, (value - precision) / 100)):
                coefficients = _row(summed, fixed, RESPONDED, sign)
                _row(summed, fixed, [o for o in OUTCOMES if o != "pending"], -sign * share, coefficients)
                le_rows.append(coefficients)
                le_values.append(0.0)
        else:
            eq_rows.append(_row(summed, fixed, OUTCOMES if measure == "total" else (measure,)))
            eq_values.append(value)
    out, truths = {}, Counter()
    for key, coefficients, truth in targets(cube):
        if not 0 < truth < K or key in out:
            continue
        truths[key] = truth
        low = optimum(coefficients, le_rows, le_values, eq_rows, eq_values, 200, integral)
        high = -optimum([-c for c in coefficients], le_rows, le_values, eq_rows, eq_values, 200, integral)
        out[key] = (low, high)
    return out, truths


def _recovered(cube: Counter) -> list:
    bounds, truths = _bounds(list(_seen(_areas())), cube)
    return recovered(truths, bounds)


def _areas() -> list[Area]:
    return sorted(db.session.query(Area).all(), key=lambda a: a.slug)


@settings(ADVERSARY, max_examples=12)
@given(dataset=datasets)
def test_no_small_count_is_recoverable_across_groupings_and_filters(app, dataset):
    _, cube = _load(dataset)
    assert _recovered(cube) == []


# Issue 22 (c): by platform, one platform withheld; by channel, every contact shown.
TWO_GROUPINGS = [(0, "forum", [("comment", "introduce", "positive")])] * 12 + \
                [(0, "blog", [("comment", "introduce", "hostile")])] * 3 + \
                [(1, "forum", [("email", "invite", "positive")])] * 11


def test_two_groupings_of_the_same_contacts_give_nothing_away(app):
    _, cube = _load(TWO_GROUPINGS)
    assert _recovered(cube) == []


def test_the_adversary_recovers_counts_when_each_grouping_is_protected_alone(app, monkeypatch):
    """The attack works: with the platforms no longer declared to add up to the margin without them (every
    contact, each channel, each purpose: the other groupings), the blogs' 3 hostile contacts come back."""
    from portal.research import disclosure

    original = disclosure.CellTable.add_sum

    def unlinked(self, total, parts):
        parts = tuple(parts)
        if parts and "platform" in dict(parts[0][1]) and "platform" not in dict(total[1]) and total[0] == parts[0][0]:
            return None
        return original(self, total, parts)

    monkeypatch.setattr(disclosure.CellTable, "add_sum", unlinked)
    _, cube = _load(TWO_GROUPINGS)
    assert _recovered(cube)


@pytest.mark.parametrize("by", ["channel", "purpose"])
def test_researchers_see_an_area_by_platform_and_every_area_by_anything(app, by):
    areas, _ = _load(TWO_GROUPINGS)
    one = {"area": areas[0].slug, "area_id": areas[0].id}
    assert not build_report("responses", Selection(by="platform", **one), suppress=True).refused
    assert "In one area, figures are by platform" in build_report("responses", Selection(by=by, **one), True).refused
    assert not build_report("responses", Selection(by=by, **one), suppress=False).refused
    assert not build_report("responses", Selection(by=by, platform="forum"), suppress=True).refused
    refused = build_report("responses", Selection(by="platform", platform="forum", **one), suppress=True).refused
    assert not refused
    assert "not both" in build_report("responses", Selection(by=by, platform="forum", **one), True).refused
    three = Selection(by="purpose" if by == "channel" else "channel", platform="forum",
                      **{by: VALUES[by][0]})
    assert "at most one of platform, channel and purpose" in build_report("responses", three, True).refused
    assert not build_report("responses", three, suppress=False).refused
