"""The catalogue: filters, sorting, counts, add/edit with duplicate detection, archive and merge."""
from __future__ import annotations

from sqlalchemy import select

from portal.models import (
    ActivitySample, AuditEvent, Assessment, Candidate, Community, Feed, Meeting, OutreachContact, StageChange,
    SupportFlag, Task, utcnow,
)
from tests.portal.outreach_factories import make_community, make_contact, make_stage


def _names(html: str) -> list[str]:
    return [part.split("</a>")[0].split(">")[-1] for part in html.split('data-testid="community-row"')[1:]]


def test_filters_combine_and_count_by_stage(client, auth, users, area, db_session):
    make_community(area, "Alpha Forum", platform="forum", stage="approached", tags=["town"])
    make_community(area, "Beta Group", platform="facebook_group", stage="approached", access="closed")
    make_community(area, "Gamma Blog", platform="blog", stage="partner", tags=["town"], items_per_week=3.0)
    auth.login("officer")
    page = client.get("/communities?tag=town").data.decode()
    assert _names(page) == ["Alpha Forum", "Gamma Blog"]
    counts = page.split('data-testid="stage-counts"')[1].split("</ul>")[0]
    assert "Approached</span> 1" in counts
    assert "Partner</span> 1" in counts
    assert _names(client.get("/communities?access=closed").data.decode()) == ["Beta Group"]
    assert _names(client.get("/communities?platform=blog&activity=active").data.decode()) == ["Gamma Blog"]
    assert _names(client.get("/communities?stage=approached&sort=newest").data.decode()) == ["Beta Group",
                                                                                           "Alpha Forum"]
    assert "2 communities" in client.get("/communities?stage=approached").data.decode()


def test_no_contact_for_n_days_and_sorting_by_contact(client, auth, users, area, db_session):
    recent, old = make_community(area, "Recent"), make_community(area, "Old")
    never = make_community(area, "Never")
    make_contact(recent, users["officer"], days_ago=2)
    make_contact(old, users["officer"], days_ago=90)
    auth.login("officer")
    assert _names(client.get("/communities?quiet_days=30").data.decode()) == ["Never", "Old"]
    assert _names(client.get("/communities?sort=last_contact").data.decode()) == ["Recent", "Old", "Never"]
    assert never.last_contact_at is None  # "Never" is in the quiet list because it was never contacted


def test_list_fragment_keeps_filters_in_pagination_links(client, auth, users, area, db_session):
    for n in range(30):
        make_community(area, f"Group {n:02d}", tags=["town"])
    auth.login("officer")
    fragment = client.get("/communities?tag=town&sort=newest", headers={"HX-Request": "true"}).data.decode()
    assert "<html" not in fragment
    assert 'id="results"' in fragment
    assert "page=2" in fragment
    assert "tag=town" in fragment
    assert "sort=newest" in fragment
    full = client.get("/communities?tag=town&page=2").data.decode()
    assert "<html" in full
    assert len(_names(full)) == 5
    assert 'hx-push-url="true"' in full


def _row_ids(html: str) -> list[int]:
    rows = html.split('data-testid="community-row"')[1:]
    return [int(row.split('href="')[1].split('"')[0].rsplit("/", 1)[1]) for row in rows]


