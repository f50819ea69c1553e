"""Research chart pages in a real browser: charts render with data, an empty selection says so, filters swap."""
from __future__ import annotations

import re

import pytest

from portal.research.pages import PAGES
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

NOTHING = "since=2001-01-01&until=2001-01-31"


@pytest.mark.parametrize("slug", sorted(PAGES))
def test_chart_page_renders_with_data_and_with_an_empty_selection(page, slug):
    sign_in(page, "researcher@example.org")
    page.goto(f"/research/{slug}")
    chart = page.locator("[data-testid=chart] svg[role=img]").first
    chart.wait_for(state="visible")
    box = chart.bounding_box()
    assert box
    assert box["width"] > 200
    assert box["height"] > 80
    # Shapes, or (for a researcher, where every point rests on too few) the chart says they are withheld.
    assert chart.locator("rect, polyline, circle").count() > 0 or "Withheld [c]" in chart.text_content()
    assert page.locator("[data-testid=data-table] tbody tr").count() > 0
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/research/{slug} scrolls sideways by {overflow}px"

    page.goto(f"/research/{slug}?{NOTHING}")
    assert page.locator("[data-testid=empty-state]").is_visible()
    assert page.locator("svg[role=img]").count() == 0
    assert page.js_errors == []


def test_changing_a_filter_swaps_the_chart_and_updates_the_address(page):
    sign_in(page, "admin@example.org")
    page.goto("/research/responses")
    page.locator("[data-testid=chart] svg[role=img]").first.wait_for()
    page.select_option("#f-by", "purpose")
    page.wait_for_url("**/research/responses?by=purpose")  # "Any" filters are left out of the address
    page.get_by_text("Outbound contacts by purpose and outcome").wait_for()
    page.fill("#f-since", "2001-01-01")
    page.fill("#f-until", "2001-01-31")
    page.locator("#f-until").dispatch_event("change")
    page.locator("[data-testid=empty-state]").wait_for()
    assert "until=2001-01-31" in page.url
    page.go_back()
    page.wait_for_url("**by=purpose**")
    assert page.js_errors == []


def test_a_table_downloads_as_csv_with_the_filters_chosen_on_the_page(page):
    import csv
    from pathlib import Path

    sign_in(page, "admin@example.org")
    page.goto("/research/responses")
    page.locator("[data-testid=chart] svg[role=img]").first.wait_for()
    page.select_option("#f-by", "channel")  # swaps the chart block over htmx: its links must follow
    page.get_by_text("Outbound contacts by channel and outcome").wait_for()
    shown = page.locator("[data-testid=data-table]").first.locator("tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.children, c => c.textContent.trim()))")
    with page.expect_download() as download:
        page.locator("[data-testid=table-csv]").first.click()
    assert download.value.suggested_filename == "local-reach-responses-table-1-by-channel.csv"
    with Path(download.value.path()).open(newline="", encoding="utf-8") as f:
        assert list(csv.reader(f)) == shown
    assert page.js_errors == []


def test_a_cut_table_shows_every_row_in_place(page, monkeypatch):
    from portal.research import views

    monkeypatch.setattr(views, "TABLE_ROWS", 3)
    sign_in(page, "admin@example.org")
    page.goto("/research/contacts?area=wealden-sample")
    rows = page.locator("#table-1 [data-testid=data-table] tbody tr")
    assert rows.count() == 3
    page.locator("[data-testid=table-all-rows]").click()
    page.locator("[data-testid=table-truncated]").wait_for(state="detached")
    assert rows.count() > 3
    assert page.locator("[data-testid=chart] svg[role=img]").count() >= 1  # swapped the table, not the page
    assert page.url.endswith("/research/contacts?area=wealden-sample")  # in place: the address is the chart's
    assert page.js_errors == []


def test_a_researcher_sees_withheld_cells_explained_and_a_singling_out_filter_refused(page):
    from playwright.sync_api import expect

    sign_in(page, "researcher@example.org")
    page.goto("/research/responses")
    expect(page.locator("[data-testid=disclosure-note]")).to_contain_text("[c]")
    expect(page.locator("[data-testid=data-table]").first).to_contain_text("[c]")
    expect(page.locator("[data-testid=chart-block]")).not_to_contain_text("<5")
    # Lewes and one platform: a single community (other browser tests may add communities to Lewes,
    # so the area alone is not certain to stay under the minimum cell): swapped for a message.
    page.select_option("#f-area", "lewes")
    expect(page).to_have_url(re.compile("area=lewes"))
    page.select_option("#f-platform", "whatsapp")
    expect(page).to_have_url(re.compile("platform=whatsapp"))
    expect(page.locator("[data-testid=refused]")).to_be_visible()
    expect(page.locator("[data-testid=refused]")).to_contain_text("fewer than 10")
    expect(page.locator("svg[role=img]")).to_have_count(0)
    assert "area=lewes" in page.url
    assert page.js_errors == []
