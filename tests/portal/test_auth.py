"""Sign in, sign out, lockout, rate limiting, CSRF and session handling."""
from __future__ import annotations

import pytest

from portal.models import AuditEvent
from tests.conftest import PASSWORD, ROLE_EMAILS


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in to Local Reach" in response.data
    assert b'name="password"' in response.data


def test_login_and_logout(client, auth, users):
    response = auth.login("officer")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/home")
    assert b"Test officer" in client.get("/home").data
    response = auth.logout()
    assert response.status_code == 302
    assert "You have signed out." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get("/home").status_code == 302


def test_a_session_cookie_copied_before_logout_is_dead_after_it(client, auth, users):
    auth.login("officer")
    stolen = client.get_cookie("session").value
    assert client.get("/home").status_code == 200
    auth.logout()
    client.set_cookie("session", stolen)
    response = client.get("/home")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def _signed_in(app, role: str = "officer"):
    device = app.test_client()
    assert device.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD}).status_code == 302
    assert device.get("/home").status_code == 200
    return device


def _signed_out(device) -> bool:
    response = device.get("/home")
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_out_on_one_device_leaves_the_others_signed_in(app, users):
    from portal.extensions import db
    from portal.models import UserSession

    phone, desk = _signed_in(app), _signed_in(app)
    assert UserSession.count_for(users["officer"].id) == 2
    phone.post("/logout")
    assert _signed_out(phone)
    assert not _signed_out(desk)
    db.session.expire_all()
    assert UserSession.count_for(users["officer"].id) == 1


def test_sign_out_everywhere_ends_every_device_and_is_audited(app, users):
    phone, desk, colleague = _signed_in(app), _signed_in(app), _signed_in(app, "supervisor")
    response = phone.post("/logout", data={"everywhere": "1"})
    assert "You have signed out on every device." in phone.get(response.headers["Location"]).get_data(as_text=True)
    assert _signed_out(phone)
    assert _signed_out(desk)
    assert not _signed_out(colleague)  # another account is not touched
    assert AuditEvent.query.filter_by(action="logout", actor_id=users["officer"].id).count() == 1


def test_every_page_offers_sign_out_on_every_device(client, auth):
    auth.login("officer")
    page = client.get("/home").get_data(as_text=True)
    assert 'data-testid="sign-out-everywhere"' in page
    assert 'name="everywhere" value="1"' in page


def test_a_session_older_than_its_lifetime_is_over_and_its_row_goes_at_the_next_sign_in(app, users):
    from datetime import timedelta

    from sqlalchemy import update

    from portal.extensions import db
    from portal.models import UserSession, utcnow

    device = _signed_in(app)
    lifetime = app.permanent_session_lifetime
    db.session.execute(update(UserSession).values(created_at=utcnow() - lifetime - timedelta(minutes=1)))
    db.session.commit()
    assert _signed_out(device)
    _signed_in(app, "supervisor")  # any sign-in clears expired sessions
    db.session.expire_all()
    assert db.session.query(UserSession).count() == 1


def test_the_session_cookie_expires_with_the_session_lifetime(app, users):
    device = app.test_client()
    response = device.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    cookie = next(value for name, value in response.headers.items()
                  if name == "Set-Cookie" and value.startswith("session="))
    assert "Expires=" in cookie


def test_the_database_keeps_only_a_hash_of_the_session_key(app, users):
    from portal.extensions import db
    from portal.models import UserSession

    device = _signed_in(app)
    with device.session_transaction() as cookie_session:
        key = cookie_session[UserSession.FIELD]
    stored = db.session.query(UserSession.key_hash).scalar()
    assert len(key) >= 40
    assert key not in stored
    assert len(stored) == 64


@pytest.mark.parametrize(("email", "password"), [
    (ROLE_EMAILS["officer"], "wrong-password-123"),
    ("nobody@tests.example.org", PASSWORD),
    ("", ""),
])
def test_bad_credentials_are_refused_with_a_message(client, users, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert b"There is a problem" in response.data
    assert client.get("/home").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, users):
    response = client.post("/login?next=//evil.example/", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    assert response.headers["Location"].endswith("/home")
    client.post("/logout")
    response = client.post("/login?next=/admin/", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    assert response.headers["Location"].endswith("/admin/")


def test_deactivated_user_cannot_sign_in(client, users, db_session):
    users["officer"].active = False
    db_session.commit()
    response = client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/home").status_code == 302


def test_session_token_change_signs_user_out(client, auth, users, db_session):
    auth.login("officer")
    assert client.get("/home").status_code == 200
    users["officer"].rotate_session()
    db_session.commit()
    assert client.get("/home").status_code == 302


def test_session_cookie_flags(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secure_cookies_are_the_default(monkeypatch, tmp_path):
    from portal.config import load

    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x")
    assert load(tmp_path)["SESSION_COOKIE_SECURE"] is True


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_forged_post_without_token_is_refused(self, client, users):
        response = client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
        assert response.status_code == 400
        assert b"CSRF" in response.data
        assert client.get("/home").status_code == 302

    def test_login_form_carries_a_token(self, client, users):
        page = client.get("/login").data.decode()
        assert 'name="csrf_token"' in page


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
                "THROTTLE_FREE_TRIES": 100, "THROTTLE_CLIENT_FREE_TRIES": 100}

    def test_login_posts_are_rate_limited(self, client, users):
        codes = [client.post("/login", data={"email": "x@y.org", "password": "nope-nope-nope"}).status_code
                 for _ in range(4)]
        assert codes[:3] == [200, 200, 200]
        assert codes[3] == 429

    def test_pages_pass_no_app_wide_limit_check(self, app, client, users):
        """Only the sign-in POST declares a limit (checked by its decorator): no hook runs on every request."""
        from portal.extensions import limiter

        assert limiter._check_request_limit not in app.before_request_funcs[None]
        assert all(client.get("/login").status_code == 200 for _ in range(10))


class TestAppWideRateLimit:
    @pytest.fixture
    def app_config(self, app_config):
        return {**app_config, "RATELIMIT_ENABLED": True, "RATELIMIT_DEFAULT": "3 per minute"}

    def test_an_operators_app_wide_limit_still_applies(self, client):
        assert [client.get("/login").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_pages_do_not_push_the_session_cookie_expiry_back(client, auth):
    auth.login("officer")
    client.get("/home")  # the first page stores the session's CSRF token in the cookie
    assert "Set-Cookie" not in client.get("/home").headers
