"""The officer's daily path in a real browser: quick log on a phone, share a link, stages, the list."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

NEWHAVEN_POST = "https://m.facebook.com/groups/newhaven-notices-example/posts/42?ref=share"


def test_log_a_contact_in_three_interactions_after_opening_the_form(page):
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    first = page.locator("[data-testid=recent-communities] .govuk-radios__item").first
    name = first.locator("label").inner_text().splitlines()[0].strip()
    first.locator("label").click()                                  # 1: community
    page.locator("label[for=channel-email]").click()                # 2: channel
    page.click("[data-testid=outcome-positive]")                    # 3: outcome, which saves
    page.wait_for_url(re.compile(r"/communities/\d+"))
    assert page.locator("h1").inner_text().strip() == name
    newest = page.locator("[data-testid=timeline] .lr-timeline__item").first
    assert "Email" in newest.inner_text()
    assert "Positive" in newest.inner_text()
    assert page.js_errors == []


def test_share_a_link_prefills_the_community(page):
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    page.fill("#share-link", NEWHAVEN_POST)
    page.click("[data-testid=share-form] button")
    assert "Newhaven" in page.locator("[data-testid=share-found]").inner_text()
    checked = page.locator("input[name=community_id]:checked")
    assert checked.count() == 1
    assert "Newhaven" in page.locator(f"label[for={checked.get_attribute('id')}]").inner_text()
    page.click("[data-testid=more-details] summary") if not page.locator("#link").is_visible() else None
    assert page.input_value("#link") == NEWHAVEN_POST
    page.locator("label[for=channel-comment]").click()
    page.click("[data-testid=outcome-acknowledged]")
    page.wait_for_url(re.compile(r"/communities/\d+"))
    assert "Newhaven" in page.locator("h1").inner_text()


def test_failed_validation_keeps_the_typed_text(page):
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    page.click("[data-testid=more-details] summary")
    page.fill("#message_text", "Hello from your local team: the panel meets on Tuesday.")
    page.locator("label[for=channel-group_post]").click()
    page.click("[data-testid=outcome-pending]")                     # no community chosen
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert "Choose the community you contacted" in page.locator(".govuk-error-summary").inner_text()
    assert page.input_value("#message_text") == "Hello from your local team: the panel meets on Tuesday."
    assert page.is_checked("#channel-group_post")


def test_type_ahead_finds_a_community(page):
    sign_in(page, "officer@example.org")
    page.goto("/contacts/new")
    page.fill("#community_q", "ringmer")
    option = page.locator("[data-testid=community-matches] label", has_text="Ringmer")
    option.wait_for()
    option.click()
    assert page.locator("[data-testid=community-matches] input:checked").count() == 1


def test_new_community_then_contact_then_confirm_the_suggested_stage(page, viewport):
    name = f"Browser Test Street Group {viewport['width']}"
    sign_in(page, "officer@example.org")
    page.goto("/communities/new")
    page.fill("#name", name)
    page.select_option("#platform", "whatsapp")
    page.locator("label[for=access-2]").click() if page.locator("label[for=access-2]").count() else None
    page.click("[data-testid=community-form] button[type=submit], [data-testid=community-form] input[type=submit]")
    page.wait_for_url(re.compile(r"/communities/\d+$"))
    assert "Identified" in page.locator("[data-testid=current-stage]").inner_text()
    page.click("[data-testid=log-contact]")
    assert page.locator("input[name=community_id]:checked").count() == 1
    page.locator("label[for=channel-direct_message]").click()
    page.click("[data-testid=outcome-pending]")
    page.wait_for_url(re.compile(r"/communities/\d+"))
    timeline = page.locator("[data-testid=timeline] .lr-timeline__item")
    assert "Direct message" in timeline.first.inner_text()
    suggestion = page.locator("[data-testid=suggestion]")
    assert "Approached" in suggestion.inner_text()
    page.click("[data-testid=confirm-stage]")
    page.wait_for_url(re.compile(r"/communities/\d+$"))
    assert "Approached" in page.locator("[data-testid=current-stage]").inner_text()
    assert "Approached" in timeline.first.inner_text()
    assert timeline.first.get_attribute("data-kind") == "stage"
    assert page.locator("[data-testid=suggestion]").count() == 0
    assert page.js_errors == []


def test_search_as_you_type_is_bookmarkable_and_back_works(page):
    sign_in(page, "officer@example.org")
    page.goto("/communities")
    total = page.locator("[data-testid=result-count]").inner_text()
    page.fill("#q", "seaford")
    page.wait_for_url(re.compile(r"q=seaford"))
    expect(page.locator("[data-testid=result-count]")).to_contain_text("matching “seaford”")
    rows = page.locator("[data-testid=community-row] a")
    assert rows.count() >= 1
    assert all("seaford" in name.lower() for name in rows.all_inner_texts())
    filtered = page.locator("[data-testid=result-count]").inner_text()
    assert filtered != total
    page.goto("/communities?q=seaford")                             # the pushed URL is a real page
    expect(page.locator("[data-testid=result-count]")).to_have_text(filtered)
    page.go_back()
    page.wait_for_url(re.compile(r"q=seaford"))
    page.go_back()
    expect(page.locator("[data-testid=result-count]")).to_have_text(total)
    assert page.input_value("#q") == ""


def test_outreach_pages_fit_a_phone(page, viewport):
    sign_in(page, "officer@example.org")
    for path in ("/contacts/new", "/follow-ups", "/communities", "/gone-quiet", "/meetings", "/home"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at {viewport['width']}px"
    page.goto("/communities")
    page.locator("[data-testid=community-row] a").first.click()
    page.wait_for_url(re.compile(r"/communities/\d+"))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert page.js_errors == []
