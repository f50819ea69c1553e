"""Issue 23: follow-up "Mark done" with undo, one "gone quiet", the stage form's default, overdue on Home."""
from __future__ import annotations

import re
from datetime import timedelta

from portal.models import ActivitySample, OutreachContact, utcnow
from tests.portal.outreach_factories import make_community, make_contact

HX = {"HX-Request": "true"}


def _due(area, officer, name="Due Group", days_late=2):
    community = make_community(area, name, stage="approached")
    return make_contact(community, officer, days_ago=days_late + 1, follow_up_in=1)


def test_mark_done_swaps_in_an_undo_that_reopens_the_follow_up(client, auth, users, area, db_session):
    contact = _due(area, users["officer"])
    auth.login("officer")
    done = client.post(f"/contacts/{contact.id}/follow-up-done", headers=HX)
    body = done.data.decode()
    assert done.status_code == 200
    assert body.lstrip().startswith(f'<li class="lr-community-row lr-follow-up" id="follow-up-{contact.id}"')
    assert "marked done" in body
    assert f'hx-post="/contacts/{contact.id}/follow-up-reopen"' in body
    assert "Undo" in body
    assert 'hx-trigger="load delay:10s"' in body  # the Undo goes after some seconds
    db_session.refresh(contact)
    assert contact.follow_up_closed_at is not None
    settled = client.get(f"/contacts/{contact.id}/follow-up", headers=HX).data.decode()
    assert "Undo" not in settled
    assert "Reopen it from My follow-ups" in settled
    undo = client.post(f"/contacts/{contact.id}/follow-up-reopen", headers=HX)
    assert undo.status_code == 200
    assert "Mark done" in undo.data.decode()
    assert "autofocus" in undo.data.decode()
    db_session.refresh(contact)
    assert contact.follow_up_closed_at is None


def test_a_follow_up_closed_by_mistake_can_be_reopened_from_the_follow_ups_page(client, auth, users, area,
                                                                                 db_session):
    contact = _due(area, users["officer"], "Slipped Forum")
    auth.login("officer")
    response = client.post(f"/contacts/{contact.id}/follow-up-done")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/follow-ups")
    page = client.get("/follow-ups").data.decode()
    assert "Recently done" in page
    recent = page.split('data-testid="recently-done"')[1].split("</ul>")[0]
    assert "Slipped Forum" in recent
    assert f'action="/contacts/{contact.id}/follow-up-reopen"' in recent
    assert "Slipped Forum" not in page.split('data-testid="overdue"')[1].split("</div>")[0]
    assert client.post(f"/contacts/{contact.id}/follow-up-reopen").status_code == 303
    page = client.get("/follow-ups").data.decode()
    assert "Slipped Forum" in page.split('data-testid="overdue"')[1].split('data-testid="due-today"')[0]
    assert client.get(f"/contacts/{contact.id}/follow-up").status_code == 200  # a real page too


def test_only_the_officer_can_close_or_reopen_their_follow_up(client, auth, users, area, db_session):
    contact = _due(area, users["officer"])
    auth.login("officer")
    client.post(f"/contacts/{contact.id}/follow-up-done")
    auth.logout()
    auth.login("researcher")
    assert client.post(f"/contacts/{contact.id}/follow-up-reopen").status_code == 403
    db_session.refresh(contact)
    assert contact.follow_up_closed_at is not None


def test_a_contact_without_a_follow_up_has_none_to_close_or_reopen(client, auth, users, area, db_session):
    contact = make_contact(make_community(area, "No Follow-up Group"), users["officer"])
    auth.login("officer")
    for action in ("follow-up-done", "follow-up-reopen"):
        assert client.post(f"/contacts/{contact.id}/{action}").status_code == 404
        assert client.post(f"/contacts/{contact.id}/{action}", headers=HX).status_code == 404
    db_session.refresh(contact)
    assert contact.follow_up_closed_at is None


