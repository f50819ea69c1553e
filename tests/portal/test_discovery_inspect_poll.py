"""Inspect one site; re-poll catalogued feeds with conditional GET; the demo's sample web wiring."""
# ruff: noqa: F811  (fixtures imported from tests.discovery_support are parameters by name)
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.models import ActivitySample, Candidate, Community, Feed, utcnow
from tests.discovery_support import crawl_config, lewes_area, sample_web  # noqa: F401


def _inspect(client, area, url):
    return client.post("/discovery/inspect", data={"area": area.id, "url": url})


@pytest.mark.usefixtures("crawl_config")
def test_inspect_a_site_shows_its_facts_and_saves_it_as_a_community(client, auth, lewes_area, sample_web,
                                                                     db_session):
    auth.login("officer")
    assert client.get("/discovery/inspect").status_code == 200
    url = sample_web.url_for("lewes-town-forum")
    response = _inspect(client, lewes_area, url)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    candidate = db_session.scalars(select(Candidate)).one()
    assert candidate.platform == "Discourse"
    assert candidate.feeds
    assert candidate.locality_score >= 0.5
    assert "Lewes Town Forum" in text
    assert "Discourse" in text
    assert "Save as a community" in text
    fragment = client.post("/discovery/inspect", data={"area": lewes_area.id, "url": url},
                           headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data
    assert b'id="inspection"' in fragment.data
    assert db_session.scalar(select(func.count(Candidate.id))) == 1, "inspecting again updates, not duplicates"
    saved = client.post(f"/discovery/candidates/{candidate.id}/accept", data={"then": "community"})
    community = db_session.scalars(select(Community)).one()
    assert saved.headers["Location"].endswith(f"/communities/{community.id}")
    assert community.platform == "forum"
    assert community.feeds
    assert "Already in the catalogue" in _inspect(client, lewes_area, url).get_data(as_text=True)


@pytest.mark.parametrize("url, message", [
    ("not a url", "Enter a web address starting with http"),
    ("javascript:alert(1)", "Enter a web address starting with http"),
    ("", "Enter the site&#39;s web address"),
])
def test_inspect_explains_bad_addresses(client, auth, area, url, message):
    auth.login("officer")
    response = _inspect(client, area, url)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["http://0177.0.0.1/", "http://127.000.000.001/", "http://\uff11\uff12\uff17.0.0.1/",
                                 "http://\u2460\u2461\u2466.0.0.1/"])
def test_inspect_an_odd_spelling_of_a_private_address_is_refused_not_a_500(client, auth, area, url, db_session):
    auth.login("officer")
    response = _inspect(client, area, url)
    assert response.status_code == 422
    assert "could not be reached" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Candidate.id))) == 0


def test_inspect_refuses_private_addresses_unless_configured(client, auth, area, sample_web, db_session):
    auth.login("officer")
    served_before = len(sample_web.requests)
    response = _inspect(client, area, sample_web.url_for("lewes-town-forum"))
    assert response.status_code == 422
    assert "could not be reached" in response.get_data(as_text=True)
    assert len(sample_web.requests) == served_before
    assert db_session.scalar(select(func.count(Candidate.id))) == 0


def test_inspect_a_closed_platform_link_keeps_it_to_catalogue_by_hand(client, auth, area, db_session):
    auth.login("officer")
    response = _inspect(client, area, "https://www.facebook.com/groups/lewes-example-residents")
    assert response.status_code == 200
    assert "Catalogue by hand" in response.get_data(as_text=True)
    assert db_session.scalars(select(Candidate)).one().platform == "Facebook"


@pytest.fixture
def catalogued(lewes_area, sample_web, db_session):
    """A community catalogued with the sample web forum's main feed."""
    community = Community(area_id=lewes_area.id, name="Lewes Town Forum", platform="forum",
                          url=sample_web.url_for("lewes-town-forum"))
    truth = sample_web.ground_truth[sample_web.urls["lewes-town-forum"]]
    community.feeds = [Feed(url=truth.main_feed, kind="rss", is_primary=True)]
    db_session.add(community)
    db_session.commit()
    return community


@pytest.mark.usefixtures("crawl_config")
def test_poll_records_activity_then_gets_304_and_respects_the_interval(runner, catalogued, db_session):
    result = runner.invoke(args=["crawl", "poll"])
    assert result.exit_code == 0, result.output
    assert "Polled 1 feed(s): 1 changed" in result.output, result.output
    feed = db_session.scalars(select(Feed)).one()
    assert feed.etag
    assert feed.items
    assert feed.last_polled_at
    assert feed.next_poll_at > utcnow()
    sample = db_session.scalars(select(ActivitySample)).one()
    assert sample.items_total == feed.items
    assert sample.feed_id == feed.id
    db_session.refresh(catalogued)
    assert catalogued.items_per_week == feed.items_per_week
    assert catalogued.last_item_at == feed.last_item_at

    not_due = runner.invoke(args=["crawl", "poll"])
    assert "Polled 0 feed(s)" in not_due.output, "the minimum re-poll interval applies"

    feed.next_poll_at = utcnow() - timedelta(seconds=1)
    db_session.commit()
    again = runner.invoke(args=["crawl", "poll"])
    assert "1 not modified" in again.output, again.output
    assert db_session.scalar(select(func.count(ActivitySample.id))) == 1


def test_poll_without_allowed_private_range_records_the_error(runner, catalogued, db_session):
    result = runner.invoke(args=["crawl", "poll", "--area", catalogued.area.slug])
    assert "1 failed" in result.output, result.output
    feed = db_session.scalars(select(Feed)).one()
    assert feed.last_error
    assert feed.next_poll_at
    assert db_session.scalar(select(func.count(ActivitySample.id))) == 0


def test_sample_web_wiring_prefills_seeds_and_allows_only_its_range(app_config, users):
    from portal import create_app
    from portal.discovery.sample_web import EXTENSION_KEY
    from tests.conftest import PASSWORD, ROLE_EMAILS

    app_config["SAMPLE_WEB"] = True
    demo = create_app(app_config)
    web = demo.extensions[EXTENSION_KEY]
    assert demo.config["CRAWL_ALLOW_PRIVATE"] == [web.allow_private]
    assert create_app(app_config).extensions[EXTENSION_KEY] is web, "one sample web per process"
    client = demo.test_client()
    with demo.app_context():
        client.post("/login", data={"email": ROLE_EMAILS["officer"], "password": PASSWORD})
        page = client.get("/discovery").get_data(as_text=True)
        from portal.extensions import db

        db.session.remove()
        db.engine.dispose()
    assert all(seed in page for seed in web.seeds)


@pytest.mark.usefixtures("crawl_config")
def test_inspecting_a_site_crawled_recently_shows_what_was_seen_without_fetching(client, auth, lewes_area,
                                                                                 sample_web, db_session):
    auth.login("officer")
    url = sample_web.url_for("seaford-forum") if "seaford-forum" in sample_web.urls else sample_web.seeds[0]
    assert _inspect(client, lewes_area, url).status_code == 200
    served = len(sample_web.requests)
    again = _inspect(client, lewes_area, url)
    assert again.status_code == 200
    assert len(sample_web.requests) == served
    assert db_session.scalar(select(func.count(Candidate.id))) == 1
