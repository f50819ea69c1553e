"""Cross-cutting security checks: password list, headers on every page, audit of sign-in."""
from __future__ import annotations


import pytest

from portal.auth.passwords import password_problem


@pytest.mark.parametrize("password", ["Liverpool2024!", "SUNSHINE123456", "qwertyuiop1234", "123456789012",
                                      "Sussexpolice123"])
def test_common_long_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_a_passphrase_is_accepted():
    assert password_problem("lantern-otter-quay-97") is None


@pytest.mark.parametrize("url", ["/login", "/home", "/communities", "/audit", "/audit/retention", "/admin/"])
def test_security_headers_on_pages(client, auth, url):
    auth.login("admin")
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
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
