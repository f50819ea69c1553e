"""End to end in Chromium: an officer and a supervisor sign in through the real OpenID Connect
provider's pages; the officer's message is held, the supervisor is e-mailed, decides, and the
officer is e-mailed (a real SMTP server on loopback)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.browser.conftest import buffered
from tests.conftest import base_config
from tests.notices_support import SmtpSink
from tests.oidc_support import CLIENT_ID, CLIENT_SECRET, free_port, start_provider

pytestmark = pytest.mark.browser

RISKY = "A man has been arrested after the burglaries on the seafront."


@pytest.fixture(scope="module")
def world(tmp_path_factory, browser_available):
    import threading

    from flask_migrate import upgrade

    from portal import create_app
    from portal.areas import import_area
    from portal.extensions import db
    from portal.models import Community, SsoGroupMapping

    folder = tmp_path_factory.mktemp("sso_e2e")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    provider = start_provider(folder, [f"{url}/login/sso/callback"])
    provider.set_accounts({
        "pc1": {"email": "pc.one@force.example", "name": "PC One", "groups": ["lr-officers", "lr-town"]},
        "sgt1": {"email": "sgt.one@force.example", "name": "Sgt One", "groups": ["lr-supervisors", "lr-town"]},
        "adm1": {"email": "adm.one@force.example", "name": "Adm One", "groups": ["lr-admins"]}})
    smtp = SmtpSink()
    config = base_config(f"sqlite:///{folder / 'e2e.sqlite'}", folder)
    config.update({"WTF_CSRF_ENABLED": True, "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                   "OIDC_CLIENT_SECRET": CLIENT_SECRET, "NOTIFY_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1",
                   "MAIL_PORT": smtp.port, "PUBLIC_URL": url, "LOCAL_PASSWORDS": False})
    app = create_app(config)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        area, _ = import_area({"name": "Seaford", "places": ["Seaford"]}, slug="seaford")
        db.session.flush()
        db.session.add_all([Community(area_id=area.id, name="Seafront Residents Forum", platform="forum",
                                      access="public", audience_size=200),
                            SsoGroupMapping(group_name="lr-officers", role="officer"),
                            SsoGroupMapping(group_name="lr-supervisors", role="supervisor"),
                            SsoGroupMapping(group_name="lr-admins", role="admin"),
                            SsoGroupMapping(group_name="lr-town", area_id=area.id)])
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", port, buffered(app), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": url, "smtp": smtp}
    server.shutdown()
    smtp.stop()
    provider.stop()


def _sso_sign_in(browser, url, login, viewport=None):
    context = browser.new_context(base_url=url, **({"viewport": viewport} if viewport else {}))
    page = context.new_page()
    page.goto("/login")
    expect(page.locator("#password")).to_have_count(0)  # local passwords are off here
    page.click("[data-testid=sso-start]")
    page.fill("input[name=login]", login)  # the provider's own sign-in page
    page.fill("input[name=password]", "any password")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(url) + r"/(home)?$"))
    return context, page


def _link_in(smtp, address, pattern):
    [mail] = smtp.to(address)
    return re.search(pattern, mail.get_body(("plain",)).get_content()).group(0)


def test_held_message_reaches_the_supervisor_and_the_decision_reaches_the_officer(browser, world):
    url, smtp = world["url"], world["smtp"]
    officer_context, officer = _sso_sign_in(browser, url, "pc1")
    supervisor_context, supervisor = _sso_sign_in(browser, url, "sgt1")
    try:
        officer.goto("/contacts/new")
        officer.fill("#community_q", "Seafront")
        officer.locator("#community-matches label").first.click()
        officer.locator("label[for=channel-comment]").click()
        officer.click("[data-testid=more-details] summary")
        officer.locator("#message_text").fill(RISKY)
        officer.click("[data-testid=outcome-pending]")
        officer.wait_for_url(re.compile(r"/communities/\d+"))

        review_link = _link_in(smtp, "sgt.one@force.example", re.escape(url) + r"/guidance/reviews/\d+")
        assert not smtp.to("pc.one@force.example")
        supervisor.goto(review_link)
        supervisor.locator("label", has_text="Approve").first.click()
        supervisor.click("button[type=submit]:has-text('Record'), button[type=submit]:has-text('decision')")
        supervisor.wait_for_url(re.compile(r"/guidance/queue"))

        decisions_link = _link_in(smtp, "pc.one@force.example", re.escape(url) + r"/guidance#decisions")
        officer.goto(decisions_link)
        decisions = officer.locator("[data-testid=decisions]")
        expect(decisions).to_contain_text("Seafront Residents Forum")
        expect(decisions).to_contain_text("Approved")
    finally:
        officer_context.close()
        supervisor_context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_new_pages_pass_axe_and_fit_a_phone(browser, world, width):
    """The sign-in page with SSO, the notice settings, and the admins' SSO and notices pages: no serious
    or critical WCAG 2.2 AA violation, and nothing wider than a 390 px phone."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import BLOCKING, WCAG_TAGS

    axe, problems = Axe(), []
    viewport = {"width": width, "height": 844 if width == 390 else 900}

    def check(page, label):
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                         "resultTypes": ["violations"]})
        problems.extend(f"{label}: {v['id']} ({v['impact']})" for v in results.response["violations"]
                        if v.get("impact") in BLOCKING)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 0:
            problems.append(f"{label}: {overflow}px wider than the screen")

    visitor = browser.new_context(base_url=world["url"], viewport=viewport)
    signed_out = visitor.new_page()
    signed_out.goto("/login")
    check(signed_out, "/login with SSO")
    visitor.close()
    context, officer = _sso_sign_in(browser, world["url"], "pc1", viewport)
    officer.goto("/settings/notices")
    check(officer, "/settings/notices")
    context.close()
    context, admin = _sso_sign_in(browser, world["url"], "adm1", viewport)
    for path in ("/admin/sso", "/admin/notices"):
        admin.goto(path)
        check(admin, path)
    context.close()
    assert problems == []
