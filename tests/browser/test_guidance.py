"""Live message check in a real browser: findings appear as the officer types (CSP-safe, no inline script)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_findings_appear_while_typing_a_risky_message(page):
    sign_in(page, "officer@example.org")
    page.goto("/guidance/check")
    findings = page.locator("[data-testid=guidance-findings]")
    assert "checked as you type" in findings.inner_text()
    page.locator("#message_text").press_sequentially("Thanks all. John Smith was arrested for the burglary",
                                                     delay=5)
    page.wait_for_selector("[data-testid=guidance-findings] [data-rule='proceedings.named_person']")
    assert findings.get_attribute("data-severity") == "do_not_send"
    assert "cannot be sent" in findings.inner_text()
    page.locator("#message_text").fill("Hello from your neighbourhood team.")
    page.wait_for_selector("text=No problems found")
    assert page.js_errors == []


def test_quick_log_shows_findings_before_saving_and_holds_the_message(page):
    """In the quick-log form itself: findings while typing, nothing saved until an outcome is chosen."""
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    first = page.locator("[data-testid=recent-communities] .govuk-radios__item").first
    first.locator("label").click()
    page.locator("label[for=channel-comment]").click()
    page.click("[data-testid=more-details] summary")
    findings = page.locator("#contact-form [data-testid=guidance-findings]")
    page.locator("#message_text").press_sequentially(
        "A man has been arrested after the burglaries on the seafront.", delay=5)
    page.wait_for_selector("#contact-form [data-testid=guidance-findings] [data-rule='proceedings.status']")
    assert findings.get_attribute("data-severity") == "needs_supervisor"
    assert page.url.endswith("/contacts/new")  # the check saved nothing
    page.click("[data-testid=outcome-pending]")
    page.wait_for_url(re.compile(r"/communities/\d+"))
    newest = page.locator("[data-testid=timeline] .lr-timeline__item").first
    assert "arrested after the burglaries" in newest.inner_text()
    assert newest.locator("[data-testid=review-status]").inner_text().strip() == "Held"
    assert newest.locator("[data-testid=not-sendable]").is_visible()
    assert newest.locator("[data-testid=mark-sent]").count() == 0
    assert page.js_errors == []


def test_quick_log_flags_a_home_address_and_explains_it(page):
    """Typing a house number and street brings up the address finding, saying what matched and why."""
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    page.click("[data-testid=more-details] summary")
    findings = page.locator("#contact-form [data-testid=guidance-findings]")
    page.locator("#message_text").press_sequentially(
        "Thanks for the tip. The lady at 27 Elmwood Crescent had her shed broken into", delay=5)
    address = findings.locator("[data-rule='personal.home_address']")
    expect(address).to_be_visible()
    expect(address.locator(".lr-finding__words")).to_have_text("27 Elmwood Crescent")
    expect(address.locator(".lr-finding__why")).to_contain_text("house number and street")
    expect(address.locator(".lr-finding__why")).to_contain_text("home")
    expect(findings).to_have_attribute("data-severity", "needs_supervisor")
    expect(findings).to_contain_text("A supervisor will need to approve this message")
    page.locator("#message_text").fill("Thanks for the tip. We'll be at the library, 182 Church Road, on Saturday.")
    expect(address).to_have_count(0)
    expect(findings.locator("[data-rule='personal.venue_address']")).to_be_visible()
    expect(findings).to_have_attribute("data-severity", "advice")
    assert page.js_errors == []


def test_supervisor_marks_a_finding_wrong_here_and_the_rules_page_counts_it(page):
    sign_in(page, "supervisor@example.org")
    page.goto("/guidance/queue")
    page.locator("[data-testid=queue-reviews] a").first.click()
    finding = page.locator("[data-testid=guidance-findings] .lr-finding").first
    rule = finding.get_attribute("data-rule")
    page.goto("/guidance/rules")
    count = page.locator(f"[data-testid='marks-{rule}']")
    before = int(count.inner_text())
    page.go_back()
    finding.locator("input[name=note]").fill("said in the press release already")
    finding.get_by_role("button", name="Wrong here").click()
    expect(finding.locator("[data-testid=marked-wrong]")).to_be_visible()
    expect(finding).to_contain_text("said in the press release already")
    page.goto("/guidance/rules")
    expect(count).to_have_text(str(before + 1))
    page.go_back()
    finding.get_by_role("button", name="Undo").click()  # leave the demo data as it was
    expect(finding.locator("[data-testid=marked-wrong]")).to_have_count(0)
    assert page.js_errors == []


def test_choosing_a_large_community_raises_the_review(page):
    sign_in(page, "officer@example.org")
    page.goto("/guidance/check")
    page.locator("#message_text").fill("Please share: bike marking on Saturday.")
    page.wait_for_selector("[data-testid=guidance-findings][data-severity=advice]")
    page.select_option("#community_id", label="Newhaven Community Noticeboard (Facebook group)")
    page.wait_for_selector("[data-testid=guidance-findings] [data-rule='reach.large_audience']")
    assert page.js_errors == []


def test_supervisor_sees_backup_requests_before_held_messages(page):
    sign_in(page, "supervisor@example.org")
    page.goto("/guidance/queue")
    flags = page.locator("[data-testid=queue-flags]")
    reviews = page.locator("[data-testid=queue-reviews]")
    assert flags.is_visible()
    assert reviews.is_visible()
    assert flags.bounding_box()["y"] < reviews.bounding_box()["y"]
    assert "Peacehaven" in flags.inner_text()
    assert "waiting" in reviews.inner_text()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.js_errors == []


def test_guidance_pages_fit_a_phone(page, viewport):
    sign_in(page, "supervisor@example.org")
    for path in ("/guidance", "/guidance/check", "/guidance/team", "/guidance/rules", "/guidance/reviews/1",
                 "/guidance/flags/1"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {viewport['width']}px"
    assert page.js_errors == []
