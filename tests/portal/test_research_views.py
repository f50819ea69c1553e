"""Research chart pages: every page renders with data, as a fragment, and with an empty selection."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portal.models import Community, OutreachContact, StageChange, utcnow
from portal.research.pages import PAGES

SLUGS = sorted(PAGES)


def _no_inline_style_or_script(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"<[^>]+\son[a-z]+=", html)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_renders_charts_and_tables_from_the_demo(client, auth, demo, slug):
    auth.login("researcher")
    response = client.get(f"/research/{slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'role="img"' in html
    assert "<title id=" in html
    assert 'data-testid="data-table"' in html
    assert 'data-testid="empty-state"' not in html
    _no_inline_style_or_script(html)


@pytest.mark.parametrize("slug", SLUGS)
def test_each_page_serves_the_chart_block_as_a_fragment(client, auth, demo, slug):
    auth.login("admin")
    response = client.get(f"/research/{slug}?area=wealden-sample", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="chart"')
    assert 'role="img"' in html
    assert "Vary" in response.headers
    assert "HX-Request" in response.headers["Vary"]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_selection_matching_nothing_shows_the_empty_state(client, auth, demo, slug):
    auth.login("researcher")
    html = client.get(f"/research/{slug}?since=2001-01-01&until=2001-02-01").get_data(as_text=True)
    assert 'data-testid="empty-state"' in html
    assert 'role="img"' not in html


def test_unknown_filter_values_match_nothing_and_say_why(client, auth, demo):
    auth.login("researcher")
    html = client.get("/research/responses?platform=myspace&since=31-12-2024").get_data(as_text=True)
    assert "Choose a platform from the list" in html
    assert "Enter a real date" in html
    assert 'data-testid="empty-state"' in html


def test_index_lists_every_page_and_the_export(client, auth, demo):
    auth.login("supervisor")
    html = client.get("/research").get_data(as_text=True)
    for page in PAGES.values():
        assert page.title.replace("'", "&#39;") in html
    assert 'data-testid="export-link"' in html


def _small_history(area, officer, platform="forum", n=3):
    """n communities in `area`, each approached once on `platform`, all with outcome positive."""
    from portal.extensions import db

    now = utcnow()
    for i in range(n):
        community = Community(area_id=area.id, name=f"Small {i}", platform=platform, created_at=now - timedelta(days=30))
        db.session.add(community)
        db.session.flush()
        contact = OutreachContact(community_id=community.id, officer_id=officer.id, occurred_at=now - timedelta(days=20),
                                  channel="comment", purpose="introduce", outcome="positive")
        db.session.add(contact)
        db.session.add(StageChange(community_id=community.id, to_stage="identified", changed_at=now - timedelta(days=30)))
    db.session.commit()


def test_researchers_see_no_figures_for_too_few_communities_and_admins_do(client, auth, users, area):
    _small_history(area, users["officer"], n=3)
    auth.login("researcher")
    researcher_html = client.get("/research/responses").get_data(as_text=True)
    assert 'data-testid="refused"' in researcher_html
    assert "fewer than 10 communities" in researcher_html
    assert 'data-testid="data-table"' not in researcher_html
    auth.logout()
    auth.login("admin")
    admin_html = client.get("/research/responses").get_data(as_text=True)
    assert "[c]" not in admin_html
    assert 'data-testid="refused"' not in admin_html
    assert re.search(r'numeric">3</td>', admin_html)


def test_filtering_by_officer_pseudonym_narrows_the_charts(client, auth, users, area):
    from portal.research.pseudonyms import Pseudonymiser

    _small_history(area, users["officer"], n=6)
    auth.login("admin")
    pseudonym = Pseudonymiser(b"test-pseudonym-key").officer(users["officer"].id)
    other = Pseudonymiser(b"test-pseudonym-key").officer(users["supervisor"].id)
    mine = client.get(f"/research/responses?officer={pseudonym}").get_data(as_text=True)
    assert 'numeric">6</td>' in mine
    assert pseudonym in mine
    assert users["officer"].display_name not in mine.split("user-bar")[-1]
    theirs = client.get(f"/research/responses?officer={other}").get_data(as_text=True)
    assert 'data-testid="empty-state"' in theirs


def test_supervisors_only_see_their_own_areas(client, auth, users, area, demo):
    auth.login("supervisor")
    html = client.get("/research/contacts").get_data(as_text=True)
    assert "wealden-sample" not in html
    assert "Wealden" not in html
    html = client.get("/research/contacts?area=wealden-sample").get_data(as_text=True)
    assert 'data-testid="empty-state"' in html
