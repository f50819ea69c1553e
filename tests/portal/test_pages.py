"""Pages every service has: start, health, errors, security headers, fragments."""
from __future__ import annotations

from portal import htmx


def test_healthz(app, client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body.pop("status") == "ok"
    assert body.pop("database") == "ok"
    # The only warning a healthy portal gives: it connects to PostgreSQL as a role that could rewrite
    # the audit trail (the test database's superuser does); SQLite has no roles, so no warning.
    warnings = body.pop("warnings", [])
    assert body == {}
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert warnings == []
    else:
        assert all("application role" in warning for warning in warnings)


def test_root_redirects_to_login_then_dashboard(client, auth):
    assert client.get("/").headers["Location"].endswith("/login")
    auth.login("officer")
    assert client.get("/").headers["Location"].endswith("/home")


def test_not_found_page_is_styled(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert b"Page not found" in response.data
    assert b"govuk-template" in response.data


def test_unexpected_error_gets_the_styled_500_page_and_rolls_back(app, client, db_session, caplog):
    from portal.access import public
    from portal.models import Area

    @app.get("/test-only/boom")
    @public
    def boom():
        db_session.add(Area(slug="half-saved", name="Half saved"))
        db_session.flush()
        address = "".join(("jane", "@example.org"))  # built so the source line does not hold it
        raise RuntimeError(f"something broke for {address}")

    response = client.get("/test-only/boom")
    assert response.status_code == 500
    assert b"Sorry, there is a problem with the service" in response.data
    assert b"govuk-template" in response.data
    assert b"something broke" not in response.data
    assert b"Traceback" not in response.data
    assert "unhandled error: RuntimeError" in caplog.text
    assert "in boom" in caplog.text  # where it failed is logged
    assert "jane@example.org" not in caplog.text  # its text is not: it can quote personal data
    assert db_session.query(Area).filter_by(slug="half-saved").count() == 0  # rolled back, not half-written


def test_forbidden_page_is_styled(client, auth):
    auth.login("officer")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert b"You do not have access" in response.data


def test_security_headers_and_strict_csp(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style_attributes(client, auth):
    auth.login("admin")
    for url in ("/login", "/home", "/admin/", "/admin/users", "/admin/areas/new", "/communities", "/privacy"):
        page = client.get(url).data.decode()
        assert "<script>" not in page, url
        assert " onclick=" not in page, url
        assert ' style="' not in page, url


def test_accessibility_and_privacy_pages_are_public(client):
    assert b"Accessibility statement" in client.get("/accessibility").data
    assert b"communities, not people" in client.get("/privacy").data


def test_fragment_choice(app):
    cases = [
        ({}, False),
        ({"HX-Request": "true"}, True),
        ({"HX-Request": "true", "HX-Boosted": "true"}, False),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, False),
    ]
    for headers, expected in cases:
        with app.test_request_context("/", headers=headers):
            assert htmx.is_fragment_request() is expected, headers


def test_navigation_differs_by_role(client, auth):
    auth.login("officer")
    officer_page = client.get("/home").data.decode()
    assert "Communities" in officer_page
    assert ">Admin<" not in officer_page.replace(" ", "").replace("\n", "")
    auth.logout()
    auth.login("admin")
    assert "/admin/" in client.get("/home").data.decode()


def test_a_page_answers_with_or_without_its_trailing_slash(client, auth):
    auth.login("admin")
    for typed, canonical in (("/communities/", "/communities"), ("/home/", "/home"), ("/admin", "/admin/")):
        typed_page, page = client.get(typed), client.get(canonical)
        assert page.status_code == 200, canonical
        assert typed_page.status_code == 200, typed
        assert typed_page.data.split(b"<main")[1][:400] == page.data.split(b"<main")[1][:400], typed
    assert client.get("/no-such-page/").status_code == 404
