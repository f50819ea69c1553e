"""An adversary against the disclosure-control layer: random small datasets, everything a researcher
can see for one filter family, and linear programming to bound every withheld cell.

The family is the responses page (by platform) for every area and for all areas together, each
with and without the platform filter: its tables, their CSVs, the chart's tooltips and the
response rates (table and chart). Each shown
number is an equation (or, for a rounded rate, two inequalities) over the true cube
area × platform × outcome; scipy's linprog then gives each small cell's lowest and highest
possible value. A cell is recovered when that interval holds one whole number, or when it shows
the cell is below the minimum cell. The LP relaxes integrality (counts are whole numbers, which
can only narrow an interval), so the same bounds are also taken with an integer program
(`scipy.optimize.milp`) on small examples: `integral=True`.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import OUTCOMES, Area, Community, OutreachContact, label, utcnow
from portal.research.responses import RESPONDED
from portal.research.filters import Selection
from portal.research.pages import build_report
from portal.research.tables import table_csv
from tests.conftest import _empty_all_tables
from tests.portal.research_support import areas_and_officers

PLATFORMS = ("forum", "blog", "nextdoor")
K = 10
# Every property here: derandomised, so CI does not pass or fail by luck; no deadline, as each
# example loads a dataset and solves linear programs; the app fixture is shared by the examples.
ADVERSARY = settings(derandomize=True, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])
OUTCOME_WEIGHTS = st.sampled_from(["pending", "no_response", "no_response", "acknowledged", "positive",
                                   "positive", "negative", "hostile"])
community = st.tuples(st.integers(0, 2), st.sampled_from(PLATFORMS), st.lists(OUTCOME_WEIGHTS, min_size=1, max_size=3))
datasets = st.lists(community, min_size=8, max_size=60)


def _load(dataset) -> tuple[list[Area], Counter]:
    """Store the dataset; return the areas and the true cube {(area index, platform, outcome): contacts}."""
    db.session.remove()  # forget the previous example's objects: their ids are reused
    _empty_all_tables(db)
    now = utcnow()
    areas, officers = areas_and_officers(3, K)  # enough officers in each area that its figures are not about people
    officer = officers[0]
    cube: Counter = Counter()
    for n, (area, platform, outcomes) in enumerate(dataset):
        c = Community(area_id=areas[area].id, name=f"Community {n}", platform=platform, created_at=now - timedelta(days=90))
        db.session.add(c)
        db.session.flush()
        for outcome in outcomes:
            db.session.add(OutreachContact(community_id=c.id, officer_id=officer.id, occurred_at=now - timedelta(days=30),
                                           channel="comment", purpose="introduce", outcome=outcome))
            cube[area, platform, outcome] += 1
    db.session.commit()
    return areas, cube


def _number(cell: str) -> float | None:
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)%?", cell.strip())
    return float(match.group(1)) if match else None


def _seen(areas: list[Area], **dates):
    """Everything a researcher sees in the family: (areas summed, platform, measure, value, precision);
    `dates` (since, until) as the views give them, for a researcher's year (test_research_adversary_releases)."""
    pages = []
    for platform in ("", *PLATFORMS):  # the same page under the platform filter too
        pages += [(list(range(len(areas))), Selection(platform=platform, **dates))]
        pages += [([i], Selection(area=a.slug, area_id=a.id, platform=platform, **dates)) for i, a in enumerate(areas)]
    by_label = {label(p): p for p in PLATFORMS}
    outcome_by_label = {label(o): o for o in OUTCOMES}
    for summed, selection in pages:
        report = build_report("responses", selection, suppress=True)
        if report.refused or report.empty:
            continue
        table = report.tables[0]
        headers = table.headers
        rows = list(csv.reader(io.StringIO(table_csv(table))))[1:]
        assert [row[1:] for row in rows] == [row[1:] for row in table.rows]  # the CSV is the page's table
        for row in table.rows:
            platform = by_label[row[0]]
            for header, cell in zip(headers[1:], row[1:], strict=True):
                value = _number(cell)
                if value is None:
                    assert cell in ("[c]", "–"), cell  # withheld, never a range such as "<5"
                    continue
                measure = ("total" if header == "Contacts" else "rate" if header == "Response rate"
                           else outcome_by_label[header])
                yield summed, platform, measure, value, (0.5 if measure == "rate" else 0)
        mix, rates = report.charts
        for _x, _y, _w, _h, _fill, tip in mix.rects:
            category, rest = tip.split(", ", 1)
            name, shown = rest.rsplit(": ", 1)
            if _number(shown) is not None:
                yield summed, by_label[category], outcome_by_label[name], float(shown), 0
            else:
                assert "[c]" in shown, tip
        for _x, _y, _w, _h, _fill, tip in rates.rects:
            category, rest = tip.split(", ", 1)
            shown = rest.rsplit(": ", 1)[1]
            if _number(shown) is not None:
                yield summed, by_label[category], "rate", float(shown), 0.05


