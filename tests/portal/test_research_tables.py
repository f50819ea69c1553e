"""Each research table downloads as CSV: the same cells as the page, the same filters, audited, spreadsheet-safe."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from portal.models import Area, AuditEvent, Community, OutreachContact, StageChange, utcnow
from portal.research.pages import PAGES
from portal.research.report import Table
from portal.research.tables import spreadsheet_safe, table_csv, table_filename


def _page_tables(html: str) -> list[tuple[list[list[str]], str]]:
    """(header + rows as the page shows them, CSV link) for every table on a chart page."""
    soup = BeautifulSoup(html, "html.parser")
    out = []
    for table in soup.select('[data-testid="data-table"]'):
        cells = [[c.get_text(strip=True) for c in tr.find_all(["th", "td"])] for tr in table.find_all("tr")]
        link = table.find_parent(class_="lr-table-block").find("a", attrs={"data-testid": "table-csv"})
        out.append((cells, link["href"]))
    return out


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("slug", sorted(PAGES))
def test_every_table_downloads_with_the_cells_the_page_shows(client, auth, demo, slug):
    auth.login("admin")
    tables = _page_tables(client.get(f"/research/{slug}").get_data(as_text=True))
    assert tables, f"{slug} shows no table"
    for number, (cells, href) in enumerate(tables, start=1):
        assert urlsplit(href).path == f"/research/{slug}/tables/{number}.csv"
        response = client.get(href)
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        assert response.headers["Cache-Control"] == "no-store"
        assert _csv(response) == cells


def test_the_download_keeps_the_filters_and_is_audited(client, auth, demo, db_session):
    auth.login("admin")
    area = Area.by_slug("wealden-sample")
    platform = db_session.scalars(select(Community.platform).join(OutreachContact)
                                  .where(Community.area_id == area.id)).first()
    query = f"area={area.slug}&platform={platform}&by=channel"
    html = client.get(f"/research/responses?{query}").get_data(as_text=True)
    (cells, href), *_ = _page_tables(html)
    assert parse_qs(urlsplit(href).query) == {"area": [area.slug], "platform": [platform], "by": ["channel"]}
    response = client.get(href)
    assert _csv(response) == cells
    assert cells[0][0] == "Channel"
    assert f"area-{area.slug}" in response.headers["Content-Disposition"]
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == "research_table")).one()
    assert event.action == "export"
    assert event.object_id == "responses/1"
    assert event.details["filters"] == {"area": area.slug, "platform": platform, "by": "channel"}
    assert event.details["rows"] == len(cells) - 1
    assert event.details["suppressed"] is False



def test_a_long_table_shows_its_first_rows_and_the_rest_on_asking(client, auth, demo, monkeypatch):
    from portal.research import views

    auth.login("admin")
    ((whole, _),) = _page_tables(client.get("/research/contacts?area=wealden-sample").get_data(as_text=True))
    assert len(whole) > 4, "the demo's weekly table is long enough to cut"
    monkeypatch.setattr(views, "TABLE_ROWS", 3)
    html = client.get("/research/contacts?area=wealden-sample").get_data(as_text=True)
    ((cut, href),) = _page_tables(html)
    assert cut == whole[:4]  # the header and the first three rows
    soup = BeautifulSoup(html, "html.parser")
    note = soup.select_one('[data-testid="table-truncated"]')
    assert note.get_text(" ", strip=True).startswith(f"Showing the first 3 of {len(whole) - 1} rows")
    more = note.find("a", attrs={"data-testid": "table-all-rows"})
    assert more["href"] == "/research/contacts?rows=all&area=wealden-sample#table-1"
    assert (more["hx-select"], more["hx-target"]) == ("#table-1", "#table-1")
    assert _csv(client.get(href)) == whole  # the download has every row

    for headers in ({}, {"HX-Request": "true"}):  # the link without JavaScript, and the swap htmx makes
        shown = client.get(more["hx-get"], headers=headers).get_data(as_text=True)
        assert "<html" in shown if not headers else "<html" not in shown
        ((cells, _),) = _page_tables(shown)
        assert cells == whole
        assert 'data-testid="table-truncated"' not in shown
        assert BeautifulSoup(shown, "html.parser").select_one("#table-1") is not None


def _three_contacts(area, officer, blogs=0):
    """Three forums contacted once (and `blogs` blogs), each answered positively."""
    from portal.extensions import db

    now = utcnow()
    for i in range(3 + blogs):
        community = Community(area_id=area.id, name=f"Small {i}", platform="forum" if i < 3 else "blog",
                              created_at=now - timedelta(days=30))
        db.session.add(community)
        db.session.flush()
        db.session.add(OutreachContact(community_id=community.id, officer_id=officer.id,
                                       occurred_at=now - timedelta(days=20), channel="comment",
                                       purpose="introduce", outcome="positive"))
        db.session.add(StageChange(community_id=community.id, to_stage="identified",
                                   changed_at=now - timedelta(days=30)))
    db.session.commit()


@pytest.mark.usefixtures("live_research_figures")
def test_researchers_download_the_suppressed_cells(client, auth, users, area, db_session):
    _three_contacts(area, users["officer"], blogs=12)
    auth.login("researcher")
    rows = _csv(client.get("/research/responses/tables/1.csv"))
    # The blogs' 12 is withheld too: by channel the page counts the same 15 contacts, and 15 - 12 would give
    # the forums' 3 away (issue 22 (c)).
    assert rows[1][:2] == ["Blog", "[c]"]
    assert rows[2][:2] == ["Forum", "[c]"]
    assert db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == "research_table")).one() \
        .details["suppressed"] is True
    auth.logout()
    auth.login("admin")
    assert _csv(client.get("/research/responses/tables/1.csv"))[2][1] == "3"


def test_a_table_of_a_selection_that_singles_out_is_refused_not_downloaded(client, auth, users, area):
    _three_contacts(area, users["officer"])
    auth.login("researcher")
    response = client.get("/research/responses/tables/1.csv")
    assert response.status_code == 403
    assert "fewer than 10 communities" in response.get_data(as_text=True)


def test_a_formula_in_an_area_name_is_not_run_by_a_spreadsheet(client, auth, users, area, db_session):
    area.name = '=HYPERLINK("http://evil.example","x")'
    db_session.commit()
    _three_contacts(area, users["officer"])
    auth.login("admin")
    header = _csv(client.get("/research/contacts/tables/1.csv"))[0]
    assert header[1] == "'" + area.name


@pytest.mark.parametrize("cell, safe", [
    ("=1+1", "'=1+1"), ("@SUM(A1)", "'@SUM(A1)"), ("+cmd", "'+cmd"), ("-2+3", "'-2+3"), ("\tx", "'\tx"),
    ("-3", "-3"), ("+12", "+12"), ("-1.5", "-1.5"), ("40%", "40%"), ("<5", "<5"), ("–", "–"), ("Forum", "Forum"),
])
def test_spreadsheet_safe(cell, safe):
    assert spreadsheet_safe(cell) == safe


def test_table_csv_quotes_commas_and_names_files_by_their_filters():
    table = Table("Caption", ["Area", "Contacts"], [["Lewes, East", "<5"], ["=x", "12"]])
    assert table_csv(table) == 'Area,Contacts\r\n"Lewes, East",<5\r\n\'=x,12\r\n'
    assert table_filename("contacts", 1, {"area": "Test Town!", "since": "2025-01-01"}) == \
        "local-reach-contacts-table-1-area-test-town-since-2025-01-01.csv"


def test_unknown_pages_tables_and_impossible_filters_are_not_found(client, auth, demo):
    auth.login("admin")
    assert client.get("/research/nope/tables/1.csv").status_code == 404
    assert client.get("/research/funnel/tables/9.csv").status_code == 404
    assert client.get("/research/funnel/tables/0.csv").status_code == 404
    assert client.get("/research/funnel/tables/1.csv?platform=myspace").status_code == 404


def test_officers_cannot_download_research_tables(client, auth, demo):
    auth.login("officer")
    assert client.get("/research/funnel/tables/1.csv").status_code == 403
