"""The timeline is one merged keyset query: complete, ordered, and a fixed number of queries per page."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, insert

from portal.communities.timeline import Cursor, timeline_page
from portal.extensions import db
from portal.models import (
    ActivitySample, Assessment, CommunityTag, Meeting, OutreachContact, StageChange, meeting_promotions, utcnow,
)
from tests.portal.outreach_factories import make_community

EVENTS = {"contact": 2000, "stage": 1000, "assessment": 500, "activity": 1400, "meeting": 100}


def _fill(community, officer, area, counts=EVENTS) -> int:
    """Bulk-insert events (5,000 by default); every tenth shares its timestamp with the one before (ties)."""
    now = utcnow()

    def when(n):
        return now - timedelta(minutes=(n - n % 10 // 9))

    rows = {
        OutreachContact: [dict(community_id=community.id, officer_id=officer.id, occurred_at=when(n),
                               channel="comment", purpose="inform", outcome="pending", direction="outbound",
                               review_status="none", created_at=now, updated_at=now)
                          for n in range(counts["contact"])],
        StageChange: [dict(community_id=community.id, to_stage="approached", changed_at=when(n), changed_by_id=officer.id)
                      for n in range(counts["stage"])],
        Assessment: [dict(community_id=community.id, trust=3, reciprocity=2, reach=4, assessed_at=when(n),
                          assessed_by_id=officer.id) for n in range(counts["assessment"])],
        ActivitySample: [dict(community_id=community.id, sampled_at=when(n), items_per_week=n % 7)
                         for n in range(counts["activity"])],
        Meeting: [dict(area_id=area.id, title=f"Meeting {community.id}-{n}", held_at=when(n), created_at=now,
                       updated_at=now) for n in range(counts["meeting"])],
    }
    for model, values in rows.items():
        db.session.execute(insert(model), values)
    meeting_ids = db.session.scalars(db.select(Meeting.id).where(Meeting.title.like(f"Meeting {community.id}-%"))).all()
    db.session.execute(insert(meeting_promotions), [{"meeting_id": m, "community_id": community.id}
                                                    for m in meeting_ids])
    db.session.commit()
    return sum(counts.values())


@contextmanager
def count_queries():
    statements: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


@pytest.fixture
def busy(app, users, area):
    community = make_community(area, "Busy Forum", tags=["town"])
    quiet = make_community(area, "Quiet Forum", tags=["town"])
    total = _fill(community, users["officer"], area)
    _fill(quiet, users["officer"], area, {kind: 2 for kind in EVENTS})
    return community, quiet, total


def test_paging_through_the_timeline_returns_every_event_once_newest_first(busy):
    community, _, total = busy
    seen, cursor, pages = [], None, 0
    while True:
        page = timeline_page(community.id, Cursor.decode(cursor), per_page=700)
        seen += [(e.kind, e.record.id, e.at) for e in page.events]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == total == 5000
    assert len(set((k, i) for k, i, _ in seen)) == total
    assert pages == 8
    keys = [(at, kind, ident) for kind, ident, at in seen]
    assert keys == sorted(keys, reverse=True)


def test_community_page_with_5000_events_uses_as_many_queries_as_one_with_ten(client, auth, busy):
    community, quiet, _ = busy
    auth.login("officer")
    client.get(f"/communities/{quiet.id}")  # warm up (first-request work is not per-page work)
    with count_queries() as small:
        assert client.get(f"/communities/{quiet.id}").status_code == 200
    with count_queries() as large:
        page = client.get(f"/communities/{community.id}")
    assert page.status_code == 200
    html = page.data.decode()
    assert html.count("lr-timeline__item ") == 25
    assert 'data-testid="older-events"' in html
    assert len(large) == len(small), "\n".join(s[:150] for s in large)
    assert len(large) <= 25, large
    with count_queries() as fragment:
        older = client.get(f"/communities/{community.id}?before=" + html.split("before=")[1].split('"')[0]
                           .replace("&amp;", "&").split("#")[0], headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert older.status_code == 200
    assert "<html" not in older.data.decode()
    assert older.data.decode().count("lr-timeline__item ") == 25
    assert len(fragment) <= len(large)


def test_a_community_page_asks_for_parts_assessments_and_feeds_only_when_it_has_some(client, auth, users, area):
    """The community's statement says whether it has parts, assessments and feeds (EXISTS): a page
    without them sends no statement for them, and one with them shows them."""
    from portal.models import Community, Feed

    bare = make_community(area, "Bare Forum")
    full = make_community(area, "Full Forum")
    db.session.add(Community(area_id=area.id, name="Full Forum: Lost and Found", platform="forum",
                             parent_id=full.id, status="active", stage="identified"))
    db.session.add(Feed(community_id=full.id, url="https://full.example/feed.xml", kind="rss", title="Full feed"))
    db.session.add(Assessment(community_id=full.id, trust=3, reciprocity=2, reach=4, assessed_at=utcnow(),
                              assessed_by_id=users["officer"].id))
    db.session.commit()
    auth.login("officer")
    client.get(f"/communities/{bare.id}")  # warm up
    with count_queries() as statements:
        page = client.get(f"/communities/{bare.id}").data.decode()
    asked = [" ".join(s.split()) for s in statements]
    assert not [s for s in asked if s.startswith("SELECT feeds.")], asked
    assert not [s for s in asked if "assessments.trust" in s], asked
    assert not [s for s in asked if s.startswith("SELECT communities.id, communities.name, communities.items_per_week")]
    assert 'data-testid="parts"' not in page
    assert 'data-testid="feeds"' not in page
    page = client.get(f"/communities/{full.id}").data.decode()
    assert 'data-testid="parts"' in page
    assert "Lost and Found" in page
    assert 'data-testid="feeds"' in page
    assert "Full feed" in page
    assert 'data-testid="assessment-trend"' in page


def test_list_query_count_does_not_grow_with_rows(client, auth, users, area, busy):
    auth.login("officer")
    client.get("/communities")
    with count_queries() as few:
        client.get("/communities")
    for n in range(40):
        c = make_community(area, f"Extra {n:02d}", owner=users["officer"])
        db.session.add(CommunityTag(community_id=c.id, tag="extra"))
    db.session.commit()
    with count_queries() as many:
        page = client.get("/communities")
    assert page.data.decode().count('data-testid="community-row"') == 25
    assert len(many) == len(few), many
    assert len(many) <= 15, many
