"""Sub-communities (issue 20.2): a site's boards and categories, reviewed under it and catalogued under it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crawlers.locality import Evidence, LocalityScore
from crawlers.records import FeedRecord, SectionRecord
from portal.discovery.candidates import MAX_SECTIONS, upsert_candidate
from portal.models import AuditEvent, Candidate, Community
from tests.discovery_support import site_record

FORUM = "https://lewes-forum.example"


def feed(url: str, role: str, per_week: float = 3.0) -> FeedRecord:
    return FeedRecord(url=url, kind="rss", title="", items=12, last_item_at="2026-11-30T09:00:00+00:00",
                      items_per_week=per_week, role=role)


def board(slug: str, title: str, score: float, per_week: float, kind: str = "board") -> SectionRecord:
    return SectionRecord(url=f"{FORUM}/{slug}/", title=title, kind=kind,
                         feeds=[feed(f"{FORUM}/{slug}/feed", "section", per_week),
                                feed(f"{FORUM}/{slug}/t1/feed", "topic")],
                         locality=LocalityScore(score, [Evidence("place_title", title.split()[0], "title", 0.4)]))


def forum_record():
    record = site_record(FORUM, "Lewes forum", score=0.9, feeds=2)  # a main feed and a comments feed
    record.sections = [board("ringmer", "Ringmer board", 0.8, 4.5), board("seaford", "Seaford board", 0.6, 1.5),
                       board("news", "Newhaven news", 0.55, 0.5, kind="category")]
    record.feeds_left_out = {"topic": 40, "comments": 3}
    return record


@pytest.fixture
def forum(area, db_session):
    site = upsert_candidate(area.id, forum_record())
    db_session.commit()
    return site


def parts(db_session, site) -> dict[str, Candidate]:
    return {c.title: c for c in db_session.scalars(select(Candidate).where(Candidate.parent_id == site.id))}


def test_parts_are_stored_under_their_site_with_their_own_evidence(forum, db_session):
    found = parts(db_session, forum)
    assert set(found) == {"Ringmer board", "Seaford board", "Newhaven news"}
    ringmer = found["Ringmer board"]
    assert (ringmer.section_kind, ringmer.items_per_week, ringmer.locality_score) == ("board", 4.5, 0.8)
    assert ringmer.locality_evidence[0]["matched"] == "Ringmer"
    assert [f["role"] for f in ringmer.feeds] == ["section"]  # its per-topic feed is not kept
    assert ringmer.platform == forum.platform
    assert ringmer.found_via == FORUM
    assert found["Newhaven news"].section_kind == "category"
    # Comment and topic feeds: the crawler's counts plus the comments feed it listed; none kept as feeds.
    assert forum.feeds_left_out == {"topic": 40, "comments": 4}
    assert [f["role"] for f in forum.feeds] == ["main"]


def test_a_recrawl_updates_parts_instead_of_duplicating_them(area, forum, db_session):
    record = forum_record()
    record.sections[0].title = "Ringmer village board"
    upsert_candidate(area.id, record)
    db_session.commit()
    assert db_session.scalar(select(func.count(Candidate.id))) == 4
    assert "Ringmer village board" in parts(db_session, forum)


def test_parts_are_bounded_and_the_site_itself_is_not_its_own_part(area, db_session):
    record = site_record("https://big.example", "Big forum")
    record.sections = [SectionRecord(url="https://big.example/"),
                       *(SectionRecord(url=f"https://big.example/b{i}/", title="x" * 900) for i in range(150))]
    site = upsert_candidate(area.id, record)
    db_session.commit()
    stored = db_session.scalars(select(Candidate).where(Candidate.parent_id == site.id)).all()
    assert len(stored) == MAX_SECTIONS
    assert all(len(part.title) == 500 for part in stored)


def test_the_queue_shows_parts_under_their_site_with_counts_of_feeds_left_out(client, auth, forum):
    auth.login("officer")
    text = client.get("/discovery/review").get_data(as_text=True)
    assert text.count('data-testid="candidate"') == 1  # the parts are not queue items of their own
    assert text.count('data-testid="part"') == 3
    assert "To review (1)" in text
    site_block = text[text.index('data-testid="candidate"'):]
    assert site_block.index("Lewes forum") < site_block.index("Ringmer board") < site_block.index("Seaford board")
    assert "4.5 posts a week" in text
    assert "80% local" in text
    assert "Kept out of the queue: 4 comment feeds, 40 topic feeds" in text
    assert "Accept site and all 3 parts" in text


def accept(client, site, **data):
    return client.post(f"/discovery/candidates/{site.id}/accept", data=data)


def test_accept_a_site_with_two_of_its_boards(client, auth, forum, db_session):
    auth.login("officer")
    found = parts(db_session, forum)
    response = accept(client, forum, part=[str(found["Ringmer board"].id), str(found["Seaford board"].id)])
    assert response.status_code == 303
    db_session.expire_all()
    site = db_session.get(Community, forum.community_id)
    assert {p.name for p in site.parts()} == {"Ringmer board", "Seaford board"}
    ringmer = db_session.get(Community, found["Ringmer board"].community_id)
    assert ringmer.parent_community().id == site.id
    assert (ringmer.items_per_week, ringmer.locality_score) == (4.5, 0.8)
    assert found["Newhaven news"].status == "new"
    # The site stays in "to review" for its remaining part, and is listed as accepted too.
    page = client.get("/discovery/review").get_data(as_text=True)
    assert "To review (1)" in page
    assert "Accepted (1)" in page
    assert "Accept ticked parts" in page
    # Later, the part left: added under the site already catalogued, which is not accepted twice.
    accept(client, forum, part=[str(found["Newhaven news"].id)])
    page = client.get("/discovery/review?status=accepted").get_data(as_text=True)
    assert "Added 1 part of Lewes forum to the catalogue." in page
    assert len(site.parts()) == 3
    assert db_session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "accept")) == 4


def test_accept_all_parts_at_once(client, auth, forum, db_session):
    auth.login("officer")
    accept(client, forum, parts="all")
    db_session.expire_all()
    assert len(db_session.get(Community, forum.community_id).parts()) == 3
    assert "To review (0)" in client.get("/discovery/review").get_data(as_text=True)


def test_parts_of_another_site_in_the_form_are_not_accepted_with_this_one(client, auth, area, forum, db_session):
    other = upsert_candidate(area.id, site_record("https://other.example", "Other"))
    db_session.commit()
    auth.login("officer")
    ringmer = parts(db_session, forum)["Ringmer board"]
    accept(client, other, part=[str(ringmer.id)])
    db_session.expire_all()
    assert db_session.get(Candidate, ringmer.id).status == "new"


def test_accepting_a_part_alone_catalogues_its_site_first(client, auth, forum, db_session):
    auth.login("officer")
    seaford = parts(db_session, forum)["Seaford board"]
    client.post(f"/discovery/candidates/{seaford.id}/accept")
    db_session.expire_all()
    assert db_session.get(Candidate, forum.id).status == "accepted"
    part = db_session.get(Community, db_session.get(Candidate, seaford.id).community_id)
    assert part.parent_id == db_session.get(Candidate, forum.id).community_id


def test_dismissing_a_site_dismisses_its_parts_to_review(client, auth, forum, db_session):
    auth.login("officer")
    client.post(f"/discovery/candidates/{forum.id}/dismiss", data={f"reason-{forum.id}": "not_local"})
    db_session.expire_all()
    assert {p.status for p in parts(db_session, forum).values()} == {"dismissed"}
    assert "To review (0)" in client.get("/discovery/review").get_data(as_text=True)
    part = parts(db_session, forum)["Ringmer board"]
    client.post(f"/discovery/candidates/{part.id}/restore")
    client.post(f"/discovery/candidates/{part.id}/accept")
    db_session.expire_all()
    assert db_session.get(Candidate, part.id).status == "new"  # its site must be restored first


def test_catalogue_pages_link_a_site_and_its_parts(client, auth, forum, db_session):
    auth.login("officer")
    accept(client, forum, parts="all")
    db_session.expire_all()
    site_page = client.get(f"/communities/{forum.community_id}").get_data(as_text=True)
    listed = re.findall(r'<a class="govuk-link" href="/communities/(\d+)">([^<]+)</a>',
                        site_page[site_page.index('data-testid="parts"'):])
    assert [name for _id, name in listed] == ["Newhaven news", "Ringmer board", "Seaford board"]
    part_page = client.get(f"/communities/{listed[1][0]}").get_data(as_text=True)
    assert f'Part of <a class="govuk-link" href="/communities/{forum.community_id}">Lewes forum</a>' in part_page


def test_merging_a_site_moves_its_parts_to_the_winner(client, auth, area, forum, db_session, users):
    from portal.communities.services import merge_communities

    auth.login("officer")
    accept(client, forum, parts="all")
    db_session.expire_all()
    site = db_session.get(Community, forum.community_id)
    winner = Community(area_id=area.id, name="Lewes forum (by hand)", platform="forum", status="active")
    db_session.add(winner)
    db_session.flush()
    merge_communities(winner, site)
    db_session.commit()
    assert len(winner.parts()) == 3
    assert site.parts() == []


def test_bulk_accept_of_a_part_and_its_site_counts_each_once(client, auth, forum, db_session):
    auth.login("officer")
    ringmer = parts(db_session, forum)["Ringmer board"]
    client.post("/discovery/review/bulk", data={"action": "accept", "candidate": [str(forum.id)],
                                                 "part": [str(ringmer.id)]})
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Community.id))) == 2
    assert db_session.get(Candidate, ringmer.id).status == "accepted"
