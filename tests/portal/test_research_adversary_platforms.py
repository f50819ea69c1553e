"""The adversary (test_research_adversary.py) against the platform filter on the pages that count
communities: funnel, trajectories, activity, assessments and offline.

Each page's family is every area, each area and each platform (every area together), all read by a
researcher; an area with a platform is refused. The truth is the cube area × platform × count: each
count (table cell, chart tooltip, the counts in the notes) of an admin's view of one area and one
platform, which are unsuppressed and add up over areas and platforms. Each number a researcher sees
is then the sum of its count over the view's areas and platforms, an equation over the cube; the
page's own relations are added too (a row's total is its stages' sum; the trajectories' approached is
each row's reached + ended + waiting; the funnel's "reached" falls stage by stage). scipy's linprog
bounds every small cell of the cube: recovered when its interval holds one whole number or lies
below K.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.extensions import db
from portal.models import ActivitySample, Assessment, Community, OutreachContact, StageChange
from portal.research.filters import Selection
from portal.research.pages import build_report
from tests.conftest import _empty_all_tables
from tests.portal.research_support import areas_and_officers
from tests.portal.test_research_adversary import ADVERSARY, K, optimum, recovered

PLATFORMS = ("forum", "blog", "website")
N_AREAS = 2
PAGES = ("funnel", "trajectories", "activity", "assessments", "offline")
WHEN = datetime(2026, 3, 10)
PERIOD = {"since": date(2026, 1, 1), "until": date(2026, 12, 31)}
STAGES = st.sampled_from(["approached", "acknowledged", "acknowledged", "two_way", "declined", "hostile"])
# Counts that are not additive over areas and platforms, or have no platform: means, medians, days, shares.
NOT_COUNTS = ("Mean", "Median", "Middle half", "Reached by day", "Meetings", "Attendance", "Meeting attendance",
              "Area")
SCORES = ("Trust", "Reciprocity", "Reach")  # the assessments' means (not "Reached", a trajectory count)
community = st.tuples(st.integers(0, N_AREAS - 1), st.sampled_from(PLATFORMS), STAGES, st.booleans(), st.booleans(),
                      st.integers(0, 3))
datasets = st.lists(community, min_size=10, max_size=45)


def _load(dataset) -> list:
    """Store the communities: each contacted in March 2026 (weeks apart), moved to its stage, sampled around
    its first contact and assessed when asked; returns the areas."""
    db.session.remove()
    _empty_all_tables(db)
    areas, officers = areas_and_officers(N_AREAS, K)
    for n, (area, platform, stage, sampled, assessed, week) in enumerate(dataset):
        when = WHEN + timedelta(weeks=week)
        c = Community(area_id=areas[area].id, name=f"Community {n}", platform=platform, created_at=when - timedelta(days=90))
        db.session.add(c)
        db.session.flush()
        db.session.add(OutreachContact(community_id=c.id, officer_id=officers[0].id, occurred_at=when,
                                       channel="comment", purpose="introduce", outcome="pending"))
        db.session.add(StageChange(community_id=c.id, to_stage="identified", changed_at=when - timedelta(days=1)))
        db.session.add(StageChange(community_id=c.id, to_stage=stage, changed_at=when + timedelta(days=3 + week)))
        if sampled:
            for days in (-5, 3):
                db.session.add(ActivitySample(community_id=c.id, sampled_at=when + timedelta(days=days), items_per_week=3.0))
        if assessed:
            db.session.add(Assessment(community_id=c.id, assessed_by_id=officers[0].id,
                                      assessed_at=when + timedelta(days=40 * week), trust=3, reciprocity=3, reach=3))
    db.session.commit()
    return areas


def _counts(report) -> tuple[dict, list]:
    """{(where, row, column): (count, the area its row names or None)} of every count a view shows (withheld
    ones left out), and the rows' relations [(kind, total, parts)] that hold within any one view."""
    out: dict = {}
    relations: list = []
    if report.refused or report.empty:
        return out, relations
    for table in report.tables:
        totals = "Total" in table.headers
        for row in table.rows:
            named = row[1] if table.headers[1] == "Area" and row[1] != "Every area" else None
            keys = []
            for header, cell in zip(table.headers[1:], row[1:], strict=True):
                if header in SCORES or any(header.startswith(word) for word in NOT_COUNTS):
                    continue
                keys.append((table.caption, row[0], header))
                if re.fullmatch(r"\d+", cell.strip()):
                    out[table.caption, row[0], header] = (int(cell), named)
                else:
                    assert cell.strip() in ("[c]", "–"), cell
            if totals:
                relations.append(("sum", keys[-1], keys[:-1]))
        if table.headers[1:5] == ["Approached", "Reached", "Ended otherwise", "Still waiting"]:
            approached = [(table.caption, row[0], "Approached") for row in table.rows]
            for key, row in zip(approached, table.rows, strict=True):
                relations.append(("sum", key, [(table.caption, row[0], h) for h in table.headers[2:5]]))
                relations.append(("sum", approached[0], [key]))
        if table.headers == ["Stage", "Communities"]:  # communities that ever reached each stage: falling
            keys = [(table.caption, row[0], "Communities") for row in table.rows]
            relations += [("at_least", higher, [lower]) for higher, lower in zip(keys, keys[1:], strict=False)]
    for chart in report.charts:
        for *_, tip in chart.rects:
            category, rest = tip.split(", ", 1)
            name, shown = rest.rsplit(": ", 1)
            if not any(name.startswith(word) for word in NOT_COUNTS) and re.fullmatch(r"\d+", shown):
                out[f"chart {chart.chart_id}", category, name] = (int(shown), None)
    for note in report.notes:
        if match := re.match(r"(\d+) (communities .*?):", note):
            out["notes", match.group(2), ""] = (int(match.group(1)), None)
    return out, relations


