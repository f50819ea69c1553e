"""The platform filter on the pages that count communities, and the researchers' month-end year, rule by rule
(written against mutmut's survivors, docs/MUTATION.md).

A page that counts communities protects every area, each area and each platform (for every area
together) as one family (`filters.platform_family`), counted once per cache time and protected once
(`family.family_counts`, `family_protected`), each platform's cells declared to add up to every
platform's (`family.add_platform_sums`); a researcher may not choose an area and a platform together
(`disclosure.platform_area_reason`). A researcher's year runs to the last completed month-end
(`filters.last_published_day`), and the Year select offers the ten latest years with an ended month
(`offered_years`). The pages themselves are read in test_research_adversary_platforms.py and
test_research_month_end.py; here each function's rule and its boundaries.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest
from flask import has_app_context

import portal.research.filters as research_filters
from portal.research import cache
from portal.research.disclosure import CellTable, platform_area_reason
from portal.research.family import add_platform_sums, family_counts, family_protected
from portal.research.filters import (
    ALL_AREAS, Selection, last_published_day, offered_years, platform_family, platform_place, research_today,
    split_places,
)

AREA = 7  # an area id, for the functions read on their own
NOT_BOTH = ("Choose an area or a platform, not both: with a platform chosen, figures on this page are for "
            "every area together.")


# filters.platform_family: the family drops the area and the platform, unless both are chosen

@pytest.mark.parametrize(("selection", "family"), [
    (Selection(), Selection()),
    (Selection(area="lewes", area_id=AREA), Selection()),
    (Selection(platform="forum"), Selection()),  # each platform is counted beside every platform
    (Selection(area="lewes", area_id=AREA, platform="forum"), Selection(platform="forum")),  # an admin's view
    (Selection(area="zero", area_id=0, platform="forum"), Selection(platform="forum")),  # id 0 is an area
    (Selection(area="lewes", platform="forum"), Selection()),  # a slug that named no area in scope
    (Selection(platform="blog", channel="email", by="purpose", since=date(2025, 1, 1), until=date(2025, 12, 31)),
     Selection(channel="email", by="purpose", since=date(2025, 1, 1), until=date(2025, 12, 31))),
])
def test_the_platform_family_of_a_selection(selection, family):
    assert platform_family(selection) == family


# disclosure.platform_area_reason: an area and a platform together are refused to researchers

@pytest.mark.parametrize(("selection", "reason"), [
    (Selection(), None),
    (Selection(platform="forum"), None),
    (Selection(area="lewes", area_id=AREA), None),
    (Selection(area="lewes", area_id=AREA, platform="forum"), NOT_BOTH),
    (Selection(area="zero", area_id=0, platform="forum"), NOT_BOTH),  # an area's id is never "no area"
])
def test_an_area_and_a_platform_together_are_refused_to_researchers(selection, reason):
    assert platform_area_reason(selection) == reason  # a researcher's view unless told otherwise
    assert platform_area_reason(selection, True) == reason
    assert platform_area_reason(selection, False) is None  # supervisors and admins see both together


# family.family_counts and family_protected: one count and one protection per family and cache time

@pytest.fixture
def kept(app, monkeypatch):
    """Reports kept for 300 s, on a clock that does not move: every call below is within the time."""
    app.config["RESEARCH_CACHE_SECONDS"] = 300
    app.extensions.pop("research_family_counts", None)
    monkeypatch.setattr(cache, "_clock", lambda: 1000.0)
    with app.test_request_context():
        yield app


def _counter(value="counts"):
    calls: list[int] = []

    def count():
        calls.append(1)
        return value
    return count, calls


def test_every_area_of_a_family_reads_one_count(kept):
    count, calls = _counter()
    for area_id in (None, AREA, AREA + 1, 0):
        assert family_counts("funnel", Selection(area="x" if area_id is not None else "", area_id=area_id), count, suppress=False) == "counts"
    assert len(calls) == 1


def test_each_page_and_each_family_is_counted_apart(kept):
    count, calls = _counter()
    family_counts("funnel", Selection(), count, suppress=False)
    family_counts("trajectories", Selection(), count, suppress=False)
    family_counts("funnel", Selection(platform="forum"), count, suppress=False)
    family_counts("funnel", Selection(since=date(2025, 1, 1), until=date(2025, 12, 31)), count, suppress=False)
    assert len(calls) == 4


def test_a_cache_of_one_second_keeps_the_counts(app, kept):
    app.config["RESEARCH_CACHE_SECONDS"] = 1
    count, calls = _counter()
    family_counts("funnel", Selection(), count, suppress=False)
    family_counts("funnel", Selection(), count, suppress=False)
    assert len(calls) == 1


@pytest.mark.parametrize("seconds", [0, -5])
def test_without_the_cache_every_call_counts_and_nothing_is_kept(app, kept, seconds):
    app.config["RESEARCH_CACHE_SECONDS"] = seconds
    count, calls = _counter()
    family_counts("funnel", Selection(), count, suppress=False)
    family_counts("funnel", Selection(area="x", area_id=AREA), count, suppress=False)
    assert len(calls) == 2
    assert "research_family_counts" not in app.extensions  # no family's counts held in the process


def test_a_family_is_protected_once_for_researchers_and_apart_from_its_counts(kept):
    protect, calls = _counter("protected")
    family_counts("funnel", Selection(), lambda: "counts", suppress=False)
    assert family_protected("funnel", Selection(), True, protect) == "protected"
    assert family_protected("funnel", Selection(), True, protect) == "protected"
    assert len(calls) == 1
    assert family_counts("funnel", Selection(), lambda: "recounted", suppress=False) == "counts"  # the counts are kept apart
    assert family_protected("activity", Selection(), True, lambda: "activity's") == "activity's"
    assert family_protected("funnel", Selection(platform="forum"), True, lambda: "forum's") == "forum's"


def test_an_admin_s_unsuppressed_table_is_built_each_time(kept):
    protect, calls = _counter("unsuppressed")
    family_protected("funnel", Selection(), True, lambda: "suppressed")
    assert family_protected("funnel", Selection(), False, protect) == "unsuppressed"
    assert family_protected("funnel", Selection(), False, protect) == "unsuppressed"
    assert len(calls) == 2


# family.add_platform_sums: every area's cell is the sum of each platform's

def _sums(table: CellTable) -> set:
    return {(total, frozenset(parts)) for total, parts in table.sums}


def _offline_table() -> CellTable:
    table = CellTable()
    for place in (ALL_AREAS, AREA, platform_place("forum")):
        table.cell((place, 1, "online"), 9)
        table.cell((place, 1, "meetings"), 4)
    table.cell("note", 1)  # a table may hold keys of any shape
    table.cell(5, 1)
    return table


def test_each_cell_of_every_area_is_the_sum_of_each_platform_s():
    table = _offline_table()
    add_platform_sums(table, ["forum", "blog"])
    forum, blog = platform_place("forum"), platform_place("blog")
    assert _sums(table) == {((ALL_AREAS, 1, "online"), frozenset({(forum, 1, "online"), (blog, 1, "online")})),
                            ((ALL_AREAS, 1, "meetings"), frozenset({(forum, 1, "meetings"), (blog, 1, "meetings")}))}
    assert table.values[blog, 1, "online"] == 0  # a platform the table did not hold has none
    assert table.values[forum, 1, "online"] == 9


def test_only_the_cells_the_platforms_split_are_summed():
    table = _offline_table()
    add_platform_sums(table, ["forum"], keep=lambda rest: rest[-1] == "online")  # a meeting has no platform
    assert _sums(table) == {((ALL_AREAS, 1, "online"), frozenset({(platform_place("forum"), 1, "online")}))}


def test_which_cells_the_platforms_split_is_asked_of_the_key_after_its_place():
    table = _offline_table()
    asked: list = []
    add_platform_sums(table, ["forum"], keep=lambda rest: asked.append(rest) or rest == (1, "online"))
    assert sorted(asked, key=str) == [(1, "meetings"), (1, "online")]
    assert _sums(table) == {((ALL_AREAS, 1, "online"), frozenset({(platform_place("forum"), 1, "online")}))}


def test_no_platforms_no_sums():
    table = _offline_table()
    add_platform_sums(table, [])
    assert table.sums == []


# filters: the researchers' year ends at the last completed month-end

@pytest.mark.parametrize(("today", "last"), [
    (date(2026, 12, 7), date(2026, 11, 30)),
    (date(2026, 12, 1), date(2026, 11, 30)),  # the first of a month: the month before has ended
    (date(2026, 11, 30), date(2026, 10, 31)),  # the last day of a month: that month has not
    (date(2024, 3, 15), date(2024, 2, 29)),
    (date(2027, 1, 1), date(2026, 12, 31)),  # all January: last year's 31 December
    (date(2027, 1, 31), date(2026, 12, 31)),
])
def test_the_last_published_day_is_the_last_completed_month_end(app, today, last):
    assert last_published_day(today) == last
    app.config["RESEARCH_FIGURES_TO"] = "today"
    assert last_published_day(today) == today


@pytest.mark.parametrize("value", ["Today", "today ", "live", "", None])
def test_any_other_figures_to_is_the_month_end(app, value):
    app.config["RESEARCH_FIGURES_TO"] = value
    assert last_published_day(date(2026, 12, 7)) == date(2026, 11, 30)


def test_without_an_app_the_year_ends_at_the_month_end():
    assert not has_app_context()
    assert last_published_day(date(2026, 12, 7)) == date(2026, 11, 30)


@pytest.mark.parametrize(("today", "years"), [
    (date(2026, 12, 7), list(range(2026, 2016, -1))),
    (date(2027, 1, 20), list(range(2026, 2016, -1))),  # no month of 2027 has ended
    (date(2027, 2, 1), list(range(2027, 2017, -1))),
])
def test_the_year_select_offers_the_ten_latest_years_with_an_ended_month(today, years):
    assert offered_years(today) == years


def test_the_research_pages_read_today_from_one_clock(monkeypatch):
    monkeypatch.setattr(research_filters, "utcnow", lambda: datetime(2026, 2, 1, 23, 59))
    assert research_today() == date(2026, 2, 1)


# filters.split_places: a family's places apart, as each page's protection table reads them

def test_a_family_s_places_split_into_areas_and_platforms_each_sorted_once():
    forum, blog = platform_place("forum"), platform_place("blog")
    assert split_places([AREA, forum, 0, blog, AREA, forum, 3]) == ([0, 3, AREA], [blog, forum])
    assert split_places({forum: 1}) == ([], [forum])  # a mapping's keys
    assert split_places(iter([])) == ([], [])
