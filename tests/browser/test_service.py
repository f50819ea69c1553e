"""Issue 23 in a real browser: one-row navigation, 44 px tap targets on a phone, Mark done and Undo."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

# Everything tapped on its own (links inside running text are exempt, as in WCAG 2.5.8).
TAP_TARGETS = ("button:not(.govuk-skip-link), input:not([type=hidden]), select, textarea, summary, .govuk-button, "
               ".govuk-back-link, .govuk-footer__link, .lr-link-button, .lr-tap, .govuk-service-navigation__toggle")
SMALL_TARGETS_JS = """(selector) => [...document.querySelectorAll(selector)].filter(e => {
  const box = e.getBoundingClientRect(), s = getComputedStyle(e);
  if (e.closest('.govuk-visually-hidden')) return false;  // not there to tap (a form's hidden default button)
  return box.width > 0 && box.height > 0 && s.visibility !== 'hidden' && (box.height < 44 || box.width < 44);
}).map(e => `${(e.innerText || e.name || e.id).trim().slice(0, 30)} ${Math.round(e.getBoundingClientRect().width)}x${Math.round(e.getBoundingClientRect().height)}`)"""


@pytest.fixture
def open_as(browser, live_server):
    """Open a signed-in page at a given viewport; close every context afterwards."""
    contexts = []

    def open_page(email: str, viewport: dict):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _review_queue_candidates(db, area_id: int) -> None:
    """Put two found sites in the officer's review queue (the test must not depend on a crawl test)."""
    from portal.models import Candidate

    for n in (1, 2):
        key = f"tap-target-{n}.example"
        if db.session.scalar(select(Candidate.id).where(Candidate.site_key == key)) is None:
            db.session.add(Candidate(
                area_id=area_id, site=f"https://{key}/", site_key=key, title=f"Tap target forum {n}",
                platform="forum", feeds=[{"url": f"https://{key}/feed", "kind": "rss", "items": 4, "role": "main"}],
                items_per_week=2.0, locality_score=0.8, found_via="https://council.example/directory",
                locality_evidence=[{"kind": "place", "matched": "Lewes", "where": "title", "points": 0.5}]))
    db.session.commit()


def _ids(live_app):
    from portal.extensions import db
    from portal.models import Area, MessageReview, OutreachContact, User

    with live_app.app_context():
        _review_queue_candidates(db, db.session.scalar(select(Area.id).where(Area.slug == "lewes")))
        officer = db.session.scalar(select(User).where(User.email == "officer@example.org"))
        contact = db.session.scalar(select(OutreachContact).where(OutreachContact.officer_id == officer.id)
                                    .order_by(OutreachContact.id))
        review = db.session.scalar(select(MessageReview).order_by(MessageReview.id))
        ids = {"community": contact.community_id, "review": review.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("email", ["officer@example.org", "supervisor@example.org", "admin@example.org",
                                   "researcher@example.org", "auditor@example.org"])
def test_the_navigation_is_one_row_with_one_item_highlighted_at_1280px(open_as, email):
    page = open_as(email, DESKTOP)
    for path in ("/home", "/guidance/queue" if email.startswith(("supervisor", "admin")) else "/home"):
        page.goto(path)
        tops = page.eval_on_selector_all(".govuk-service-navigation__item",
                                         "items => items.map(i => Math.round(i.getBoundingClientRect().top))")
        assert len(tops) >= 2, f"{email} navigation wraps on {path}: {tops}"
        assert len(set(tops)) == 1, f"{email} navigation wraps on {path}: {tops}"
        expect(page.locator(".govuk-service-navigation__item--active")).to_have_count(1)


def test_tap_targets_are_at_least_44px_on_a_phone(open_as, live_app):
    ids = _ids(live_app)
    pages = {"officer@example.org": ["/home", f"/communities/{ids['community']}", "/follow-ups", "/discovery/review",
                                     "/contacts/new", "/gone-quiet"],
             "supervisor@example.org": [f"/guidance/reviews/{ids['review']}", "/guidance/queue"]}
    small = []
    for email, paths in pages.items():
        page = open_as(email, PHONE)
        for path in paths:
            page.goto(path)
            if path == "/discovery/review":
                expect(page.locator("main")).to_contain_text("Tap target forum 1")
            small += [f"{path}: {target}" for target in page.evaluate(SMALL_TARGETS_JS, TAP_TARGETS)]
        assert page.locator("[data-testid=sign-out]").bounding_box()["height"] >= 44
    assert small == []


def test_mark_done_sits_apart_from_log_contact_and_can_be_undone_on_a_phone(open_as):
    page = open_as("officer@example.org", PHONE)
    row = page.locator("[data-testid=dashboard-due] [data-testid=follow-up]").first
    row_id = row.get_attribute("id")
    log, done = row.locator(".lr-follow-up__log").bounding_box(), row.locator("[data-testid=follow-up-done]").bounding_box()
    apart = max(done["x"] - (log["x"] + log["width"]), log["x"] - (done["x"] + done["width"]),
                done["y"] - (log["y"] + log["height"]), log["y"] - (done["y"] + done["height"]))
    assert apart >= 24, f"Log contact and Mark done are {apart:.0f} px apart"
    row.locator("[data-testid=follow-up-done]").click()
    undo = page.locator(f"#{row_id} [data-testid=follow-up-undo]")
    expect(undo).to_be_visible()
    expect(undo).to_be_focused()
    expect(page.locator(f"#{row_id} [role=status]")).to_contain_text("marked done")
    undo.click()
    expect(page.locator(f"#{row_id} [data-testid=follow-up-done]")).to_be_visible()
    expect(page.locator(f"#{row_id} .lr-follow-up__log")).to_be_focused()
    page.reload()
    expect(page.locator(f"#{row_id} [data-testid=follow-up-done]")).to_be_visible()  # open again on the server