def test_every_sort_pages_through_the_whole_list_once_in_order(client, auth, users, area, db_session):
    """A page's ids are picked first and its rows read after (catalogue_page): the pages of each
    sort, put together, are every match once, in the sort's order, ties broken by id."""
    from datetime import timedelta

    now = utcnow()
    made = []
    for n in range(31):
        community = make_community(area, f"Group {n % 7}", tags=["town"] if n % 3 else [],
                                   items_per_week=None if n % 4 == 0 else float(n % 5),
                                   stage_changed_at=None if n % 6 == 0 else now - timedelta(days=n % 9),
                                   created_at=now - timedelta(hours=n % 10))
        if n % 5:
            make_contact(community, users["officer"], days_ago=n % 8)
        made.append(community)
    made = [db_session.get(Community, c.id) for c in made]
    late = now + timedelta(days=1)  # stands in for "never", so that it sorts last
    expected = {
        "name": sorted(made, key=lambda c: (c.name, c.id)),
        "last_contact": sorted(made, key=lambda c: (c.last_contact_at is None, -(c.last_contact_at or late).timestamp(), c.id)),
        "oldest_contact": sorted(made, key=lambda c: (c.last_contact_at is not None, c.last_contact_at or now, c.id)),
        "stage": sorted(made, key=lambda c: (c.stage_changed_at is None, -(c.stage_changed_at or late).timestamp(), c.id)),
        "activity": sorted(made, key=lambda c: (c.items_per_week is None, -(c.items_per_week or 0), c.id)),
        "newest": sorted(made, key=lambda c: (c.created_at, c.id), reverse=True),
    }
    auth.login("officer")
    for sort, order in expected.items():
        pages = [client.get(f"/communities?sort={sort}&page={page}").data.decode() for page in (1, 2)]
        assert [_row_ids(page) for page in pages] == [[c.id for c in order[:25]], [c.id for c in order[25:]]], sort
    tagged = [c.id for c in expected["name"] if c.tags]
    assert _row_ids(client.get("/communities?tag=town&q=group").data.decode()) == tagged


def test_add_by_hand_and_duplicate_detection(client, auth, users, area, db_session):
    existing = make_community(area, "Newhaven Notices", "https://www.facebook.com/groups/newhaven")
    auth.login("officer")
    form = {"name": "Newhaven (again)", "url": "facebook.com/groups/newhaven/", "platform": "facebook_group",
            "area_id": str(area.id), "access": "closed", "police_welcome": "unknown", "tags": "Town, families"}
    response = client.post("/communities/new", data=form)
    assert response.status_code == 422
    page = response.data.decode()
    assert "already catalogued" in page
    assert f"/communities/{existing.id}" in page
    assert 'value="Newhaven (again)"' in page  # nothing typed is lost
    form["url"] = "https://www.facebook.com/groups/seaford-parents"
    form["name"] = "Seaford Parents"
    assert client.post("/communities/new", data=form).status_code == 303
    created = db_session.scalar(select(Community).where(Community.name == "Seaford Parents"))
    assert created.url_key == "facebook.com/groups/seaford-parents"
    assert created.tag_names == ["families", "town"]
    assert created.owner_id == users["officer"].id
    assert created.stage == "identified"
    assert db_session.scalar(select(StageChange).where(StageChange.community_id == created.id)).to_stage == "identified"
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "create",
                                                      AuditEvent.object_type == "Community"))


def test_same_site_needs_confirmation(client, auth, users, area, db_session):
    make_community(area, "Residents site", "https://residents.example/")
    auth.login("officer")
    form = {"name": "Residents forum", "url": "https://residents.example/forum", "platform": "forum",
            "area_id": str(area.id), "access": "public", "police_welcome": "yes"}
    response = client.post("/communities/new", data=form)
    assert response.status_code == 422
    assert b"tick the box" in response.data
    assert client.post("/communities/new", data=form | {"not_duplicate": "y"}).status_code == 303


def test_edit_records_changes(client, auth, users, area, db_session):
    community = make_community(area, "Old Name", tags=["a"])
    auth.login("officer")
    page = client.get(f"/communities/{community.id}/edit").data.decode()
    assert 'value="Old Name"' in page
    response = client.post(f"/communities/{community.id}/edit", data={
        "name": "New Name", "platform": "forum", "area_id": str(area.id), "access": "invite",
        "police_welcome": "no", "gatekeeper_role": "group admin", "house_rules": "No selling", "tags": "a, b",
        "audience_size": "250", "stay_in_touch_days": "21"})
    assert response.status_code == 303
    db_session.refresh(community)
    assert (community.name, community.access, community.audience_size) == ("New Name", "invite", 250)
    page = client.get(f"/communities/{community.id}").data.decode()
    for text in ("group admin", "No selling", "250", "Invite", "every 21 days"):
        assert text in page


