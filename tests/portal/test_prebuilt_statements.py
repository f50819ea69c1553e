"""Home's and the follow-ups page's statements are built once and shared by every request
(issue 26 target 2): each request's own values must still be the ones bound. Two officers of
one area, one after the other on the same statements: each sees their own rows only."""
from __future__ import annotations

from portal.extensions import db
from portal.models import MessageReview, Task, User, utcnow
from tests.conftest import _password_hash
from tests.portal.outreach_factories import make_community, make_contact


def _second_officer(area) -> User:
    other = User(email="officer-two@example.org", display_name="Second Officer", role="officer")
    other.password_hash = _password_hash()
    other.areas.append(area)
    db.session.add(other)
    db.session.commit()
    return other


def _work_of(officer, area, label: str) -> None:
    community = make_community(area, f"{label} Group", stage="approached")
    contact = make_contact(community, officer, days_ago=3, follow_up_in=1)  # a follow-up two days late
    done = make_contact(community, officer, days_ago=1, follow_up_in=1)
    done.follow_up_closed_at = utcnow()  # recently done: the follow-ups page lists it for undo
    db.session.add(Task(community_id=community.id, assignee_id=officer.id, title=f"{label} task"))
    db.session.add(MessageReview(contact_id=contact.id, author_id=officer.id, area_id=area.id, status="approved",
                                 decided_at=utcnow()))
    db.session.commit()


def test_home_and_follow_ups_bind_each_officer_s_own_values(client, auth, users, area):
    other = _second_officer(area)
    _work_of(users["officer"], area, "Alpha")
    for page in ("/home", "/follow-ups"):
        auth.login("officer")
        mine = client.get(page).data.decode()
        auth.logout()
        auth.login(email=other.email)
        theirs = client.get(page).data.decode()
        auth.logout()
        assert "Alpha Group" in mine, page
        assert "Alpha task" in mine, page
        assert "Alpha" not in theirs, page
    auth.login("officer")
    assert 'data-testid="guidance-banner"' in client.get("/home").data.decode()
    auth.logout()
    auth.login(email=other.email)
    assert 'data-testid="guidance-banner"' not in client.get("/home").data.decode()


def test_quick_log_shortcuts_stay_within_the_officer_s_areas(client, auth, users, area):
    """The form's recent and owned shortcuts (statements built once, areas bound per request)
    never offer a community of another area, even one the officer owns or contacted."""
    from portal.areas import import_area

    elsewhere, _ = import_area({"name": "Other Town", "places": ["Hove"], "postcode_districts": ["BN3"]},
                               slug="other-town")
    db.session.commit()
    make_contact(make_community(area, "Home Recent"), users["officer"], days_ago=1)
    make_community(area, "Home Owned", owner=users["officer"])
    away = make_community(elsewhere, "Away Recent")
    make_contact(away, users["officer"], days_ago=0)  # logged before the community moved area, say
    make_community(elsewhere, "Away Owned", owner=users["officer"])
    auth.login("officer")
    page = client.get("/contacts/new").data.decode()
    assert "Home Recent" in page
    assert "Home Owned" in page
    assert "Away Recent" not in page
    assert "Away Owned" not in page


def test_home_counts_only_the_officer_s_areas_and_own_communities(client, auth, users, area):
    """Home's stage table and gone-quiet count (statements built once, areas and owner bound per
    request) leave out other areas' communities, and communities another user owns."""
    import re

    from portal.areas import import_area

    elsewhere, _ = import_area({"name": "Other Town", "places": ["Hove"], "postcode_districts": ["BN3"]},
                               slug="other-town")
    db.session.commit()
    for name in ("Near One", "Near Two"):
        make_community(area, name, stage="approached", owner=users["officer"], stay_in_touch_days=7)
    make_community(area, "Near Theirs", stage="identified", owner=users["supervisor"], stay_in_touch_days=7)
    for name in ("Far One", "Far Two", "Far Three"):
        make_community(elsewhere, name, stage="approached", owner=users["officer"], stay_in_touch_days=7)
    auth.login("officer")
    page = client.get("/home").data.decode()
    approached = re.search(r'lr-stage--approached">[^<]*</span>(?:</a>)?</td><td[^>]*>(\d+)</td>', page)
    assert approached is not None
    assert approached.group(1) == "2"
    quiet = re.search(r'<span class="lr-card__number">(\d+)</span> gone quiet', page)
    assert quiet is not None
    assert quiet.group(1) == "2"  # never contacted, owned, in the officer's area


def test_the_sign_in_check_leaves_area_profiles_unloaded_until_read(app, users, area):
    """Every request's sign-in loads the user's areas without their profile and notes (a
    profile can hold 200,000 characters); reading one still gives the stored value."""
    import secrets

    from sqlalchemy import inspect

    from portal.models import UserSession

    area.profile = {"places": ["Lewes", "Ringmer"], "postcode_districts": ["BN7", "BN8"]}
    area.notes = "Market town"
    officer = users["officer"]
    officer.session_token = officer.session_token or secrets.token_urlsafe(16)
    with app.test_request_context("/"):
        key = UserSession.start(officer)
        db.session.commit()
        officer_id, token = officer.id, officer.session_token
        db.session.expunge_all()
        signed_in = UserSession.signed_in_user(officer_id, token, key)
        assert signed_in is not None
        (loaded,) = signed_in.areas
        assert {"profile", "notes"} <= inspect(loaded).unloaded
        assert "name" not in inspect(loaded).unloaded
        assert loaded.profile["places"] == ["Lewes", "Ringmer"]
        assert loaded.notes == "Market town"