def optimum(objective, le_rows, le_values, eq_rows, eq_values, upper: float, integral: bool) -> float:
    """The lowest value of `objective` over non-negative cells (whole numbers when `integral`) meeting the
    constraints; the truth always meets them, so the problem is always feasible."""
    scipy_optimize = pytest.importorskip("scipy.optimize")
    if not integral:
        result = scipy_optimize.linprog(objective, A_ub=le_rows or None, b_ub=le_values or None,
                                        A_eq=eq_rows or None, b_eq=eq_values or None, bounds=(0, upper),
                                        method="highs")
        assert result.status == 0, result.message
        return float(result.fun)
    constraints = []
    if le_rows:
        constraints.append(scipy_optimize.LinearConstraint(le_rows, -float("inf"), le_values))
    if eq_rows:
        constraints.append(scipy_optimize.LinearConstraint(eq_rows, eq_values, eq_values))
    result = scipy_optimize.milp(objective, constraints=constraints, integrality=[1] * len(objective),
                                 bounds=scipy_optimize.Bounds(0, upper))
    assert result.status == 0, result.message
    return float(result.fun)


def _bounds(areas: list[Area], seen, cube: Counter, integral: bool = False) -> dict:
    """Lowest and highest value of every small cube cell given what was seen (linear or integer programming)."""
    cells = [(a, p, o) for a in range(len(areas)) for p in PLATFORMS for o in OUTCOMES]
    index = {cell: i for i, cell in enumerate(cells)}
    eq_rows, eq_values, le_rows, le_values = [], [], [], []

    def row(summed, platform, outcomes, weight=1.0, into=None):
        into = into if into is not None else [0.0] * len(cells)
        for a in summed:
            for o in outcomes:
                into[index[a, platform, o]] += weight
        return into

    for summed, platform, measure, value, precision in seen:
        if measure == "rate":  # responded / known-outcome = value% to within the rounding
            for sign, share in ((1, (value + precision) / 100), (-1, (value - precision) / 100)):
                coefficients = row(summed, platform, RESPONDED, sign)
                row(summed, platform, [o for o in OUTCOMES if o != "pending"], -sign * share, coefficients)
                le_rows.append(coefficients)
                le_values.append(0.0)
        else:
            eq_rows.append(row(summed, platform, OUTCOMES if measure == "total" else [measure]))
            eq_values.append(value)
    out = {}
    for cell, i in index.items():
        if not 0 < cube[cell] < K:
            continue
        bounds = []
        for direction in (1, -1):
            objective = [0.0] * len(cells)
            objective[i] = direction
            bounds.append(direction * optimum(objective, le_rows, le_values, eq_rows, eq_values, 200, integral))
        out[cell] = tuple(bounds)
    return out


def recovered(cube: Counter, bounds: dict) -> list:
    """Small cells (1 to K-1) whose interval holds one whole number, or lies below K."""
    out = []
    for cell, (low, high) in bounds.items():
        if 0 < cube[cell] < K and (high - low < 1 - 1e-6 or high < K - 1e-6):
            out.append((cell, cube[cell], round(low, 2), round(high, 2)))
    return out


@settings(ADVERSARY, max_examples=25)
@given(dataset=datasets)
def test_no_small_cell_is_recoverable_from_everything_a_researcher_sees(app, dataset):
    areas, cube = _load(dataset)
    seen = list(_seen(areas))
    assert recovered(cube, _bounds(areas, seen, cube)) == []


# Small examples for the integer adversary: integer programs are slower, so fewer and smaller datasets.
small_datasets = st.lists(community, min_size=8, max_size=30)


@settings(ADVERSARY, max_examples=10)
@given(dataset=small_datasets)
def test_no_small_cell_is_recoverable_in_whole_numbers_either(app, dataset):
    areas, cube = _load(dataset)
    seen = list(_seen(areas))
    assert recovered(cube, _bounds(areas, seen, cube, integral=True)) == []