def test_archive_hides_from_the_list_and_can_be_restored(client, auth, users, area, db_session):
    community = make_community(area, "To Archive")
    auth.login("officer")
    assert client.post(f"/communities/{community.id}/archive", data={"reason": "Group closed"}).status_code == 303
    db_session.refresh(community)
    assert community.status == "archived"
    assert community.archived_at is not None
    assert "To Archive" not in _names(client.get("/communities").data.decode())
    assert "To Archive" in _names(client.get("/communities?status=archived").data.decode())
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "archive")).justification == "Group closed"
    client.post(f"/communities/{community.id}/archive", data={})
    db_session.refresh(community)
    assert community.status == "active"


def test_merge_keeps_both_histories(client, auth, users, area, db_session):
    officer = users["officer"]
    winner = make_community(area, "Winner", "https://a.example/", tags=["town"])
    loser = make_community(area, "Loser", "https://b.example/", tags=["families", "town"], house_rules="Be kind")
    for community in (winner, loser):
        contact = make_contact(community, officer, days_ago=5 if community is winner else 2)
        make_stage(community, "approached", evidence=contact)
        db_session.add(Assessment(community_id=community.id, trust=3, reciprocity=3, reach=3))
        db_session.add(ActivitySample(community_id=community.id, sampled_at=utcnow(), items_per_week=2))
    db_session.add(Feed(community_id=loser.id, url="https://b.example/feed", kind="rss"))
    db_session.add(Task(community_id=loser.id, assignee_id=officer.id, title="Say hello"))
    db_session.add(SupportFlag(community_id=loser.id, raised_by_id=officer.id, reason="hostile_thread"))
    db_session.add(Candidate(area_id=area.id, site="https://b.example", site_key="b.example", community_id=loser.id))
    meeting = Meeting(area_id=area.id, title="Panel", held_at=utcnow())
    meeting.communities = [winner, loser]
    only_loser = Meeting(area_id=area.id, title="Surgery", held_at=utcnow())
    only_loser.communities = [loser]
    db_session.add_all([meeting, only_loser])
    db_session.commit()
    auth.login("officer")
    response = client.post(f"/communities/{winner.id}/merge", data={"other_id": str(loser.id),
                                                                     "reason": "Same group, two addresses"})
    assert response.status_code == 303
    db_session.expire_all()
    winner, loser = db_session.get(Community, winner.id), db_session.get(Community, loser.id)
    assert loser.status == "merged"
    assert loser.merged_into_id == winner.id
    for model in (OutreachContact, StageChange, Assessment, ActivitySample, Feed, Task, SupportFlag, Candidate):
        assert db_session.scalar(select(model).where(model.community_id == loser.id)) is None, model
        assert db_session.scalar(select(model).where(model.community_id == winner.id)) is not None, model
    assert len(db_session.scalars(select(OutreachContact).where(OutreachContact.community_id == winner.id)).all()) == 2
    assert len(db_session.scalars(select(StageChange).where(StageChange.community_id == winner.id)).all()) == 2
    assert winner.tag_names == ["families", "town"]
    assert winner.house_rules == "Be kind"
    assert {m.title for m in db_session.scalars(select(Meeting)) if winner in m.communities} == {"Panel", "Surgery"}
    assert winner.last_contact_at == max(c.occurred_at for c in db_session.scalars(select(OutreachContact)))
    # the loser's page leads to the winner; its address no longer lists it
    assert client.get(f"/communities/{loser.id}").headers["Location"].endswith(f"/communities/{winner.id}")
    assert _names(client.get("/communities").data.decode()) == ["Winner"]
    timeline = client.get(f"/communities/{winner.id}").data.decode().split('data-testid="timeline"')[1]
    assert timeline.count('data-kind="contact"') == 2
    assert timeline.count('data-kind="meeting"') == 2
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "merge"))


def test_merge_refuses_itself_and_unknown_records(client, auth, users, area, db_session):
    community = make_community(area)
    auth.login("officer")
    assert client.post(f"/communities/{community.id}/merge", data={"other_id": str(community.id),
                                                                   "reason": "x"}).status_code == 422
    assert client.post(f"/communities/{community.id}/merge", data={"other_id": "999999",
                                                                   "reason": "x"}).status_code == 422


