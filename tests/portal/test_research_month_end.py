"""Differencing over time (issue 22): a researcher's current year runs to the last completed month-end.

A year that ran to today gave, viewed today and again a week later, that week's contacts by subtraction.
Now two views within one month are the same figures (page, fragment and CSV), a record made after the
month-end shows only once its month has ended, and all January the default year is the last one.
Officers, supervisors and admins keep live figures. The research clock (`filters.research_today`) is
set here by replacing `utcnow` in `portal.research.filters`.

The year to 31 October and the year to 30 November differed by November; now each month-end's release is
kept (releases.py, test_research_releases.py) and protected knowing the year's previous one
(`CellTable.joined_with`; test_research_adversary_releases.py attacks two releases together).
"""
from __future__ import annotations

from datetime import date, datetime

from bs4 import BeautifulSoup

import portal.research.filters as research_filters
from portal.extensions import db
from portal.models import Meeting
from portal.research.filters import Selection, last_published_day, offered_years, one_calendar_year
from portal.research.pages import PAGES
from tests.portal.test_research_differencing import (
    _contacted, _officers_and_areas, _view, small_differences,
)


def _clock(monkeypatch, day: date) -> None:
    """The research pages' today (and so their last month-end)."""
    monkeypatch.setattr(research_filters, "utcnow", lambda: datetime.combine(day, datetime.min.time()).replace(hour=10))


def _year_2025():
    """Two areas, 68 communities contacted in October and November 2025 (44 forums), a meeting in each area
    each month."""
    officer, areas = _officers_and_areas(2)
    for n, area in enumerate(areas):
        _contacted(area, officer, "forum", 12, outcome="positive", when=datetime(2025, 10, 6 + n))
        _contacted(area, officer, "blog", 12, outcome="hostile", when=datetime(2025, 10, 14 + n))
        _contacted(area, officer, "forum", 10, outcome="no_response", when=datetime(2025, 11, 10 + n))
        for month in (10, 11):
            db.session.add(Meeting(area_id=area.id, title="Surgery", held_at=datetime(2025, month, 20),
                                   place="Hall", attendance=12 + n))
    db.session.commit()
    return officer, areas


def _after_the_month_end(officer, areas) -> None:
    """Records made in December 2025, after the last month-end the first views stop at: 10 forums contacted."""
    _contacted(areas[0], officer, "forum", 10, outcome="positive", when=datetime(2025, 12, 5))
    db.session.add(Meeting(area_id=areas[0].id, title="Surgery", held_at=datetime(2025, 12, 8), place="Hall",
                           attendance=3))
    db.session.commit()


def _everything_seen(client, query: str = "") -> dict[str, str]:
    """Every research page's chart block (page and fragment) and every CSV of its tables, as a researcher
    receives them, less the time they were computed."""
    seen = {}
    for slug in PAGES:
        for kind, headers in (("page", {}), ("fragment", {"HX-Request": "true"})):
            response = client.get(f"/research/{slug}{query}", headers=headers)
            assert response.status_code == 200, (slug, kind)
            block = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one('[data-testid="chart-block"]')
            assert block is not None, (slug, kind)
            for when in block.select('[data-testid="computed-at"]'):
                when.decompose()
            assert 'data-testid="refused"' not in str(block), (slug, block.select_one('[data-testid="refused"]'))
            seen[f"{slug} {kind}"] = str(block)
        number = 1
        while (download := client.get(f"/research/{slug}/tables/{number}.csv{query}")).status_code == 200:
            seen[f"{slug} table {number}"] = download.get_data(as_text=True)
            number += 1
    return seen


def test_two_views_of_a_year_in_one_month_give_the_same_figures_everywhere(client, auth, monkeypatch):
    """3 December and 20 December 2025, with contacts and a meeting recorded between them: every page,
    fragment and CSV of 2025 is the same, to 30 November; without the month-end, the December records show."""
    officer, areas = _year_2025()
    auth.login("researcher")
    _clock(monkeypatch, date(2025, 12, 3))
    first = _everything_seen(client, "?year=2025")
    default = _everything_seen(client)
    assert "1 January to 30 November 2025: figures are to the last month-end." in first["responses page"]
    _after_the_month_end(officer, areas)
    _clock(monkeypatch, date(2025, 12, 20))
    second = _everything_seen(client, "?year=2025")
    assert [name for name in first if first[name] != second[name]] == []
    assert set(second) == set(first)
    assert _everything_seen(client) == default  # the default year is the same one