def _attack(slug: str, areas: list) -> list:
    """The small cells of the cube that what a researcher sees pins down (empty: none)."""
    truth: Counter = Counter()
    relations: list = []
    for a, area in enumerate(areas):
        for platform in PLATFORMS:
            admin = build_report(slug, Selection(area=area.slug, area_id=area.id, platform=platform, **PERIOD), False)
            cells, rows = _counts(admin)
            for key, (value, _) in cells.items():
                truth[a, platform, key] = value
            relations += [(a, platform, relation) for relation in rows]
    views = [(range(len(areas)), PLATFORMS, Selection(**PERIOD))]
    views += [([a], PLATFORMS, Selection(area=area.slug, area_id=area.id, **PERIOD)) for a, area in enumerate(areas)]
    views += [(range(len(areas)), [p], Selection(platform=p, **PERIOD)) for p in PLATFORMS]
    seen = []
    by_name = {area.name: a for a, area in enumerate(areas)}
    for summed, platforms, selection in views:
        cells, _ = _counts(build_report(slug, selection, True))
        seen += [(list(summed) if named is None else [by_name[named]], platforms, key, value)
                 for key, (value, named) in cells.items()]
    keys = sorted({key for _, _, key in truth} | {key for *_, key, _ in seen}
                  | {k for *_, (_, total, parts) in relations for k in (total, *parts)}, key=str)
    cells = [(a, p, key) for a in range(len(areas)) for p in PLATFORMS for key in keys]
    index = {cell: i for i, cell in enumerate(cells)}
    eq_rows, eq_values, le_rows, le_values = [], [], [], []
    for summed, platforms, key, value in seen:
        row = [0.0] * len(cells)
        for a in summed:
            for p in platforms:
                row[index[a, p, key]] = 1.0
        eq_rows.append(row)
        eq_values.append(float(value))
    for a, p, (kind, total, parts) in relations:
        row = [0.0] * len(cells)
        row[index[a, p, total]] += 1.0
        for part in parts:
            row[index[a, p, part]] -= 1.0
        if kind == "sum":
            eq_rows.append(row)
            eq_values.append(0.0)
        else:  # total >= part: -(total - part) <= 0
            le_rows.append([-x for x in row])
            le_values.append(0.0)
    bounds = {}
    for cell, i in index.items():
        if not 0 < truth[cell] < K:
            continue
        found = []
        for direction in (1, -1):
            objective = [0.0] * len(cells)
            objective[i] = direction
            found.append(direction * optimum(objective, le_rows, le_values, eq_rows, eq_values, 200, False))
        bounds[cell] = tuple(found)
    return recovered(truth, bounds)


@pytest.mark.parametrize("slug", PAGES)
@settings(ADVERSARY, max_examples=6)
@given(dataset=datasets)
def test_no_small_count_is_recoverable_across_the_platform_filter(app, slug, dataset):
    areas = _load(dataset)
    assert _attack(slug, areas) == []


# 12 forums and 3 blogs in one area, 11 forums and 11 websites in the other: the blogs are below K.
SMALL_PLATFORM = ([(0, "forum", "acknowledged", True, True, 0)] * 12 + [(0, "blog", "hostile", True, True, 0)] * 3
                  + [(1, "forum", "approached", True, True, 1)] * 11 + [(1, "website", "two_way", True, True, 1)] * 11)


@pytest.mark.parametrize("slug", PAGES)
def test_the_small_platform_is_not_recoverable(app, slug):
    assert _attack(slug, _load(SMALL_PLATFORM)) == []


@pytest.mark.parametrize("slug", PAGES)
def test_the_adversary_recovers_the_small_platform_without_the_platforms_sums(app, monkeypatch, slug):
    """The attack works: with each platform's figures protected apart from every platform's (the declared
    sums dropped: `family.add_platform_sums` as each page's module calls it), the blogs come back from
    every platform minus the others."""
    for module in ("stages", "time_to_stage", "activity", "engagement"):
        monkeypatch.setattr(f"portal.research.{module}.add_platform_sums", lambda *args, **kwargs: None)
    assert _attack(slug, _load(SMALL_PLATFORM))
