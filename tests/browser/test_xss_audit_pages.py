"""The auditor's pages in a real browser: filter the log with htmx, open a record's history."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_auditor_filters_the_log_and_opens_a_record(page):
    sign_in(page, "auditor@example.org")
    page.goto("/audit")
    assert page.locator("[data-testid=purpose-notice]").is_visible()
    page.select_option("#action", "create")
    page.click("#submit")
    page.wait_for_url("**/audit?**action=create**")
    rows = page.locator("[data-testid=audit-events] tbody tr")
    rows.first.wait_for()
    assert all(text.strip() == "Created" for text in rows.locator("td:nth-child(3)").all_inner_texts())
    # The first record link, whatever type the demo created first, opens its history page.
    link = page.locator("[data-testid=audit-events] a[href*='/audit/']").first
    href = link.get_attribute("href")
    link.click()
    page.wait_for_url(f"**{href}")
    assert "Who saw or changed this" in page.inner_text("h1")
    assert page.js_errors == []


def test_retention_review_lists_the_old_meeting(page):
    sign_in(page, "admin@example.org")
    page.goto("/audit/retention")
    table = page.locator("[data-testid=due-meeting_notes]")
    assert table.is_visible()
    table.locator("a", has_text="Keep").first.click()
    page.fill("#reason", "short")  # refused: the shared demo keeps its due meeting for other runs
    page.click("#submit")
    page.locator(".govuk-error-summary").wait_for(state="visible")
    assert page.locator("#reason").input_value() == "short"
    assert [e for e in page.js_errors if "422" not in e] == []
