"""Invitation links (issue 27.5): they expire, only a hash of their token is stored, the admin sees the expiry."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from flask_migrate import upgrade
from sqlalchemy import text

from portal.extensions import db
from portal.models import AuditEvent, User, utcnow
from tests.portal.migration_support import migrated_app

NEW_PASSWORD = "lantern-otter-quay-97"


def _invite(client, email="new.officer@tests.example.org"):
    response = client.post("/admin/users", data={"email": email, "display_name": "New Officer", "role": "officer"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    link = re.search(r"https?://[^/\s<]+(/invite/[A-Za-z0-9_\-]+)", page).group(1)
    return link, page


def test_only_a_hash_of_the_invitation_token_is_stored(client, auth, db_session):
    auth.login("admin")
    link, _ = _invite(client)
    token = link.rsplit("/", 1)[1]
    stored = db_session.execute(text("SELECT * FROM users WHERE email = 'new.officer@tests.example.org'")).one()
    assert token not in [str(value) for value in stored]
    assert hashlib.sha256(token.encode()).hexdigest() in [str(value) for value in stored]


def test_the_admin_is_shown_when_the_link_expires(app, client, auth, db_session):
    auth.login("admin")
    _, page = _invite(client)
    user = User.by_email("new.officer@tests.example.org")
    expected = utcnow() + timedelta(days=app.config["RETENTION_INVITE_DAYS"])
    assert abs(user.invite_expires_at - expected) < timedelta(minutes=5)
    assert f'data-testid="invite-expiry">{user.invite_expires_at:%d %b %Y %H:%M}' in page
    listing = client.get("/admin/users").get_data(as_text=True)
    assert f"Invited (link expires {user.invite_expires_at:%d %b %Y %H:%M})" in listing


def test_an_invitation_older_than_the_limit_is_refused(app, client, auth, db_session, monkeypatch):
    auth.login("admin")
    link, _ = _invite(client)
    auth.logout()
    later = utcnow() + timedelta(days=60)
    monkeypatch.setattr("portal.models.people.utcnow", lambda: later)
    response = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 404
    assert "This invitation link does not work" in response.get_data(as_text=True)
    assert User.by_email("new.officer@tests.example.org").password_hash is None


def test_an_invitation_inside_the_limit_works_once(app, client, auth, db_session):
    auth.login("admin")
    link, _ = _invite(client)
    auth.logout()
    assert client.get(link).status_code == 200
    assert client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert client.get(link).status_code == 404
    user = User.by_email("new.officer@tests.example.org")
    assert user.invite_token_hash is None
    assert user.invite_expires_at is None


def test_an_admin_sends_a_new_link_for_an_expired_invitation_and_the_old_one_stops_working(
        app, client, auth, db_session):
    auth.login("admin")
    old_link, _ = _invite(client)
    user = User.by_email("new.officer@tests.example.org")
    user.invite_expires_at = utcnow() - timedelta(days=1)
    db_session.commit()
    detail = client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Invitation expired" in detail
    assert "Send a new invitation link" in detail
    response = client.post(f"/admin/users/{user.id}/invite")
    assert response.status_code == 200
    new_link = re.search(r"https?://[^/\s<]+(/invite/[A-Za-z0-9_\-]+)", response.get_data(as_text=True)).group(1)
    assert new_link != old_link
    assert db_session.query(AuditEvent).filter(AuditEvent.summary.like("Sent a new invitation link%")).count() == 1
    auth.logout()
    assert client.get(old_link).status_code == 404
    assert client.post(new_link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302


def test_no_new_link_for_an_account_that_has_set_its_password(client, auth, users, db_session):
    auth.login("admin")
    response = client.post(f"/admin/users/{users['officer'].id}/invite")
    assert response.status_code == 303
    assert users["officer"].invite_token_hash is None


def test_the_migration_hashes_pending_invitations_and_expires_old_ones(tmp_path):
    url = f"sqlite:///{tmp_path / 'invites.sqlite'}"
    with migrated_app(url, tmp_path, "0021_community_listing_by_name") as (_, directory):
        now = utcnow()
        with db.engine.begin() as conn:
            for email, token, age in (("recent@x.example", "r" * 43, 3), ("old@x.example", "o" * 43, 60)):
                conn.execute(text(
                    "INSERT INTO users (email, display_name, role, active, session_token, failed_logins, "
                    "invite_token, created_at, updated_at) VALUES (:e, 'X', 'officer', 1, 's', 0, :t, :c, :c)"),
                    {"e": email, "t": token, "c": now - timedelta(days=age)})
        upgrade(directory=directory)  # to the head: the ORM below reads the users table as the models declare it
        stored = db.session.execute(text("SELECT invite_token FROM users ORDER BY email")).scalars().all()
        assert "r" * 43 not in stored
        assert "o" * 43 not in stored
        recent = User.by_invite_token("r" * 43)
        assert recent is not None
        assert recent.email == "recent@x.example"
        assert User.by_invite_token("o" * 43) is None
