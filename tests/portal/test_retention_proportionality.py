"""Proportionality: a minimum re-crawl interval per site; no watch-lists of people."""
from __future__ import annotations

from datetime import datetime, timedelta

from portal.extensions import db
from portal.models import Candidate
from portal.proportionality import may_crawl, next_crawl_at

NOW = datetime(2031, 1, 10, 12, 0)


def _seen(db_session, area, site_key, when):
    db_session.add(Candidate(area_id=area.id, site=f"https://{site_key}/", site_key=site_key,
                             created_at=when, updated_at=when))
    db_session.commit()


def test_never_crawled_site_may_be_crawled(app):
    assert may_crawl("new.example", NOW)
    assert next_crawl_at("new.example") is None


def test_site_crawled_recently_by_any_area_must_wait(app, area, db_session):
    _seen(db_session, area, "busy.example", NOW - timedelta(hours=3))
    assert not may_crawl("busy.example", NOW)
    assert may_crawl("busy.example", NOW + timedelta(hours=21, minutes=1))
    assert next_crawl_at("busy.example") == NOW + timedelta(hours=21)


def test_interval_is_configurable(app, area, db_session):
    _seen(db_session, area, "busy.example", NOW - timedelta(hours=3))
    app.config["CRAWL_MIN_INTERVAL_HOURS"] = 2
    assert may_crawl("busy.example", NOW)


def test_no_model_is_a_watch_list_of_people(app):
    """People are not a model: no table or column profiles members of the public."""
    forbidden = ("person", "people", "watch", "suspect", "handle", "author_name", "poster", "phone",
                 "date_of_birth", "home_address")
    for table in db.metadata.sorted_tables:
        assert not any(word in table.name for word in forbidden), table.name
        for column in table.columns:
            assert not any(word in column.name for word in forbidden), f"{table.name}.{column.name}"
