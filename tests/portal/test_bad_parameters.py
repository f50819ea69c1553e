"""Issue 27.7: each bad input the security test found answers a clear 4xx (or a sensible page), never a 500."""
from __future__ import annotations

import pytest

from tests.portal.hang_guard import no_hang
from tests.portal.outreach_factories import make_community, make_contact

HUGE = "99999999999"


@pytest.fixture
def records(users, area):
    community = make_community(area)
    contact = make_contact(community, users["officer"], outcome="positive")
    return {"community": community.id, "contact": contact.id, "area": area.id}


@pytest.mark.parametrize(("role", "method", "url", "data"), [
    ("officer", "POST", "/meetings/new", {"communities": "", "title": "Surgery", "area_id": "{area}",
                                      "held_at": "2026-01-02T10:00"}),
    ("officer", "POST", "/contacts/{contact}/edit", {"direction": "", "channel": "email", "outcome": "pending"}),
    ("officer", "POST", "/discovery/review/bulk", {"candidate": HUGE, "action": "dismiss"}),
    ("auditor", "POST", "/audit/retention/keep", {"object_id": HUGE, "object_type": "Candidate",
                                                   "reason": "needed"}),
    ("auditor", "GET", "/audit/retention/keep?object_type=Candidate&object_id=" + HUGE, None),
    ("officer", "GET", "/guidance/check?template=" + HUGE, None),
    ("officer", "GET", "/contacts/new?template=" + HUGE, None),
    ("auditor", "GET", "/audit?page=1e20", None),
    ("auditor", "GET", "/audit?page=" + "9" * 30, None),
    ("admin", "GET", "/admin/users?page=1e20", None),
    ("admin", "GET", "/admin/users?page=" + "9" * 30, None),
    ("officer", "GET", "/discovery/review?page=" + "9" * 30 + "&area=" + HUGE, None),
    ("researcher", "GET", "/research/funnel?since=9999-12-31&until=9999-12-31", None),
    ("researcher", "GET", "/research/funnel?since=0001-01-01&until=0001-01-01", None),
    ("researcher", "GET", "/research/stages?since=9999-12-31&until=9999-12-31", None),
    ("officer", "GET", "/communities?page=1e20&area=" + HUGE + "&quiet_days=" + HUGE, None),
    ("officer", "GET", "/follow-ups?days=" + "9" * 30, None),
])
def test_reported_bad_input_never_gives_a_server_error(client, auth, records, role, method, url, data):
    auth.login(role)
    url = url.format(**records)
    data = {key: value.format(**records) for key, value in (data or {}).items()} or None
    response = client.open(url, method=method, data=data)
    assert response.status_code < 500, f"{method} {url} gave {response.status_code}"


def test_a_body_over_the_limit_is_refused_with_a_clear_413_before_it_is_parsed(client, users):
    body = {"email": "someone@tests.example.org", "password": "x", "padding": "a" * (3 * 1024 * 1024)}
    with no_hang("a 3 MB sign-in body"):
        response = client.post("/login", data=body)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That is too large to send" in page
    assert "at most 2,048 KB" in page


def test_one_field_over_the_field_limit_is_refused_even_inside_the_body_limit(client, auth):
    auth.login("admin")
    with no_hang("a 300,000-character field"):
        response = client.post("/admin/users", data={"email": "a" * 300_000 + "@x.example", "display_name": "X",
                                                     "role": "officer"})
    assert response.status_code == 413


def test_a_huge_email_address_in_the_invite_form_is_answered_at_once_and_invites_no_one(client, auth, db_session):
    from sqlalchemy import func, select

    from portal.models import User

    auth.login("admin")
    before = db_session.scalar(select(func.count()).select_from(User))
    with no_hang("a 200,000-character e-mail address", seconds=20):
        response = client.post("/admin/users", data={"email": "a" * 200_000 + "@x.example", "display_name": "X",
                                                     "role": "officer"})
    assert response.status_code == 200
    assert "Enter an email address of at most 254 characters" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(User)) == before


def test_an_empty_direction_is_a_form_error_and_the_contact_is_unchanged(client, auth, records, db_session):
    from portal.models import OutreachContact

    auth.login("officer")
    response = client.post(f"/contacts/{records['contact']}/edit",
                           data={"direction": "", "channel": "email", "outcome": "negative"})
    assert response.status_code == 422
    assert "Choose who made contact" in response.get_data(as_text=True)
    contact = db_session.get(OutreachContact, records["contact"])
    assert contact.direction == "outbound"
    assert contact.outcome == "positive"
