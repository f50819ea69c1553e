"""The research package in a real browser: build it in a job, watch the bar, download the zip (phone and desktop)."""
from __future__ import annotations

import re
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_project_member_builds_and_downloads_the_package(page):
    sign_in(page, "researcher@example.org")
    page.goto("/research")
    page.get_by_test_id("export-link").click()
    expect(page.get_by_test_id("export-form")).to_be_visible()
    expect(page.locator("#x-project")).to_contain_text("Demo outreach study")
    page.select_option("#x-area", "lewes")
    page.get_by_test_id("build-export").click()
    expect(page).to_have_url(re.compile(r"/research/exports/[0-9a-f]{32}$"))
    ready = page.get_by_test_id("export-ready")
    expect(ready).to_be_visible(timeout=60_000)  # the polling widget swapped itself to "ready" and stopped
    expect(page.get_by_test_id("export-status")).not_to_have_attribute("hx-get", re.compile(".*"))
    with page.expect_download() as download:
        page.get_by_test_id("download-export").click()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.value.path()) as archive:
        assert {"datapackage.json", "README.md", "panel.csv"} <= set(archive.namelist())
    page.goto("/research/export")
    expect(page.get_by_test_id("export-jobs")).to_contain_text("Done")
    assert page.js_errors == []


def test_the_package_page_works_from_the_keyboard_alone(page):
    sign_in(page, "researcher@example.org")
    page.goto("/research/export")
    page.locator("#x-project").focus()
    reached = []
    for _ in range(12):  # project, area, dates, weeks box, then the button
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.dataset.testid || document.activeElement.id"))
        if reached[-1] == "build-export":
            break
    assert reached[-1] == "build-export"
    assert {"x-area", "x-since", "x-until", "coarsen_weeks"} <= set(reached)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("export-status")).to_be_visible()
    assert page.js_errors == []
