"""The portal's crawl limits and the engine's defaults are one set of numbers (issue 25.5)."""
from __future__ import annotations

import dataclasses

import pytest

from crawlers import settings as engine
from crawlers.settings import CrawlSettings
from portal.config import PORTAL_CRAWL_MAX_PAGES, load
from portal.discovery.adapter import RUN_LIMITS, crawl_settings, run_settings


@pytest.fixture
def config(tmp_path, monkeypatch):
    for key in RUN_LIMITS.values():
        monkeypatch.delenv(key, raising=False)
    return load(tmp_path)


def test_a_portal_run_gets_the_engines_defaults_but_the_page_ceiling(config):
    from_portal = crawl_settings(run_settings(config))
    assert dataclasses.replace(from_portal, max_pages=engine.DEFAULT_MAX_PAGES) == CrawlSettings()
    assert from_portal.max_pages == PORTAL_CRAWL_MAX_PAGES


def test_the_page_ceiling_is_below_the_engines_default(config):
    """A ceiling above the engine's own default would be no ceiling at all."""
    assert config["CRAWL_MAX_PAGES"] == PORTAL_CRAWL_MAX_PAGES
    assert PORTAL_CRAWL_MAX_PAGES < engine.DEFAULT_MAX_PAGES


def test_an_administrator_still_sets_each_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("CRAWL_TIMEOUT", "20")
    monkeypatch.setenv("CRAWL_MAX_PAGES", "900")
    config = load(tmp_path)
    assert (config["CRAWL_TIMEOUT"], config["CRAWL_MAX_PAGES"]) == (20.0, 900)
