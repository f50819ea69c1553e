"""The review queue's identity of a site (issue 23.5): seeds are sources, and a site stays itself
when the demo's sample web comes back on new ports."""
# ruff: noqa: F811  (fixtures imported from tests.discovery_support are parameters by name)
from __future__ import annotations

import pytest
from sqlalchemy import func, select

import sampleweb
from portal.discovery import sample_web as demo_web
from portal.discovery.candidates import site_key, source_keys, upsert_candidate
from portal.discovery.review import accept, dismiss
from portal.models import Candidate, Community, Feed
from portal.urlkeys import url_key
from tests.discovery_support import TEST_MAX_PAGES, crawl_config, lewes_area, sample_web, site_record  # noqa: F401


def test_a_crawl_keeps_its_seed_sites_out_of_the_queue(crawl_config, client, auth, lewes_area, sample_web,
                                                        db_session):
    auth.login("officer")
    client.post("/discovery/runs", data={"area": lewes_area.id, "seeds": "\n".join(sample_web.seeds),
                                         "max_pages": TEST_MAX_PAGES, "max_depth": 2})
    keys = set(db_session.scalars(select(Candidate.site_key)))
    assert len(keys) > 5
    assert not keys & source_keys(sample_web.seeds), "the council directory and the local paper are sources"
    queue = client.get("/discovery/review").get_data(as_text=True)
    for seed in sample_web.seeds:
        assert f'href="{seed.rstrip("/")}"' not in queue


def test_source_keys_are_the_seeds_sites():
    assert source_keys(["https://www.Council.example/community/directory?page=2", "not a url",
                        "http://127.0.0.1:18700/"]) == {"council.example", "127.0.0.1:18700"}


@pytest.fixture
def two_runs_of_the_demo(app):
    """The sample web as `make run` serves it, then again on other ports (as after a restart)."""
    first, second = sampleweb.serve(), sampleweb.serve()
    assert first.first_port != second.first_port
    yield first, second
    first.stop()
    second.stop()
    app.extensions.pop(demo_web.EXTENSION_KEY, None)


def test_a_site_keeps_its_identity_and_decision_when_the_demo_web_moves_ports(app, area, users, db_session,
                                                                               two_runs_of_the_demo):
    first, second = two_runs_of_the_demo
    names = ("lewes-town-forum", "seaford-wildlife", "bonfire-forum")

    def crawl(web):
        demo_web.wire(app, web)
        return [upsert_candidate(area.id, site_record(web.urls[name], name)) for name in names]

    forum, wildlife, _bonfire = crawl(first)
    community, _created = accept(forum, users["officer"])
    dismiss(wildlife, "not_local", users["officer"])
    db_session.commit()
    old_feed = db_session.scalars(select(Feed).where(Feed.community_id == community.id)).one().url

    again = crawl(second)  # the re-crawl after the restart
    db_session.commit()
    assert db_session.scalar(select(func.count(Candidate.id))) == 3, "no site came back as a new candidate"
    assert [c.id for c in again] == [forum.id, wildlife.id, _bonfire.id]
    assert [c.status for c in again] == ["accepted", "dismissed", "new"]
    assert again[0].site == second.urls["lewes-town-forum"]  # the queue links to where the site is now
    db_session.refresh(community)
    assert community.url == second.urls["lewes-town-forum"]
    new_feed = db_session.scalars(select(Feed).where(Feed.community_id == community.id)).one().url
    assert new_feed == old_feed.replace(first.urls["lewes-town-forum"], second.urls["lewes-town-forum"])
    assert site_key(second.urls["lewes-town-forum"]) == "lewes-town-forum.sample-web.invalid"
    assert community.url_key == url_key(second.urls["lewes-town-forum"])


def test_the_crawl_range_follows_the_demo_web(app, two_runs_of_the_demo):
    first, second = two_runs_of_the_demo
    app.config["CRAWL_ALLOW_PRIVATE"] = ["10.0.0.5:8080"]
    demo_web.wire(app, first)
    demo_web.wire(app, second)
    assert app.config["CRAWL_ALLOW_PRIVATE"] == ["10.0.0.5:8080", second.allow_private]


def test_other_loopback_sites_keep_their_port_in_their_identity(app):
    with app.app_context():
        assert url_key("http://127.0.0.1:9/x") == "127.0.0.1:9/x"
        assert url_key("https://www.example.org:8443/Groups/") == "example.org:8443/groups"


def test_a_site_moved_to_https_is_followed_but_another_site_is_not(area, users, db_session):
    from portal.discovery.candidates import follow_address

    candidate = upsert_candidate(area.id, site_record("http://ringmer.example", "Ringmer"))
    community, _ = accept(candidate, users["officer"])
    follow_address(community, "https://evil.example")
    assert community.url == "http://ringmer.example"
    upsert_candidate(area.id, site_record("https://ringmer.example", "Ringmer"))
    assert community.url == "https://ringmer.example"
    assert db_session.get(Community, community.id).feeds[0].url == "https://ringmer.example/feed0"


def test_a_seed_sites_parts_are_candidates_and_old_seed_candidates_leave_the_queue(app, area, users, db_session,
                                                                                     monkeypatch):
    """A council portal given as a seed: its village pages are candidates; the portal itself is not."""
    from crawlers.records import SectionRecord
    from portal.discovery import jobs as discovery_jobs
    from portal.discovery.runs import start_run

    council, paper = "https://council.example", "https://paper.example"
    stale_id = upsert_candidate(area.id, site_record(council, "Council directory", score=0.95)).id  # stored before
    kept = upsert_candidate(area.id, site_record(paper, "Local paper", score=0.9))
    accept(kept, users["officer"])
    db_session.commit()

    async def fake_discover(seeds, settings, profile, progress=None, should_cancel=None):
        portal_record = site_record(council, "Council directory", score=0.95)
        portal_record.sections = [SectionRecord(f"{council}/villages/{name}/", f"{name.title()} village page", "place")
                                  for name in ("ringmer", "barcombe")]
        for record in (portal_record, site_record(paper, "Local paper"), site_record("https://forum.example", "Forum")):
            yield record

    monkeypatch.setattr(discovery_jobs, "discover", fake_discover)
    start_run(area, [f"{council}/directory", f"{paper}/"], users["officer"])
    db_session.expire_all()
    rows = {c.site: c for c in db_session.scalars(select(Candidate))}
    assert council not in rows
    assert db_session.get(Candidate, stale_id) is None
    assert rows[paper].status == "accepted"  # a decision already made is kept
    village = rows[f"{council}/villages/ringmer/"]
    assert (village.parent_id, village.status, village.title) == (None, "new", "Ringmer village page")
    assert set(rows) == {paper, "https://forum.example", f"{council}/villages/ringmer/",
                         f"{council}/villages/barcombe/"}