def test_researchers_and_auditors_cannot_use_the_catalogue(client, auth, users, area, db_session):
    community = make_community(area)
    for role in ("researcher", "auditor"):
        auth.login(role)
        assert client.get("/communities").status_code == 403
        assert client.get(f"/communities/{community.id}").status_code == 403
        assert client.get("/contacts/new").status_code == 403
        auth.logout()


def test_list_links_to_meetings_gone_quiet_and_handover_for_supervisors(client, auth, users):
    auth.login("officer")
    page = client.get("/communities").data.decode()
    assert "/gone-quiet" in page
    assert "/meetings" in page
    assert "/handover" not in page
    auth.logout()
    auth.login("supervisor")
    assert "/handover" in client.get("/communities").data.decode()


def test_every_table_pointing_at_a_community_moves_on_a_merge(app):
    """A new table with a community_id must be added to the merge, or history would be stranded."""
    from portal.communities.services import MERGED_SEPARATELY, OWNED_ROWS, STAY_WITH_MERGED
    from portal.extensions import db as database

    pointing = {table.name for table in database.metadata.sorted_tables
                if any(fk.column.table.name == "communities" for fk in table.foreign_keys)
                and "community_id" in table.columns}
    moved = {model.__table__.name for model in OWNED_ROWS}
    assert pointing - moved - MERGED_SEPARATELY - STAY_WITH_MERGED == set()


def test_search_matches_name_or_address_in_any_case_and_follows_edits(client, auth, users, area, db_session):
    from portal.communities.services import update_community
    from portal.extensions import db

    forum = make_community(area, "Ringmer ÉCOLE Forum", url="https://Example.org/Village-Hall")
    make_community(area, "Other group", url="https://elsewhere.example/")
    db.session.commit()
    auth.login("officer")
    for q in ("école", "ÉCOLE forum", "village-hall", "EXAMPLE.ORG"):
        assert _names(client.get("/communities", query_string={"q": q}).data.decode()) == ["Ringmer ÉCOLE Forum"], q
    # A term never matches across the name and the address, even with a line break in it.
    assert _names(client.get("/communities", query_string={"q": "forum\nhttps"}).data.decode()) == []
    assert _names(client.get("/communities", query_string={"q": "forumhttps"}).data.decode()) == []
    update_community(forum, {"name": "Renamed", "url": "https://new.example/"})
    db.session.commit()
    assert forum.search_text == "renamed\nhttps://new.example/"
    assert _names(client.get("/communities", query_string={"q": "école"}).data.decode()) == []
    assert _names(client.get("/communities", query_string={"q": "NEW.example"}).data.decode()) == ["Renamed"]


def test_each_row_shows_its_details_and_only_its_own_tags(client, auth, users, area, db_session):
    make_community(area, "Alpha Forum", platform="forum", stage="approached", tags=["town", "families"],
                   items_per_week=2.5)
    make_community(area, "Beta Group", platform="facebook_group", access="closed", tags=["sport"])
    make_community(area, "Gamma Blog", platform="blog")
    auth.login("officer")
    page = client.get("/communities").data.decode()
    rows = {name: part for name, part in zip(_names(page), page.split('data-testid="community-row"')[1:], strict=True)}
    assert list(rows) == ["Alpha Forum", "Beta Group", "Gamma Blog"]
    alpha, beta, gamma = (rows[n].split("</li>")[0] for n in rows)
    assert alpha.count('class="lr-tag"') == 2
    assert alpha.index(">families<") < alpha.index(">town<")
    assert "2.5 posts/week" in alpha
    assert "Approached" in alpha
    assert area.name in alpha
    assert "last contact never" in alpha
    assert beta.count('class="lr-tag"') == 1
    assert ">sport<" in beta
    assert "Closed" in beta
    assert 'class="lr-tag"' not in gamma
    assert "posts/week" not in gamma