@pytest.mark.parametrize("dataset", [
    [(0, "forum", ["positive"])] * 11 + [(0, "forum", ["no_response"])] * 3,  # finding 2: a rate and its total
    [(0, "blog", ["positive"])] * 9 + [(0, "blog", ["negative"])] * 4 + [(0, "blog", ["hostile"])] * 4
    + [(0, "blog", ["acknowledged"])] * 4,  # finding 2: a row total over three hidden cells
    [(0, "forum", ["positive"])] * 12 + [(0, "forum", ["hostile"])] * 3
    + [(1, "forum", ["positive"])] * 11 + [(1, "forum", ["hostile"])] * 11,  # an area and all areas
])
def test_the_integer_adversary_finds_nothing_in_the_findings_examples(app, dataset):
    areas, cube = _load(dataset)
    assert recovered(cube, _bounds(areas, list(_seen(areas)), cube, integral=True)) == []


def test_the_integer_adversary_recovers_cells_without_the_layer(app, monkeypatch):
    """The integer program is at least as strong as the relaxation: with the layer off it finds cells."""
    from portal.research import disclosure

    areas, cube = _load([(0, "forum", ["positive"])] * 12 + [(0, "blog", ["hostile", "positive"])] * 3
                        + [(1, "forum", ["no_response"])] * 11)
    monkeypatch.setattr(disclosure.CellTable, "protect", lambda self: disclosure.Protected(self.values, set(), 10))
    assert recovered(cube, _bounds(areas, list(_seen(areas)), cube, integral=True))


def test_the_adversary_recovers_cells_without_the_layer(app, monkeypatch):
    """The attack works: with suppression switched off in the layer, small cells are found."""
    from portal.research import disclosure

    areas, cube = _load([(0, "forum", ["positive"])] * 12 + [(0, "blog", ["hostile", "positive"])] * 3
                        + [(1, "forum", ["no_response"])] * 11)
    monkeypatch.setattr(disclosure.CellTable, "protect", lambda self: disclosure.Protected(self.values, set(), 10))
    assert recovered(cube, _bounds(areas, list(_seen(areas)), cube))


# --- a second family: contacts per week, every area and each area ------------------------------

week_community = st.tuples(st.integers(0, 8), st.integers(0, 2), st.integers(1, 4))  # area, weeks ago, contacts
week_datasets = st.lists(week_community, min_size=10, max_size=70)


def _load_weeks(dataset) -> tuple[list[Area], Counter]:
    """Store communities with contacts some weeks ago; return the areas and {(area index, week label): contacts}."""
    db.session.remove()
    _empty_all_tables(db)
    now = utcnow()
    areas, officers = areas_and_officers(9, K)
    truth: Counter = Counter()
    for n, (area, weeks_ago, contacts) in enumerate(dataset):
        c = Community(area_id=areas[area].id, name=f"Community {n}", platform="forum", created_at=now - timedelta(days=90))
        db.session.add(c)
        db.session.flush()
        when = now - timedelta(weeks=weeks_ago)
        monday = (when - timedelta(days=when.weekday())).strftime("%d %b %y")
        for _ in range(contacts):
            db.session.add(OutreachContact(community_id=c.id, officer_id=officers[0].id, occurred_at=when,
                                           channel="comment", purpose="introduce", outcome="pending"))
        truth[area, monday] += contacts
    db.session.commit()
    return areas, truth


def _seen_weeks(areas: list[Area]):
    """(areas summed, week label, value, tolerance) for every number the contacts pages show."""
    by_name = {a.name: i for i, a in enumerate(areas)}
    pages = [(None, Selection())] + [(i, Selection(area=a.slug, area_id=a.id)) for i, a in enumerate(areas)]
    for only, selection in pages:
        report = build_report("contacts", selection, suppress=True)
        if report.refused or report.empty:
            continue
        table = report.tables[0]
        columns = []
        for header in table.headers[1:]:
            if header == "Total":
                columns.append((list(range(len(areas))) if only is None else [only], 1, 0))
            elif header.startswith("Other areas"):
                named = {by_name[h] for h in table.headers[1:] if h in by_name}
                others = [i for i in range(len(areas)) if i not in named]
                columns.append((others, len(others), 0.05))  # their mean, to one decimal
            else:
                columns.append(([by_name[header]], 1, 0))
        for row in table.rows:
            for (summed, divisor, tolerance), cell in zip(columns, row[1:], strict=True):
                value = _number(cell)
                if value is not None:
                    yield summed, row[0], value * divisor, tolerance * divisor
                else:
                    assert cell == "[c]", cell
        names = [h for h in table.headers[1:-1]]
        for _x, _y, _colour, tip in report.charts[0].points:
            week, rest = tip.split(", ", 1)
            name, shown = rest.rsplit(": ", 1)
            summed, divisor, tolerance = columns[names.index(name)]
            yield summed, week, float(shown) * divisor, tolerance * divisor