def test_home_shows_an_overdue_follow_up_as_overdue(client, auth, users, area):
    _due(area, users["officer"], "Late Group", days_late=2)
    make_contact(make_community(area, "Today Group"), users["officer"], days_ago=1, follow_up_in=1)
    auth.login("officer")
    page = client.get("/home").data.decode()
    due = page.split('data-testid="dashboard-due"')[1]
    late = due[due.index("Late Group"):due.index("Today Group")]
    assert "Overdue" in late
    assert "2 days late" in late
    today = due[due.index("Today Group"):]
    assert "due today" in today
    assert "Overdue" not in today[:today.index("</li>")]
    assert "(1 overdue)" in page.split('data-testid="dashboard-cards"')[1]


def test_the_stage_form_does_not_default_to_the_current_stage(client, auth, users, area):
    community = make_community(area, stage="approached")
    auth.login("officer")
    page = client.get(f"/communities/{community.id}/stage").data.decode()
    select_html = page[page.index('name="to_stage"'):page.index("</select>")]
    assert 'value="approached"' not in select_html
    assert "selected" not in select_html.split("</option>", 1)[1]
    assert re.search(r'<option[^>]*value=""[^>]*>Choose the new stage', select_html)
    unchanged = client.post(f"/communities/{community.id}/stage", data={"evidence_contact_id": "0"})
    assert unchanged.status_code == 422
    assert b"Choose the stage to move to" in unchanged.data
    preset = client.get(f"/communities/{community.id}/stage?to=dormant").data.decode()
    assert re.search(r'<option[^>]*selected[^>]*value="dormant"|<option[^>]*value="dormant"[^>]*selected', preset)


def _add_samples(db_session, community, levels):
    now = utcnow()
    for week, level in enumerate(levels):
        db_session.add(ActivitySample(community_id=community.id, items_per_week=level,
                                      sampled_at=now - timedelta(days=7 * (len(levels) - 1 - week))))
    db_session.commit()


def test_gone_quiet_is_one_page_reached_from_home_and_the_navigation(client, auth, users, area, db_session):
    officer = users["officer"]
    fell = make_community(area, "Fell Blog")
    _add_samples(db_session, fell, [5.4, 5.4, 5.4, 0.3, 0.3, 0.3])
    make_contact(fell, officer, days_ago=1)
    cold = make_community(area, "Cold Forum", owner=officer, stay_in_touch_days=7)
    make_contact(cold, officer, days_ago=20)
    auth.login("officer")
    home = client.get("/home").data.decode()
    card = re.search(r'<a class="lr-card govuk-link" href="([^"]+)" data-testid="gone-quiet-card">'
                     r'<span class="lr-card__number">(\d+)</span> gone quiet', home)
    assert card
    assert card.group(1) == "/gone-quiet"
    assert card.group(2) == "2"
    nav = home.split('data-testid="main-nav"')[1].split("</nav>")[0]
    assert 'href="/gone-quiet"' in nav
    assert "Gone quiet" in nav
    assert "going cold" not in home.lower()
    assert "going cold" not in client.get("/follow-ups").data.decode().lower()
    page = client.get("/gone-quiet").data.decode()
    assert "at least half as much" not in page
    assert "half as much or less" in page
    dropped = page.split('data-testid="activity-dropped"')[1].split("</ul>")[0]
    assert "Fell Blog" in dropped
    assert "5.4 → 0.3 posts a week" in dropped
    assert "Cold Forum" in page.split('data-testid="stay-in-touch"')[1].split("</ul>")[0]


def test_a_community_posting_more_than_half_as_much_has_not_gone_quiet(client, auth, users, area, db_session):
    steady = make_community(area, "Steadyish Blog")
    _add_samples(db_session, steady, [4, 4, 4, 2.5, 2.5, 2.5])
    auth.login("officer")
    page = client.get("/gone-quiet").data.decode()
    assert "Steadyish Blog" not in page.split('id="posting-less"')[1].split('id="no-contact"')[0]
    # Home counts with a query of its own (ids only): it must agree with the page.
    assert re.search(r'<span class="lr-card__number">0</span> gone quiet', client.get("/home").data.decode())


def test_marking_done_keeps_log_contact_beside_it_working(client, auth, users, area, db_session):
    contact = _due(area, users["officer"])
    auth.login("officer")
    page = client.get("/follow-ups").data.decode()
    row = page[page.index(f'id="follow-up-{contact.id}"'):]
    row = row[:row.index("</li>")]
    assert f'href="/contacts/new?community={contact.community_id}"' in row
    assert "Mark done" in row
    assert db_session.get(OutreachContact, contact.id).follow_up_closed_at is None


