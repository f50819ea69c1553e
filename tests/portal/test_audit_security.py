"""Cross-cutting security checks: password list, lockout expiry, headers on every page, audit of sign-in."""
from __future__ import annotations

from datetime import timedelta

import pytest

from portal.auth.passwords import common_passwords, password_problem
from portal.models import User, utcnow
from tests.conftest import PASSWORD, ROLE_EMAILS


def test_common_password_list_is_substantial_and_long_enough_to_matter():
    words = common_passwords()
    assert len(words) >= 1000
    assert all(len(word) >= 12 for word in words)


@pytest.mark.parametrize("password", ["Liverpool2024!", "SUNSHINE123456", "qwertyuiop1234", "123456789012",
                                      "Sussexpolice123"])
def test_common_long_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_a_passphrase_is_accepted():
    assert password_problem("correct-horse-battery-staple-42") is None


def test_lockout_lifts_after_its_time(app, client, users, db_session):
    threshold = app.config["LOCKOUT_THRESHOLD"]
    for _ in range(threshold):
        client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": "wrong-password-000"})
    locked = client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
    assert locked.status_code == 200 and "/login" in locked.request.path  # refused: still on the form
    user = User.by_email(ROLE_EMAILS["officer"])
    user.locked_until = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("url", ["/login", "/home", "/communities", "/audit", "/audit/retention", "/admin/"])
def test_security_headers_on_pages(client, auth, url):
    auth.login("admin")
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response.headers.get("Cache-Control", "")


def test_oversized_ids_in_urls_are_not_found_not_a_crash(app, client, auth):
    import re

    auth.login("admin")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule or "GET" not in rule.methods:
            continue
        url = re.sub(r"<int:[^>]+>", "9" * 25, rule.rule)
        url = re.sub(r"<[^>]+>", "x", url)
        assert client.get(url).status_code == 404, url
        checked += 1
    assert checked >= 3
