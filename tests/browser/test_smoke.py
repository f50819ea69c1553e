"""Sign in as each demo role on a phone and on a desktop, see the right navigation, sign out."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

EXPECTED_NAV = {
    "officer@example.org": ({"Home", "Communities"}, {"Admin", "Audit", "Research"}),
    "supervisor@example.org": ({"Home", "Communities"}, {"Admin", "Audit"}),
    "researcher@example.org": ({"Home"}, {"Admin", "Communities", "Audit"}),
    "admin@example.org": ({"Home", "Communities", "Admin"}, set()),
    "auditor@example.org": ({"Home"}, {"Admin", "Communities"}),
}


@pytest.mark.parametrize("email", sorted(EXPECTED_NAV))
def test_each_role_signs_in_sees_its_navigation_and_signs_out(page, email):
    sign_in(page, email)
    menu = page.locator(".govuk-service-navigation__toggle")
    if menu.is_visible():  # the phone layout collapses the navigation behind a Menu button
        menu.click()
    links = page.locator("[data-testid=main-nav] .govuk-service-navigation__link")
    links.first.wait_for(state="visible")
    names = {text.strip() for text in links.all_inner_texts()}
    expected, forbidden = EXPECTED_NAV[email]
    assert expected <= names, names
    assert not (forbidden & names), names
    page.click("[data-testid=sign-out]")
    page.wait_for_url("**/login")
    page.locator("text=You have signed out").wait_for(state="visible")
    assert page.js_errors == []


def test_wrong_password_shows_error_summary(page):
    page.goto("/login")
    page.fill("#email", "officer@example.org")
    page.fill("#password", "not-the-password")
    page.click("button[type=submit], input[type=submit]")
    page.locator(".govuk-error-summary").wait_for(state="visible")  # is_visible() alone does not wait
    assert page.input_value("#email") == "officer@example.org"


def test_no_horizontal_scroll_on_a_phone(page, viewport):
    sign_in(page, "admin@example.org")
    for path in ("/home", "/communities", "/admin/", "/admin/users"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {viewport['width']}px"


# Text whose computed typeface is the browser's serif default: GOV.UK Frontend sets its typeface
# on its own classes only, so anything outside them must inherit it from the page body.
SERIF_TEXT = """() => [...document.querySelectorAll("body *")].filter(e =>
    e.offsetParent !== null && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && !["CODE", "PRE", "KBD", "SAMP"].includes(e.tagName)
    && /(^|,)\\s*("?Times|serif)/.test(getComputedStyle(e).fontFamily)
    && !/sans-serif/.test(getComputedStyle(e).fontFamily)).map(e => e.tagName + "." + e.className)"""


def test_every_text_is_in_the_service_typeface(page):
    sign_in(page, "officer@example.org")
    for path in ("/home", "/communities", "/contacts/new", "/follow-ups"):
        page.goto(path)
        assert page.evaluate(SERIF_TEXT) == [], path
    page.goto("/communities")
    first = page.evaluate("""() => [...document.querySelectorAll("main a")].map(a => a.getAttribute("href"))
                                       .find(href => /^\\/communities\\/\\d+$/.test(href))""")
    page.goto(first)
    page.locator("[data-testid=timeline] .lr-timeline__item").first.wait_for()
    assert page.evaluate(SERIF_TEXT) == [], page.url


def test_sign_out_here_keeps_the_other_device_and_sign_out_everywhere_ends_it(browser, live_server, page):
    other = browser.new_context(viewport=page.viewport_size, base_url=live_server.url).new_page()
    try:
        for device in (page, other):
            sign_in(device, "auditor@example.org")
        page.click("[data-testid=sign-out]")                  # this device only
        page.locator("text=You have signed out.").wait_for(state="visible")
        other.goto("/home")
        assert other.url.endswith("/home")                     # still signed in on the other device
        sign_in(page, "auditor@example.org")
        page.focus("[data-testid=sign-out-everywhere]")        # in the footer, reachable by keyboard
        page.keyboard.press("Enter")
        page.locator("text=You have signed out on every device.").wait_for(state="visible")
        other.goto("/home")
        assert "/login" in other.url
        assert page.js_errors == []
    finally:
        other.context.close()
