"""Building an area from open data in a real browser: upload, wait for the preview, keep a name, save."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.portal.test_areabuild import IPN, ONSPD

pytestmark = pytest.mark.browser


def test_admin_builds_an_area_from_the_official_files(page, live_app, viewport, tmp_path):
    live_app.config["AREA_DATA_DIR"] = str(tmp_path)
    name = f"Lewes district {viewport['width']}"
    sign_in(page, "admin@example.org")
    page.goto("/admin")
    page.get_by_role("link", name="Build one from open data").click()
    expect(page.get_by_test_id("attribution")).to_contain_text("Open Government Licence")
    page.set_input_files("#onspd", str(ONSPD))
    page.set_input_files("#names", str(IPN))
    page.fill("#lad", "Lewes")
    page.fill("#name", name)
    page.get_by_role("button", name="Upload and build").click()
    # The build runs as a background job; the page polls, then shows the preview.
    expect(page.get_by_test_id("built-places")).to_contain_text("Ringmer", timeout=30_000)
    expect(page.get_by_test_id("built-districts")).to_contain_text("BN8 0.69")
    page.get_by_label("Newhaven (also in Derbyshire)").check()
    page.get_by_role("button", name="Save area profile").click()
    expect(page.locator(".lr-flash")).to_contain_text(f"Area profile of {name} saved from open data")
    profile = page.input_value("#profile_json")
    assert '"Newhaven"' in profile
    assert '"Kingston"' in profile
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.js_errors == []
