"""Findings 1-6 of issue 22, one test each, against the researcher's pages (the package's side of
findings 4-6 is tested in test_research_as_of.py and test_research_export.py)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from portal.extensions import db
from portal.models import Area, Community, Meeting, OutreachContact, utcnow
from portal.research.disclosure import MARK, protect_row
from portal.research.filters import Selection
from portal.research.pages import PAGES
from portal.research.pseudonyms import Pseudonymiser
from tests.portal.test_research_adversary import _bounds, _load, _seen, recovered


def _communities(area, officer, platform, n, outcome="positive", days_ago=20):
    now = utcnow()
    for i in range(n):
        community = Community(area_id=area.id, name=f"{platform} {i}", platform=platform,
                              created_at=now - timedelta(days=60))
        db.session.add(community)
        db.session.flush()
        db.session.add(OutreachContact(community_id=community.id, officer_id=officer.id,
                                       occurred_at=now - timedelta(days=days_ago + i % 3), channel="comment",
                                       purpose="introduce", outcome=outcome))
    db.session.commit()


def _refused(client, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    fragment = client.get(path, headers={"HX-Request": "true"}).get_data(as_text=True)
    for html in (page, fragment):
        assert 'data-testid="refused"' in html, path
        assert 'data-testid="data-table"' not in html
        assert 'role="img"' not in html
    csv_path = path.replace("/research/", "/research/", 1).split("?")
    csv = client.get(f"{csv_path[0]}/tables/1.csv" + (f"?{csv_path[1]}" if len(csv_path) > 1 else ""))
    assert csv.status_code == 403


def test_finding_1_a_single_community_s_path_is_refused_not_shown(client, auth, demo):
    auth.login("researcher")
    _refused(client, "/research/trajectories?area=lewes&platform=forum")
    html = client.get("/research/trajectories?area=lewes&platform=forum").get_data(as_text=True)
    assert "Approached" not in html
    # an area and a platform together are no view of the page's family (a platform is for every area
    # together: ARCHITECTURE.md, Differencing across filters); the area alone with too few is refused too
    assert "Choose an area or a platform, not both" in html


def test_finding_2_hidden_cells_are_not_recovered_from_a_rate_or_a_row_total(app):
    """Finding 2 (rate and row total): 11 answered and 3 not with the total and a 78.6% rate gave both;
    a row total of 21 over 9 shown and three hidden cells gave each hidden one."""
    rate_case = [(0, "forum", ["positive"])] * 11 + [(0, "forum", ["no_response"])] * 3
    total_case = ([(0, "blog", ["positive"])] * 9 + [(0, "blog", ["negative"])] * 4 + [(0, "blog", ["hostile"])] * 4
                  + [(0, "blog", ["acknowledged"])] * 4)
    for dataset in (rate_case, total_case):
        areas, cube = _load(dataset)
        seen = list(_seen(areas))
        assert seen, "the page showed figures"
        assert recovered(cube, _bounds(areas, seen, cube)) == []


@pytest.mark.usefixtures("live_research_figures")
def test_finding_2_the_chart_s_monthly_total_does_not_give_an_area_s_month_away(client, auth, users, area):
    other = Area(slug="other", name="Other", profile={})
    db.session.add(other)
    db.session.flush()
    _communities(area, users["officer"], "forum", 12)
    _communities(other, users["officer"], "forum", 12)
    when = utcnow() - timedelta(days=20)
    db.session.add_all([Meeting(area_id=area.id, title="Surgery", held_at=when, place="Hall", attendance=30),
                        Meeting(area_id=other.id, title="Surgery", held_at=when, place="Hall", attendance=4)])
    db.session.commit()
    auth.login("researcher")
    soup = BeautifulSoup(client.get("/research/offline").get_data(as_text=True), "html.parser")
    month = when.strftime("%b %Y")
    rows = {tuple(c.get_text(strip=True) for c in tr.find_all(["th", "td"]))[:2]:
            [c.get_text(strip=True) for c in tr.find_all("td")] for tr in soup.select("tbody tr")}
    tips = [t.get_text() for t in soup.select("rect title") if t.get_text().startswith(f"{month}, Meeting attendance")]
    assert rows[month, "Other"][1] == MARK  # attendance 4
    # Either the chart's total or the other area's attendance is withheld: total − shown cannot give 4.
    assert rows[month, area.name][1] == MARK or all(MARK in tip for tip in tips), (rows, tips)


def test_finding_3_cells_withheld_to_protect_another_are_marked_not_given_a_range(client, auth, demo):
    assert protect_row([30, 3, 12]) == [30, None, None]  # 12 is withheld as the complement
    auth.login("researcher")
    for slug in PAGES:
        html = client.get(f"/research/{slug}").get_data(as_text=True)
        assert "&lt;5" not in html, slug
        assert "fewer than 5" not in html, slug
        assert not re.search(r"&lt;\d", html), slug


@pytest.mark.usefixtures("live_research_figures")
def test_finding_4_a_rare_platform_s_weekly_pattern_is_refused(client, auth, users, area):
    _communities(area, users["officer"], "forum", 12)
    _communities(area, users["officer"], "x", 3)
    auth.login("researcher")
    _refused(client, "/research/contacts?platform=x")
    html = client.get("/research/contacts?platform=forum").get_data(as_text=True)
    assert 'data-testid="data-table"' in html


def test_finding_6_an_officer_filter_with_few_officers_in_scope_is_refused(client, auth, users, area):
    _communities(area, users["officer"], "forum", 15)
    pseudonym = Pseudonymiser(b"test-pseudonym-key").officer(users["officer"].id)
    auth.login("researcher")
    _refused(client, f"/research/responses?officer={pseudonym}")
    html = client.get("/research/responses").get_data(as_text=True)
    assert pseudonym not in html  # not offered either: two officers would name a person
    auth.logout()
    auth.login("admin")
    assert pseudonym in client.get(f"/research/responses?officer={pseudonym}").get_data(as_text=True)


@pytest.mark.usefixtures("live_research_figures")
def test_an_area_with_few_officers_shows_community_figures_but_offers_no_officer(client, auth, users, area):
    """Area figures are about its communities (15 here); only the officer filter is refused."""
    _communities(area, users["officer"], "forum", 15)
    pseudonym = Pseudonymiser(b"test-pseudonym-key").officer(users["officer"].id)
    auth.login("researcher")
    html = client.get(f"/research/contacts?area={area.slug}").get_data(as_text=True)
    assert 'data-testid="data-table"' in html
    assert pseudonym not in html
    _refused(client, f"/research/contacts?area={area.slug}&officer={pseudonym}")


def test_the_officer_filter_is_refused_to_researchers_even_with_enough_officers(app, users, area):
    """Issue 22 (b): an officer's slice of every contact could be differenced against every officer's."""
    from portal.models import User
    from portal.research.pages import build_report

    officers = [users["officer"]]
    for n in range(9):
        officer = User(email=f"o{n}@example.org", display_name=f"O{n}", role="officer")
        officer.areas.append(area)
        db.session.add(officer)
        officers.append(officer)
    db.session.commit()
    _communities(area, users["officer"], "forum", 15)
    report = build_report("responses", Selection(officer="x", officer_id=users["officer"].id), suppress=True)
    assert "cannot filter by officer" in report.refused
    assert build_report("responses", Selection(officer="x", officer_id=users["officer"].id), suppress=False).tables
    report = build_report("responses", Selection(area=area.slug, area_id=area.id), suppress=True)
    assert not report.refused
    assert report.tables


def test_every_research_page_s_numbers_leave_through_the_layer(app, demo, monkeypatch):
    """The gate's walk: each page builds its figures through CellTable.protect (a new page that
    formats its own counts fails here), and a researcher's page never shows a count from 1 to 9."""
    from portal.research import disclosure
    from portal.research.pages import build_report

    calls = []
    original = disclosure.CellTable.protect
    monkeypatch.setattr(disclosure.CellTable, "protect", lambda self: calls.append(self) or original(self))
    for slug in PAGES:
        calls.clear()
        report = build_report(slug, Selection(), suppress=True)
        assert not report.refused, slug
        assert not report.empty, slug
        assert calls, slug
        assert all(table.active for table in calls), slug
        protected_values = {v for table in calls for k, v in table.values.items() if k not in table.unpublished}
        assert protected_values, slug