def test_a_record_made_after_the_month_end_shows_when_its_month_has_ended(client, auth, monkeypatch):
    officer, areas = _year_2025()
    _after_the_month_end(officer, areas)
    auth.login("researcher")

    def contacts(day: date) -> str:
        _clock(monkeypatch, day)
        csv = client.get("/research/responses/tables/1.csv?year=2025").get_data(as_text=True)
        return next(line for line in csv.splitlines() if line.startswith("Forum,"))

    assert contacts(date(2025, 12, 31)).startswith("Forum,44,")
    assert contacts(date(2026, 1, 1)).startswith("Forum,54,")  # December has ended: the year is whole
    auth.logout()
    auth.login("admin")  # other roles see the records anyway: their figures are live
    _clock(monkeypatch, date(2025, 12, 10))
    csv = client.get("/research/responses/tables/1.csv?since=2025-01-01&until=2025-12-10").get_data(as_text=True)
    assert any(line.startswith("Forum,54,") for line in csv.splitlines()), csv


def test_all_january_the_default_year_is_the_last_one_and_the_form_does_not_offer_this_one(client, auth, monkeypatch):
    _year_2025()
    auth.login("researcher")
    _clock(monkeypatch, date(2026, 1, 6))
    html = client.get("/research/responses").get_data(as_text=True)
    soup = BeautifulSoup(html, "html.parser")
    assert [o["value"] for o in soup.select("#f-year option")][:2] == ["2025", "2024"]
    assert soup.select_one("#f-year option[selected]")["value"] == "2025"
    assert "1 January to 31 December 2025: the whole year." in html
    assert 'data-testid="data-table"' in html
    refused = client.get("/research/responses?year=2026").get_data(as_text=True)
    assert "No month of 2026 has ended yet" in refused
    assert 'data-testid="data-table"' not in refused
    assert client.get("/research/responses/tables/1.csv?year=2026").status_code != 200
    _clock(monkeypatch, date(2026, 2, 1))  # January has ended: this year is offered, to 31 January
    soup = BeautifulSoup(client.get("/research/responses").get_data(as_text=True), "html.parser")
    assert [o["value"] for o in soup.select("#f-year option")][0] == "2026"
    assert soup.select_one('[data-testid="period"]').get_text(strip=True) == (
        "1 January to 31 January 2026: figures are to the last month-end.")


def test_the_year_runs_to_the_last_month_end_unless_set_to_today(app):
    assert last_published_day(date(2026, 12, 7)) == date(2026, 11, 30)
    assert last_published_day(date(2026, 3, 1)) == date(2026, 2, 28)
    assert last_published_day(date(2027, 1, 31)) == date(2026, 12, 31)
    assert offered_years(date(2027, 1, 31))[0] == 2026
    assert one_calendar_year(Selection(), date(2026, 12, 7)).until == date(2026, 11, 30)
    assert one_calendar_year(Selection(since=date(2025, 3, 1)), date(2026, 12, 7)).until == date(2025, 12, 31)
    assert one_calendar_year(Selection(since=date(2027, 1, 1)), date(2027, 1, 20)).impossible
    app.config["RESEARCH_FIGURES_TO"] = "yesterday"  # not a value: the month-end, not live figures
    assert last_published_day(date(2026, 12, 7)) == date(2026, 11, 30)
    app.config["RESEARCH_FIGURES_TO"] = "today"
    assert last_published_day(date(2026, 12, 7)) == date(2026, 12, 7)
    assert one_calendar_year(Selection(), date(2027, 1, 3)) == Selection(since=date(2027, 1, 1), until=date(2027, 1, 3))


def test_two_month_ends_of_one_year_do_not_give_a_month_away(app, monkeypatch):
    """The year to 31 October and the year to 30 November: the later minus the earlier would be November's 3;
    the November release is protected knowing October's as published (ARCHITECTURE.md, Disclosure control)."""
    officer, (area,) = _officers_and_areas(1)
    _contacted(area, officer, "forum", 12, outcome="positive", when=datetime(2025, 10, 8))
    _contacted(area, officer, "forum", 3, outcome="positive", when=datetime(2025, 11, 12))
    _clock(monkeypatch, date(2025, 11, 20))
    october = _view("responses", Selection(since=date(2025, 1, 1)))
    _clock(monkeypatch, date(2025, 12, 3))
    november = _view("responses", Selection(since=date(2025, 1, 1)))
    assert small_differences(november, october) == []
