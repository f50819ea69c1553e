"""Sub-communities in a real browser: accept a forum with two of its boards; see them catalogued under it."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def store_forum(app, site: str, title: str) -> None:
    """A crawl's record of a forum with three boards, stored in the officer's area."""
    from sqlalchemy import select

    from crawlers.locality import Evidence, LocalityScore
    from crawlers.records import FeedRecord, SectionRecord, SiteRecord
    from portal.discovery.candidates import upsert_candidate
    from portal.extensions import db
    from portal.models import User

    def feed(url, role, per_week):
        return FeedRecord(url, "rss", "", 10, "2026-11-30T09:00:00+00:00", per_week, role)

    def board(slug, title, score):
        return SectionRecord(f"{site}/boards/{slug}/", title, "board", [feed(f"{site}/boards/{slug}/feed", "section", 2)],
                             LocalityScore(score, [Evidence("place_title", title.split()[0], "title", 0.4)]))

    record = SiteRecord(site=site, title=title, platform="phpBB", feeds=[feed(f"{site}/feed", "main", 9)],
                        locality=LocalityScore(0.99, [Evidence("postcode", "BN7 1AB", "title", 0.45)]),
                        sections=[board("ringmer", "Ringmer board", 0.9), board("barcombe", "Barcombe board", 0.8),
                                  board("chat", "Chat board", 0.3)],
                        feeds_left_out={"topic": 25})
    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "officer@example.org"))
        upsert_candidate(officer.areas[0].id, record)
        db.session.commit()
        db.session.remove()


def test_accept_a_site_with_two_of_its_boards(page, live_app, viewport):
    site, title = f"https://ouse-valley-forum-{viewport['width']}.example", f"Ouse Valley Forum {viewport['width']}"
    store_forum(live_app, site, title)
    sign_in(page, "officer@example.org")
    page.goto("/discovery/review")
    card = page.locator("[data-testid=candidate]", has=page.locator(f'a[href="{site}"]'))
    expect(card.locator("[data-testid=left-out]")).to_contain_text("25 topic feeds")
    card.get_by_label("Include Ringmer board").check()
    card.get_by_label("Include Barcombe board").check()
    card.locator("[data-testid=accept]").click()
    expect(page.locator(".lr-flash")).to_contain_text("added to the catalogue with 2 parts")

    page.goto(f"/communities?q={title}")
    page.locator("#results a", has_text=title).click()
    parts = page.locator("[data-testid=parts]")
    expect(parts.locator("a")).to_have_text(["Barcombe board", "Ringmer board"])
    parts.get_by_role("link", name="Ringmer board").click()
    expect(page.locator("[data-testid=part-of]")).to_contain_text(f"Part of {title}")
    assert page.js_errors == []

    # The board left is dismissed on its own; the forum then leaves "to review".
    page.goto("/discovery/review")
    chat = page.locator("[data-testid=part]", has_text="Chat board")
    chat.get_by_label("Reason to dismiss Chat board").select_option(index=1)
    chat.get_by_role("button", name="Dismiss Chat board").click()
    expect(page.locator(".lr-flash")).to_contain_text("Dismissed Chat board")
    expect(page.locator("[data-testid=candidate]", has=page.locator(f'a[href="{site}"]'))).to_have_count(0)
    if viewport["width"] < 400:  # the review card with its parts fits a phone: no sideways scrolling
        page.goto("/discovery/review?status=accepted")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