def test_a_refusal_is_kept_and_served_like_any_report():
    from datetime import datetime

    from portal.research.cache import CachedReport, from_json, to_json
    from portal.research.report import Report

    kept = from_json(to_json(CachedReport(Report(refused="too few"), datetime(2026, 1, 1))))
    assert kept.report.refused == "too few"
    assert not kept.report.tables


def test_one_area_and_every_area_do_not_difference_into_another_area(app, users, area):
    """Assessments per month for every area minus one area's would give the other area's small count."""
    from portal.models import Assessment, User
    from portal.research.pages import build_report

    other = Area(slug="other", name="Other", profile={})
    db.session.add(other)
    db.session.flush()
    for n in range(10):
        db.session.add(User(email=f"o{n}@example.org", display_name=f"O{n}", role="officer", areas=[area, other]))
    _communities(area, users["officer"], "forum", 15)
    _communities(other, users["officer"], "forum", 3)
    when = utcnow() - timedelta(days=2)
    for community in db.session.query(Community).all():
        db.session.add(Assessment(community_id=community.id, assessed_by_id=users["officer"].id, trust=3,
                                  reciprocity=3, reach=3, assessed_at=when))
    db.session.commit()
    month = when.strftime("%b %Y")

    def count(selection):
        report = build_report("assessments", selection, suppress=True)
        assert not report.refused, report.refused
        return dict((row[0], row[1]) for row in report.tables[0].rows)[month]

    every, one = count(Selection()), count(Selection(area=area.slug, area_id=area.id))
    assert every == "18"
    assert one == MARK  # 18 − 15 would be the other area's 3


def test_trajectories_of_one_area_and_every_area_do_not_difference_into_another(app, users, area):
    from portal.models import User
    from portal.research.pages import build_report

    other = Area(slug="other", name="Other", profile={})
    db.session.add(other)
    db.session.flush()
    for n in range(10):
        db.session.add(User(email=f"o{n}@example.org", display_name=f"O{n}", role="officer", areas=[area, other]))
    _communities(area, users["officer"], "forum", 15)
    _communities(other, users["officer"], "forum", 3)

    def approached(selection):
        report = build_report("trajectories", selection, suppress=True)
        assert not report.refused, report.refused
        return {row[0]: row[1] for row in report.tables[0].rows}["Acknowledged"]

    every, one = approached(Selection()), approached(Selection(area=area.slug, area_id=area.id))
    assert MARK in (every, one)  # 18 − 15 would be the other area's 3
