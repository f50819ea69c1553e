"""Shared helpers for the discovery tests: the real sample web on loopback, record builders.

The sample web is the crawler engine's own offline test web (``sampleweb``); crawls in
these tests run the real engine against it with its port range allowed.
"""
from __future__ import annotations

import pytest

from crawlers.locality import Evidence, LocalityScore
from crawlers.records import FeedRecord, SiteRecord

#: Pages per test crawl: enough to reach the directory's sites, small enough to be quick.
TEST_MAX_PAGES = 150
LEWES_PROFILE = {"name": "Lewes district", "places": ["Lewes", "Newhaven", "Seaford", "Ringmer"],
                 "postcode_districts": ["BN7", "BN9", "BN25", "BN8"]}


@pytest.fixture(scope="session")
def sample_web():
    import sampleweb

    web = sampleweb.serve()
    yield web
    web.stop()


@pytest.fixture
def crawl_config(app_config, sample_web):
    """App configuration that lets crawls reach the sample web's loopback ports (and nothing else)."""
    app_config.update({"CRAWL_ALLOW_PRIVATE": [sample_web.allow_private], "CRAWL_MAX_PAGES": TEST_MAX_PAGES,
                       "CRAWL_TIMEOUT": 5.0})
    return app_config


@pytest.fixture
def lewes_area(area, db_session):
    """The test area with a profile that fits the sample web."""
    area.profile = LEWES_PROFILE
    db_session.commit()
    return area


def site_record(site: str, title: str = "A site", score: float = 0.7, platform: str | None = "WordPress",
                feeds: int = 1, found_via: str | None = None) -> SiteRecord:
    """Build a SiteRecord as the engine emits it (for tests of storage and review)."""
    feed_records = [FeedRecord(url=f"{site}/feed{i}", kind="rss", title=f"{title} feed", items=10,
                               last_item_at="2026-11-01T10:00:00+00:00", items_per_week=2.5,
                               role="main" if i == 0 else "comments") for i in range(feeds)]
    locality = LocalityScore(score=score, evidence=[Evidence("place_title", "Lewes", "title", 0.4)])
    return SiteRecord(site=site, title=title, description=f"{title} description", platform=platform,
                      feeds=feed_records, locality=locality, found_via=found_via, pages_fetched=3)