def test_admin_researcher_and_auditor_homes_show_what_they_came_for(client, auth, users, area, db_session):
    from portal.guidance import services

    community = make_community(area, "Held Forum")
    contact = make_contact(community, users["supervisor"],
                           message_text="A man has been arrested after the burglaries on the seafront.")
    services.review_on_save(contact)  # the area's only supervisor wrote it: the admin decides
    db_session.commit()
    auth.login("admin")
    home = client.get("/home").data.decode()
    panel = home.split('data-testid="admin-home"')[1]
    assert "1</span> message for you to decide" in panel
    assert 'href="/guidance/queue"' in panel
    assert 'href="/admin/users"' in panel
    assert "active users" in panel
    auth.logout()
    auth.login("researcher")
    panel = client.get("/home").data.decode().split('data-testid="researcher-home"')[1]
    assert 'href="/research/funnel"' in panel
    assert 'href="/research/trajectories"' in panel
    assert "export" in panel
    auth.logout()
    auth.login("auditor")
    panel = client.get("/home").data.decode().split('data-testid="auditor-home"')[1]
    assert 'href="/audit"' in panel
    assert 'href="/audit/retention"' in panel
    assert "retention decision" in panel


def _active_items(page: str) -> list[str]:
    return re.findall(r'navigation__item--active"><a [^>]*><strong[^>]*>([^<]+)</strong>', page)


def test_the_navigation_highlights_one_item_at_a_time(client, auth, users, area):
    community = make_community(area, "Nav Forum")
    expected = {"/home": "Home", "/contacts/new": "Log a contact", "/follow-ups": "Follow-ups",
                "/gone-quiet": "Gone quiet", "/communities": "Communities",
                f"/communities/{community.id}/stage": "Communities", "/guidance": "Guidance",
                "/guidance/queue": "Review queue", "/guidance/team": "Review queue", "/meetings": None}
    auth.login("supervisor")
    for path, item in expected.items():
        page = client.get(path).data.decode()
        assert _active_items(page) == ([item] if item else []), path
    auth.logout()
    auth.login("admin")
    assert _active_items(client.get("/admin/users").data.decode()) == ["Admin"]
    assert _active_items(client.get("/guidance/queue").data.decode()) == ["Review queue"]


def test_the_accessibility_statement_says_what_was_tested_and_the_results(client):
    page = client.get("/accessibility").data.decode()
    for words in ("WCAG", "2.2", "axe-core", "Keyboard only", "no serious or critical failures", "How it was tested",
                  "Known gaps", "44 by 44"):
        assert words in page, words


def _home_count(client) -> str:
    return re.search(r'<span class="lr-card__number">(\d+)</span> gone quiet', client.get("/home").data.decode()).group(1)


def test_home_keeps_an_area_s_dropped_ids_a_while_and_the_gone_quiet_page_counts_afresh(
        app, client, auth, users, area, db_session):
    from portal.areas import import_area

    app.config["GONE_QUIET_CACHE_SECONDS"] = 60
    _add_samples(db_session, make_community(area, "Fell Blog"), [5.4, 5.4, 5.4, 0.3, 0.3, 0.3])
    auth.login("officer")
    assert _home_count(client) == "1"
    _add_samples(db_session, make_community(area, "Faded Forum"), [6, 6, 6, 1, 1, 1])
    assert _home_count(client) == "1"  # kept for the area
    assert "Faded Forum" in client.get("/gone-quiet").data.decode()  # the page itself counts afresh
    # Kept per set of areas: once the officer also works another area, Home counts again.
    other, _ = import_area({"name": "Other Town", "places": ["Ringmer"], "postcode_districts": ["BN8"]},
                           slug="other-town")
    officer = db_session.merge(users["officer"])
    officer.areas.append(other)
    db_session.commit()
    assert _home_count(client) == "2"
    _add_samples(db_session, make_community(area, "Gone Quiet Club"), [4, 4, 4, 0, 0, 0])
    app.config["GONE_QUIET_CACHE_SECONDS"] = 0  # nothing kept, nothing read back
    assert _home_count(client) == "3"
    assert _home_count(client) == "3"
