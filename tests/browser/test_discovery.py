"""Discovery in a real browser: start a crawl of the sample web, watch the bar fill, accept a site."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_sample_web(live_app):
    """Wire the offline sample web into the live portal, as LOCAL_REACH_SAMPLE_WEB=1 does for `make run`."""
    from portal.discovery.sample_web import attach

    # The test crawls the same sites once per viewport: no minimum re-crawl interval here
    # (tests/portal/test_discovery_runs.py shows the interval holding).
    live_app.config["CRAWL_MIN_INTERVAL_HOURS"] = 0
    return attach(live_app)


def test_crawl_from_the_ui_then_accept_a_candidate(page, demo_sample_web):
    sign_in(page, "officer@example.org")
    page.goto("/discovery")
    seeds = page.input_value("#seeds")
    assert seeds.split() == demo_sample_web.seeds, "the demo pre-fills the sample web's seeds"
    page.fill("#max_pages", "150")
    page.click("[data-testid=crawl-form] [type=submit]")
    page.wait_for_url("**/discovery/runs/*")
    progress = page.locator("[data-testid=run-progress]")
    # htmx polling refreshes the widget until the run ends; expect() waits for that (no fixed
    # sleeps, and a generous bound because a loaded machine crawls slowly)
    expect(progress).to_have_attribute("data-status", re.compile(r"^(done|failed|cancelled|interrupted)$"),
                                       timeout=300_000)
    expect(progress).to_have_attribute("data-status", "done")
    bar = page.locator("[data-testid=run-bar]")
    value, maximum = int(bar.get_attribute("value")), int(bar.get_attribute("max"))
    assert value == maximum > 0, (value, maximum)
    assert page.locator("[data-testid=run-bar]").get_attribute("hx-trigger") is None
    assert progress.get_attribute("hx-trigger") is None, "polling stops when the run is done"
    sites = int(page.locator("[data-testid=sites-found]").inner_text())
    assert sites > 5

    page.click("[data-testid=review-link]")
    page.wait_for_url("**/discovery/review*")
    first = page.locator("[data-testid=candidate]", has=page.locator("[data-testid=accept]")).first
    title = first.locator(".lr-candidate__title").inner_text().strip()
    first.locator("[data-testid=accept]").click()
    page.wait_for_url("**/discovery/review*")
    page.locator(".lr-flash", has_text="added to the catalogue").wait_for(state="visible")

    page.goto("/communities?q=" + title[:20])
    assert page.locator("#results", has_text=title).is_visible()
    assert page.js_errors == []
