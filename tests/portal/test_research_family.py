"""A page's counts for every area (its family) are counted once per cache time, whichever area is shown."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from portal.research import cache, family, responses
from portal.research.filters import Selection
from portal.research.pages import build_report


def _counting(monkeypatch) -> list:
    """Record every selection responses._counted counts (it still counts)."""
    calls: list = []
    original = responses._counted
    monkeypatch.setattr(responses, "_counted", lambda selection: calls.append(selection) or original(selection))
    return calls


@pytest.fixture
def area_then_all(request, app, area, users, monkeypatch) -> list:
    """With the cache time given (indirect parameter), build one area's responses page, then every
    area's; return the selections counted (responses._counted), which keeps recording."""
    app.config["RESEARCH_CACHE_SECONDS"] = request.param
    calls = _counting(monkeypatch)
    with app.test_request_context():
        build_report("responses", Selection(area=area.slug, area_id=area.id), True)
        build_report("responses", Selection(), True)
    return calls


@pytest.mark.parametrize("area_then_all", [300], indirect=True)
def test_one_area_after_another_reads_the_family_counted_once(app, area, area_then_all):
    assert len(area_then_all) == 1
    with app.test_request_context():  # another grouping, a platform filter: the same family, other margins of it
        build_report("responses", Selection(by="channel"), True)
        build_report("responses", Selection(platform="forum", by="purpose"), True)
    assert len(area_then_all) == 1
    with app.test_request_context():
        build_report("responses", replace(Selection(), scope_area_ids=frozenset({area.id})), True)  # another scope
        build_report("responses", Selection(since=date(2025, 1, 1), until=date(2025, 12, 31)), True)  # another year
    assert len(area_then_all) == 3


@pytest.mark.parametrize("area_then_all", [0], indirect=True)
def test_without_the_cache_every_report_counts(area_then_all):
    assert len(area_then_all) == 2


def test_a_report_built_from_kept_counts_says_when_they_were_counted(app, area, users, monkeypatch):
    app.config["RESEARCH_CACHE_SECONDS"] = 300
    counted = datetime(2026, 1, 7, 9, 0)  # earlier than now
    monkeypatch.setattr(family, "_now", lambda: counted)
    with app.test_request_context():
        build_report("responses", Selection(), True)
    with app.test_request_context():
        kept = cache.cached_report("responses", Selection(area=area.slug, area_id=area.id), True,
                                   lambda: build_report("responses", Selection(area=area.slug, area_id=area.id), True))
    assert kept.computed_at == counted


def test_the_least_recently_used_family_goes_when_the_store_is_full(app, area, users, monkeypatch):
    app.config["RESEARCH_CACHE_SECONDS"] = 300
    monkeypatch.setattr(family, "FAMILY_ENTRIES", 2)
    app.config["RESEARCH_FIGURES_TO"] = "today"  # no kept releases (releases.py): the memory store alone
    app.extensions.pop("research_family_counts", None)
    calls = _counting(monkeypatch)
    first, second, third = (Selection(since=date(year, 1, 1), until=date(year, 12, 31)) for year in (2023, 2024, 2025))
    with app.test_request_context():
        for selection in (first, second, first, third):  # the third family pushes out the second
            build_report("responses", selection, True)
        assert len(calls) == 3
        build_report("responses", first, True)  # kept: used more recently than the second
        assert len(calls) == 3
        build_report("responses", second, True)  # counted again
        assert len(calls) == 4
    assert len(app.extensions["research_family_counts"]._items) == 2
