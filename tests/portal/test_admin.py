"""Admin: invite, accept invitation, deactivate, assign areas, force sign-out, area profiles."""
from __future__ import annotations

import json
import re

from portal.models import Area, AuditEvent, User
from tests.conftest import PASSWORD, ROLE_EMAILS


def test_admin_invites_user_who_sets_a_password(client, auth, users, area, db_session):
    auth.login("admin")
    response = client.post("/admin/users", data={
        "email": "New.Officer@Tests.example.org", "display_name": "New Officer", "role": "officer",
        "areas": [str(area.id)],
    })
    assert response.status_code == 200
    assert b"Invitation created" in response.data
    user = User.by_email("new.officer@tests.example.org")
    assert user is not None
    assert user.invite_pending
    assert user.areas == [area]
    auth.logout()
    link = re.search(r"/invite/[A-Za-z0-9_\-]+", response.get_data(as_text=True)).group(0)
    weak = client.post(link, data={"password": "password1234", "confirm": "password1234"})
    assert b"attackers try it first" in weak.data
    response = client.post(link, data={"password": "lantern-otter-quay-97", "confirm": "lantern-otter-quay-97"})
    assert response.status_code == 302
    assert client.get(link).status_code == 404  # single use
    assert auth.login(email="new.officer@tests.example.org", password="lantern-otter-quay-97").status_code == 302


def test_invite_rejects_duplicate_and_bad_email(client, auth, users):
    auth.login("admin")
    dup = client.post("/admin/users", data={"email": ROLE_EMAILS["officer"], "display_name": "X", "role": "officer"})
    assert b"already exists" in dup.data
    bad = client.post("/admin/users", data={"email": "not-an-email", "display_name": "X", "role": "officer"})
    assert b"Enter an email address" in bad.data


def test_deactivate_signs_the_user_out(app, users, db_session):
    officer_client, admin_client = app.test_client(), app.test_client()
    officer_client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    admin_client.post("/login", data={"email": ROLE_EMAILS["admin"], "password": PASSWORD})
    officer_id = users["officer"].id
    response = admin_client.post(f"/admin/users/{officer_id}/active", data={"active": "0"})
    assert response.status_code == 303
    assert officer_client.get("/home").status_code == 302
    assert db_session.get(User, officer_id).active is False
    assert db_session.query(AuditEvent).filter(AuditEvent.summary.like("Deactivated%")).count() == 1


def test_admin_cannot_deactivate_self(client, auth, users, db_session):
    auth.login("admin")
    client.post(f"/admin/users/{users['admin'].id}/active", data={"active": "0"})
    assert db_session.get(User, users["admin"].id).active is True


def test_force_sign_out(app, users):
    officer_client, admin_client = app.test_client(), app.test_client()
    officer_client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    admin_client.post("/login", data={"email": ROLE_EMAILS["admin"], "password": PASSWORD})
    assert officer_client.get("/home").status_code == 200
    page = admin_client.get(f"/admin/users/{users['officer'].id}").get_data(as_text=True)
    assert "Signed in on 1 device now." in page
    admin_client.post(f"/admin/users/{users['officer'].id}/sign-out")
    assert officer_client.get("/home").status_code == 302
    page = admin_client.get(f"/admin/users/{users['officer'].id}").get_data(as_text=True)
    assert "Not signed in anywhere now." in page


def test_assign_areas(client, auth, users, area, db_session):
    auth.login("admin")
    researcher = users["researcher"]
    response = client.post(f"/admin/users/{researcher.id}", data={"areas": [str(area.id)]})
    assert response.status_code == 303
    db_session.refresh(researcher)
    assert researcher.areas == [area]


def test_create_and_edit_area_profile(client, auth, users, db_session):
    auth.login("admin")
    profile = {"name": "Seaford", "places": ["Seaford"], "postcode_districts": {"BN25": 1.0}}
    response = client.post("/admin/areas/new", data={"name": "Seaford", "profile_json": json.dumps(profile)})
    assert response.status_code == 303
    area = Area.by_slug("seaford")
    assert area.profile["postcode_districts"] == {"BN25": 1.0}
    bad = client.post(f"/admin/areas/{area.id}", data={"name": "Seaford", "profile_json": "{not json"})
    assert b"not valid JSON" in bad.data
    db_session.refresh(area)
    assert area.profile["places"][0]["name"] == "Seaford"  # nothing saved was lost
    wrong = client.post(f"/admin/areas/{area.id}", data={
        "name": "Seaford", "profile_json": json.dumps({"name": "Seaford", "postcode_districts": ["nope!"]})})
    assert b"is not a postcode district" in wrong.data
    assert b"nope!" in wrong.data  # what was typed is kept in the form


def test_new_area_with_only_a_name_starts_empty(client, auth, users, db_session):
    """Regression: "Add an area" with only a name saved the Lewes example as the new profile."""
    auth.login("admin")
    page = client.get("/admin/areas/new")
    assert b"Lewes" in page.data  # the example is still shown, as a hint
    response = client.post("/admin/areas/new", data={"name": "Hastings", "profile_json": ""})
    assert response.status_code == 303
    area = Area.by_slug("hastings")
    assert area.profile == {"name": "Hastings", "places": [], "exclude_places": [], "postcode_districts": {}}
    form = client.get("/admin/areas/new").data.decode()
    textarea = form[form.index("<textarea"):form.index("</textarea>")]
    assert "Lewes" not in textarea  # the profile field itself starts empty


def test_empty_area_can_be_edited_and_scores_nothing(client, auth, users, db_session):
    from portal.discovery.adapter import area_profile

    auth.login("admin")
    client.post("/admin/areas/new", data={"name": "Rye", "profile_json": ""})
    area = Area.by_slug("rye")
    assert area_profile(area.profile) is None
    response = client.post(f"/admin/areas/{area.id}", data={"name": "Rye town", "profile_json": json.dumps(area.profile)})
    assert response.status_code == 303
    db_session.refresh(area)
    assert area.name == "Rye town"