def _week_bounds(areas: list[Area], seen: list, truth: Counter, integral: bool = False) -> dict:
    weeks = sorted({week for _, week, _, _ in seen})
    cells = [(a, w) for a in range(len(areas)) for w in weeks]
    index = {cell: i for i, cell in enumerate(cells)}
    rows, values = [], []
    for summed, week, value, tolerance in seen:
        coefficients = [0.0] * len(cells)
        for a in summed:
            coefficients[index[a, week]] = 1.0
        rows += [coefficients, [-c for c in coefficients]]
        values += [value + tolerance, -(value - tolerance)]
    out = {}
    for cell, i in index.items():
        if not 0 < truth[cell] < K:
            continue
        bounds = []
        for direction in (1, -1):
            objective = [0.0] * len(cells)
            objective[i] = direction
            bounds.append(direction * optimum(objective, rows, values, [], [], 400, integral))
        out[cell] = tuple(bounds)
    return out


@settings(ADVERSARY, max_examples=15)
@given(dataset=week_datasets)
def test_no_area_s_small_week_is_recoverable_from_the_contacts_pages(app, dataset):
    areas, truth = _load_weeks(dataset)
    seen = list(_seen_weeks(areas))
    if seen:
        assert recovered(truth, _week_bounds(areas, seen, truth)) == []


def test_the_weekly_adversary_recovers_cells_without_the_layer(app, monkeypatch):
    from portal.research import disclosure

    areas, truth = _load_weeks([(a, 0, 1) for a in range(8) for _ in range(2)] + [(8, 1, 3)] * 4)
    monkeypatch.setattr(disclosure.CellTable, "protect", lambda self: disclosure.Protected(self.values, set(), 10))
    assert recovered(truth, _week_bounds(areas, list(_seen_weeks(areas)), truth))


def test_primary_suppression_alone_is_not_enough(app, monkeypatch):
    """Without the secondary steps (only 1-9 withheld), the row total and the areas' sum give cells away."""
    from portal.research import bounds, disclosure

    dataset = ([(0, "forum", ["positive"])] * 12 + [(0, "forum", ["hostile"])] * 3
               + [(1, "forum", ["positive"])] * 11 + [(1, "forum", ["hostile"])] * 11)
    areas, cube = _load(dataset)
    assert recovered(cube, _bounds(areas, list(_seen(areas)), cube)) == []
    monkeypatch.setattr(disclosure.CellTable, "_exposed", lambda self, hidden, sensitive: [])
    monkeypatch.setattr(bounds.DeclaredSums, "pinned", lambda self, hidden, sensitive: [])
    assert recovered(cube, _bounds(areas, list(_seen(areas)), cube))


# Found by Hypothesis on 7 Dec 2026 (this test was a random property then): before the layer bounded
# withheld cells over all sums together (portal/research/bounds.py), the adversary pinned area 0's
# week of 23 Nov (a count of 1) to 0.95-1.25 with the relaxed LP and to exactly 1 in whole numbers:
# no single sum gave it away, so the calculator in `_exposed` let it through. The properties above
# run derandomised (the same examples every run) so that CI does not pass or fail by luck; run them
# with a fresh seed to look for more (HYPOTHESIS_PROFILE is not used here).
INTEGER_LEAK = [(0, 0, 1), (0, 0, 1), (0, 0, 1), (0, 2, 1), (1, 0, 4), (2, 0, 1), (2, 0, 3), (3, 0, 1), (3, 0, 3),
                (4, 2, 3), (5, 2, 4), (6, 0, 1), (6, 0, 4), (7, 0, 1), (7, 0, 1), (7, 0, 3), (8, 2, 3)]


def test_the_relaxed_adversary_finds_nothing_in_the_leak_dataset(app):
    areas, truth = _load_weeks(INTEGER_LEAK)
    assert recovered(truth, _week_bounds(areas, list(_seen_weeks(areas)), truth)) == []


def test_no_area_s_small_week_is_recoverable_in_whole_numbers(app):
    areas, truth = _load_weeks(INTEGER_LEAK)
    assert recovered(truth, _week_bounds(areas, list(_seen_weeks(areas)), truth, integral=True)) == []


@pytest.mark.parametrize("integral", [False, True])
def test_the_leak_comes_back_without_the_linear_programming_step(app, monkeypatch, integral):
    """The sums one at a time (the calculator alone) leave the leak dataset's small week pinned."""
    from portal.research import bounds

    monkeypatch.setattr(bounds.DeclaredSums, "pinned", lambda self, hidden, sensitive: [])
    areas, truth = _load_weeks(INTEGER_LEAK)
    assert recovered(truth, _week_bounds(areas, list(_seen_weeks(areas)), truth, integral=integral))
