"""The catalogue list and page: search, fragments, area scoping."""
from __future__ import annotations

from portal.areas import import_area
from portal.models import Community


def _community(db_session, area, name, url=None):
    community = Community(area_id=area.id, name=name, url=url, platform="forum")
    db_session.add(community)
    db_session.commit()
    return community


def test_list_search_full_page_and_fragment(client, auth, area, db_session):
    _community(db_session, area, "Lewes Residents' Forum", "https://lewes.example/")
    _community(db_session, area, "Seaford Parents")
    auth.login("officer")
    page = client.get("/communities?q=lewes")
    assert page.status_code == 200
    assert b"<html" in page.data
    assert b"Lewes Residents" in page.data
    assert b"Seaford Parents" not in page.data
    fragment = client.get("/communities?q=seaford", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data
    assert b'id="results"' in fragment.data
    assert b"Seaford Parents" in fragment.data
    assert "HX-Request" in fragment.headers["Vary"]


def test_search_treats_wildcards_literally(client, auth, area, db_session):
    _community(db_session, area, "Lewes Forum")
    auth.login("officer")
    assert b"0 communities" in client.get("/communities?q=%25").data


def test_officer_cannot_open_another_areas_community(client, auth, area, db_session):
    other, _ = import_area({"name": "Elsewhere", "places": ["Crawley"]}, slug="elsewhere")
    db_session.commit()
    mine = _community(db_session, area, "Mine")
    theirs = _community(db_session, other, "Theirs")
    auth.login("officer")
    assert client.get(f"/communities/{mine.id}").status_code == 200
    assert client.get(f"/communities/{theirs.id}").status_code == 403
    assert b"Theirs" not in client.get("/communities").data


def test_javascript_links_are_not_rendered_as_links(client, auth, area, db_session):
    community = _community(db_session, area, "Sneaky", "javascript:alert(1)")
    auth.login("officer")
    page = client.get(f"/communities/{community.id}").data.decode()
    assert 'href="javascript:' not in page
