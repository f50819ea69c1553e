"""The review queue: ranking, hostile text, accept, dismiss, bulk, recognising catalogued sites."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.discovery.candidates import upsert_candidate
from portal.models import AuditEvent, Candidate, Community, Feed, StageChange
from portal.urlkeys import url_key
from tests.discovery_support import site_record


@pytest.fixture
def queue(area, db_session):
    """Three candidates as a crawl would store them, plus a closed-platform link."""
    rows = [
        upsert_candidate(area.id, site_record("https://far.example", "Far away forum", score=0.05)),
        upsert_candidate(area.id, site_record("https://lewes-forum.example", "Lewes forum", score=0.92, feeds=2)),
        upsert_candidate(area.id, site_record("https://ringmer.example", "Ringmer news", score=0.61)),
        upsert_candidate(area.id, site_record("https://www.facebook.com/groups/lewesresidents",
                                              "Lewes Residents on Facebook", score=0.4, platform="Facebook",
                                              feeds=0)),
    ]
    db_session.commit()
    return {c.title: c for c in rows}


def test_queue_is_ranked_by_locality_with_activity_and_evidence(client, auth, queue):
    auth.login("officer")
    page = client.get("/discovery/review")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    order = [text.index(title) for title in ("Lewes forum", "Ringmer news", "Lewes Residents on Facebook",
                                              "Far away forum")]
    assert order == sorted(order)
    assert "2.5 posts a week" in text
    assert "92% local" in text
    assert "“Lewes” in title" in text
    assert "Catalogue by hand" in text
    fragment = client.get("/discovery/review", headers={"HX-Request": "true"})
    assert b"<html" not in fragment.data
    assert b'id="queue"' in fragment.data


def test_crawled_strings_are_escaped_and_unsafe_links_neutralised(client, auth, area, db_session):
    record = site_record("https://evil.example", '<script>alert("t")</script>', score=0.9)
    record.description = '<img src=x onerror="alert(1)">'
    record.locality.evidence[0] = type(record.locality.evidence[0])("place_text", "<b>Lewes</b>",
                                                                    "javascript:alert(1)", 0.25)
    candidate = upsert_candidate(area.id, record)
    candidate.site = "javascript:alert(1)"
    db_session.commit()
    auth.login("officer")
    text = client.get("/discovery/review").get_data(as_text=True)
    assert "<script>alert" not in text
    assert "&lt;script&gt;" in text
    assert "<img src=x" not in text
    assert "<b>Lewes</b>" not in text
    assert 'href="javascript:' not in text


def test_accept_creates_a_crawl_community_with_feeds_stage_and_audit(client, auth, queue, users, db_session):
    auth.login("officer")
    candidate = queue["Lewes forum"]
    response = client.post(f"/discovery/candidates/{candidate.id}/accept")
    assert response.status_code == 303
    assert "/discovery/review" in response.headers["Location"]
    db_session.refresh(candidate)
    community = db_session.get(Community, candidate.community_id)
    assert candidate.status == "accepted"
    assert candidate.reviewed_by_id == users["officer"].id
    assert community.provenance == "crawl"
    assert community.platform == "blog"
    assert community.access == "public"
    assert community.url_key == url_key("https://lewes-forum.example")
    assert community.locality_score == 0.92
    feeds = db_session.scalars(select(Feed).where(Feed.community_id == community.id)).all()
    # The second feed is a comments feed: counted on the candidate, not catalogued (issue 20.2).
    assert [(f.is_primary, f.kind) for f in feeds] == [(True, "rss")]
    assert candidate.feeds_left_out == {"comments": 1}
    assert db_session.scalar(select(StageChange).where(StageChange.community_id == community.id)).to_stage \
        == "identified"
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"accept", "create"} <= actions


def test_accept_a_closed_platform_link_catalogues_it_as_closed(client, auth, queue, db_session):
    auth.login("officer")
    candidate = queue["Lewes Residents on Facebook"]
    client.post(f"/discovery/candidates/{candidate.id}/accept", data={"then": "community"})
    community = db_session.scalars(select(Community)).one()
    assert (community.platform, community.access) == ("facebook_group", "closed")


def test_sites_already_catalogued_are_linked_not_duplicated(client, auth, area, queue, db_session):
    by_hand = Community(area_id=area.id, name="Ringmer (by hand)", url="https://www.ringmer.example/",
                        url_key=url_key("https://www.ringmer.example/"), platform="website")
    db_session.add(by_hand)
    db_session.commit()
    # The next crawl recognises it...
    again = upsert_candidate(area.id, site_record("https://ringmer.example", "Ringmer news", score=0.65))
    db_session.commit()
    assert again.id == queue["Ringmer news"].id
    assert again.community_id == by_hand.id
    assert again.status == "accepted"
    assert again.locality_score == 0.65
    # ...and accepting a site a previous run already catalogued links to the same community.
    auth.login("officer")
    first = queue["Lewes forum"]
    client.post(f"/discovery/candidates/{first.id}/accept")
    db_session.delete(db_session.get(Candidate, first.id))
    db_session.commit()
    newcomer = upsert_candidate(area.id, site_record("https://lewes-forum.example/", "Lewes forum", score=0.9))
    db_session.commit()
    assert newcomer.status == "accepted"
    assert db_session.scalar(select(func.count(Community.id))) == 2


def test_dismiss_needs_one_of_the_reasons(client, auth, queue, db_session):
    auth.login("officer")
    candidate = queue["Far away forum"]
    response = client.post(f"/discovery/candidates/{candidate.id}/dismiss", data={"reason": "boring"},
                           follow_redirects=True)
    assert "Choose why this site is dismissed" in response.get_data(as_text=True)
    db_session.refresh(candidate)
    assert candidate.status == "new"
    client.post(f"/discovery/candidates/{candidate.id}/dismiss", data={f"reason-{candidate.id}": "not_local"})
    db_session.refresh(candidate)
    assert (candidate.status, candidate.dismiss_reason) == ("dismissed", "not_local")
    assert "Far away forum" in client.get("/discovery/review?status=dismissed").get_data(as_text=True)
    # A re-run refreshes its facts but keeps the decision.
    upsert_candidate(candidate.area_id, site_record("https://far.example", "Far away forum v2", score=0.1))
    db_session.commit()
    db_session.refresh(candidate)
    assert candidate.status == "dismissed"
    assert candidate.title == "Far away forum v2"
    client.post(f"/discovery/candidates/{candidate.id}/restore")
    db_session.refresh(candidate)
    assert candidate.status == "new"
    assert candidate.dismiss_reason is None


def test_bulk_accept_and_dismiss(client, auth, queue, db_session):
    auth.login("officer")
    ids = [queue["Lewes forum"].id, queue["Ringmer news"].id]
    client.post("/discovery/review/bulk", data={"candidate": ids, "action": "accept"})
    assert db_session.scalar(select(func.count(Community.id))) == 2
    missing_reason = client.post("/discovery/review/bulk", follow_redirects=True,
                                 data={"candidate": [queue["Far away forum"].id], "action": "dismiss"})
    assert "Choose why the selected sites are dismissed" in missing_reason.get_data(as_text=True)
    client.post("/discovery/review/bulk", data={"candidate": [queue["Far away forum"].id],
                                                "action": "dismiss", "reason": "commercial"})
    db_session.expire_all()
    assert db_session.get(Candidate, queue["Far away forum"].id).dismiss_reason == "commercial"
    nothing = client.post("/discovery/review/bulk", data={"action": "accept"}, follow_redirects=True)
    assert "Select at least one site" in nothing.get_data(as_text=True)


def test_officers_only_review_their_own_areas(client, auth, queue, db_session):
    from portal.areas import import_area

    other, _ = import_area({"name": "Elsewhere", "places": ["Nowhere"]}, slug="elsewhere")
    db_session.flush()
    foreign = upsert_candidate(other.id, site_record("https://elsewhere.example", "Elsewhere blog", score=0.9))
    db_session.commit()
    auth.login("officer")
    assert "Elsewhere blog" not in client.get("/discovery/review").get_data(as_text=True)
    assert client.get(f"/discovery/review?area={other.id}").status_code == 403
    assert client.post(f"/discovery/candidates/{foreign.id}/accept").status_code == 403
    assert client.post(f"/discovery/candidates/{foreign.id}/dismiss", data={"reason": "duplicate"}).status_code \
        == 403
    client.post("/discovery/review/bulk", data={"candidate": [foreign.id], "action": "accept"})
    db_session.refresh(foreign)
    assert foreign.status == "new"
    auth.logout()
    auth.login("admin")
    assert "Elsewhere blog" in client.get("/discovery/review").get_data(as_text=True)
