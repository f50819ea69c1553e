"""Stage moves (refused without evidence, suggested after a contact), assessments, meetings, handover."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from portal.models import AuditEvent, Meeting, OutreachContact, StageChange, Task, User, utcnow
from tests.conftest import _password_hash
from tests.portal.outreach_factories import make_community, make_contact, make_stage


def test_forward_move_without_evidence_is_refused_with_a_clear_message(client, auth, users, area, db_session):
    community = make_community(area, stage="approached")
    auth.login("officer")
    response = client.post(f"/communities/{community.id}/stage", data={"to_stage": "acknowledged",
                                                                       "evidence_contact_id": "0"})
    assert response.status_code == 422
    assert b"must cite the contact that evidences it" in response.data
    db_session.refresh(community)
    assert community.stage == "approached"
    assert db_session.scalar(select(StageChange)) is None


def test_forward_move_with_evidence_of_the_wrong_kind_is_refused(client, auth, users, area, db_session):
    community = make_community(area, stage="approached")
    pending = make_contact(community, users["officer"], outcome="pending")
    auth.login("officer")
    response = client.post(f"/communities/{community.id}/stage", data={"to_stage": "acknowledged",
                                                                       "evidence_contact_id": str(pending.id)})
    assert response.status_code == 422
    assert b"does not evidence this move" in response.data


def test_evidence_must_belong_to_the_community(client, auth, users, area, db_session):
    community = make_community(area, stage="approached")
    elsewhere = make_contact(make_community(area, "Other"), users["officer"], outcome="positive")
    auth.login("officer")
    response = client.post(f"/communities/{community.id}/stage", data={"to_stage": "acknowledged",
                                                                       "evidence_contact_id": str(elsewhere.id)})
    assert response.status_code == 422


def test_logged_outcome_suggests_a_move_and_confirming_it_records_the_evidence(client, auth, users, area, db_session):
    community = make_community(area, stage="approached")
    make_stage(community, "approached", days_ago=3)
    auth.login("officer")
    client.post("/contacts/new", data={"community_id": community.id, "channel": "comment", "outcome": "positive"})
    contact = db_session.scalar(select(OutreachContact))
    page = client.get(f"/communities/{community.id}?logged={contact.id}").data.decode()
    assert 'data-testid="suggestion"' in page
    assert "Confirm: move to Acknowledged" in page
    response = client.post(f"/communities/{community.id}/stage", data={
        "to_stage": "acknowledged", "evidence_contact_id": str(contact.id)})
    assert response.status_code == 303
    db_session.refresh(community)
    assert community.stage == "acknowledged"
    assert community.stage_changed_at is not None
    change = db_session.scalars(select(StageChange).order_by(StageChange.id.desc())).first()
    assert change.evidence_contact_id == contact.id
    assert change.from_stage == "approached"
    assert 'data-testid="suggestion"' not in client.get(f"/communities/{community.id}").data.decode()
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.summary.like("Moved community%")))


def test_backward_and_branch_moves_need_no_evidence(client, auth, users, area, db_session):
    community = make_community(area, stage="two_way")
    auth.login("supervisor")
    response = client.post(f"/communities/{community.id}/stage", data={"to_stage": "dormant", "note": "Went quiet"})
    assert response.status_code == 303
    db_session.refresh(community)
    assert community.stage == "dormant"


def test_assessment_is_saved_and_drawn_as_a_trend(client, auth, users, area, db_session):
    community = make_community(area)
    auth.login("officer")
    assert client.post(f"/communities/{community.id}/assess", data={"trust": "2"}).status_code == 422
    for trust in ("2", "4"):
        client.post(f"/communities/{community.id}/assess", data={"trust": trust, "reciprocity": "3", "reach": "5",
                                                                "note": "ok"})
    page = client.get(f"/communities/{community.id}").data.decode()
    assert 'data-testid="assessment-trend"' in page
    assert "<polyline" in page
    assert "Trust</span> 4/5" in page
    assert "style=" not in page.split('data-testid="assessment-trend"')[1].split("</figure>")[0]


def test_meeting_appears_in_the_promoting_communities_timelines(client, auth, users, area, db_session):
    forum, other = make_community(area, "Forum"), make_community(area, "Not promoting")
    auth.login("officer")
    response = client.post("/meetings/new", data={
        "title": "Beat surgery", "area_id": str(area.id), "held_at": "2026-03-01T18:30", "place": "Library",
        "attendance": "9", "communities": [str(forum.id)]})
    assert response.status_code == 303
    assert db_session.scalar(select(Meeting)).communities[0].id == forum.id
    assert "Beat surgery" in client.get(f"/communities/{forum.id}").data.decode()
    assert "Beat surgery" not in client.get(f"/communities/{other.id}").data.decode()
    assert b"Beat surgery" in client.get("/meetings").data


def test_a_meeting_can_name_a_promoter_beyond_the_listed_communities(client, auth, users, area, db_session,
                                                                     monkeypatch):
    from portal.communities import choices

    monkeypatch.setattr(choices, "LIMIT", 3)
    recent = [make_community(area, f"Recent {n}") for n in range(3)]
    for n, community in enumerate(recent):
        make_contact(community, users["officer"], days_ago=n)
    quiet = make_community(area, "Quiet Hall Committee")
    auth.login("officer")
    listed = client.get("/meetings/new").data.decode()
    assert all(c.name in listed for c in recent)
    assert "Quiet Hall Committee" not in listed
    page = client.get(f"/communities/{quiet.id}").data.decode()
    assert f'href="/meetings/new?community={quiet.id}"' in page
    form = client.get(f"/meetings/new?community={quiet.id}").data.decode()
    assert "Quiet Hall Committee" in form
    assert re.search(rf'value="{quiet.id}"[^>]*checked', form)
    response = client.post("/meetings/new", data={
        "title": "Hall meeting", "area_id": str(area.id), "held_at": "2026-03-01T18:30",
        "communities": [str(quiet.id), str(recent[0].id)]})
    assert response.status_code == 303
    assert {c.id for c in db_session.scalar(select(Meeting)).communities} == {quiet.id, recent[0].id}


def test_handover_moves_communities_follow_ups_and_tasks(client, auth, users, area, db_session):
    old = users["officer"]
    new = User(email="successor@tests.example.org", display_name="Successor", role="officer",
               password_hash=_password_hash())
    new.areas.append(area)
    db_session.add(new)
    db_session.commit()
    owned = [make_community(area, f"Owned {n}", owner=old) for n in range(3)]
    kept = make_community(area, "Not theirs")
    follow_up = make_contact(owned[0], old, days_ago=3, follow_up_in=5)
    task = Task(community_id=owned[1].id, assignee_id=old.id, title="Send the newsletter")
    db_session.add(task)
    db_session.commit()
    auth.login("supervisor")
    assert client.get("/handover").status_code == 200
    note = "Ask for the admin, Sam, who runs the group. " * 30  # well past a task title's 200 characters
    response = client.post("/handover", data={"from_officer": str(old.id), "to_officer": str(new.id),
                                              "note": note})
    assert response.status_code == 303
    for community in owned:
        db_session.refresh(community)
        assert community.owner_id == new.id
    db_session.refresh(kept)
    assert kept.owner_id is None
    tasks = db_session.scalars(select(Task).where(Task.assignee_id == new.id)).all()
    assert sorted(t.kind for t in tasks) == ["follow_up", "introduce", "introduce", "introduce", "introduce"]
    assert {t.community_id for t in tasks if t.kind == "introduce"} == {c.id for c in owned}
    assert all(t.note == note.strip() for t in tasks if t.kind == "introduce" and t.id != task.id)
    assert db_session.get(Task, task.id).assignee_id == new.id
    db_session.refresh(follow_up)
    assert follow_up.follow_up_closed_at is not None
    assert follow_up.officer_id == old.id
    assert db_session.scalar(select(Task).where(Task.kind == "follow_up")).due_on == follow_up.follow_up_on
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "handover"))
    client.post("/logout")
    auth.login(email="successor@tests.example.org")
    page = client.get("/follow-ups").data.decode()
    assert page.count(": Introduce yourself") == 3
    assert "Send the newsletter" in page
    assert page.count('data-testid="task-note"') == 3
    assert note.strip() in page


def test_handover_to_the_same_officer_is_refused(client, auth, users, area, db_session):
    auth.login("supervisor")
    owned = make_community(area, "Owned", owner=users["officer"])
    response = client.post("/handover", data={"from_officer": str(users["officer"].id),
                                              "to_officer": str(users["officer"].id)})
    assert response.status_code == 422
    assert "Choose a different officer as the successor" in response.data.decode()
    db_session.refresh(owned)
    assert owned.owner_id == users["officer"].id
    assert db_session.scalar(select(Task)) is None
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "handover")) is None


def test_gone_quiet_lists_activity_drops_and_silence_separately(client, auth, users, area, db_session):
    from portal.models import ActivitySample

    dropping = make_community(area, "Dropping Blog")
    steady = make_community(area, "Steady Forum")
    make_contact(steady, users["officer"], days_ago=1)
    now = utcnow()
    for community, levels in ((dropping, [10, 10, 10, 10, 1, 0]), (steady, [5, 5, 5, 5, 5, 5])):
        for week, level in enumerate(levels):
            db_session.add(ActivitySample(community_id=community.id, items_per_week=level,
                                          sampled_at=now - timedelta(days=7 * (5 - week))))
    db_session.commit()
    auth.login("officer")
    page = client.get("/gone-quiet?days=30").data.decode()
    dropped = page.split('data-testid="activity-dropped"')[1].split("</ul>")[0]
    silent = page.split('data-testid="no-contact"')[1].split("</ul>")[0]
    assert "Dropping Blog" in dropped
    assert "Steady Forum" not in dropped
    assert "Dropping Blog" in silent
    assert "Steady Forum" not in silent


def test_activity_drops_are_only_the_users_communities(users, area, db_session):
    """The averages are taken over the user's communities only (a speed-up): another area's drop stays out."""
    from portal.models import ActivitySample, Area
    from portal.outreach.queries import activity_dropped

    elsewhere = Area(slug="elsewhere", name="Elsewhere", profile={})
    db_session.add(elsewhere)
    db_session.flush()
    ours, theirs = make_community(area, "Our Dropping Blog"), make_community(elsewhere, "Their Dropping Blog")
    now = utcnow()
    for community in (ours, theirs):
        for week, level in enumerate([10, 10, 10, 10, 1, 0]):
            db_session.add(ActivitySample(community_id=community.id, items_per_week=level,
                                          sampled_at=now - timedelta(days=7 * (5 - week))))
    db_session.commit()
    assert [d.community.name for d in activity_dropped(users["officer"])] == ["Our Dropping Blog"]
    assert {d.community.name for d in activity_dropped(users["admin"])} == {"Our Dropping Blog", "Their Dropping Blog"}


def test_dashboard_shows_follow_ups_due_outcomes_and_stages(client, auth, users, area, db_session):
    community = make_community(area, "Due Group", stage="approached")
    make_contact(community, users["officer"], days_ago=4, follow_up_in=2, outcome="acknowledged")
    auth.login("officer")
    page = client.get("/home").data.decode()
    assert "Due Group" in page.split('data-testid="dashboard-due"')[1]
    assert "Acknowledged" in page.split('data-testid="recent-outcomes"')[1]
    assert 'data-testid="stage-summary"' in page
    auth.logout()
    auth.login("researcher")
    assert 'data-testid="dashboard-due"' not in client.get("/home").data.decode()


def test_going_cold_lists_owned_communities_past_their_stay_in_touch_interval(client, auth, users, area):
    officer = users["officer"]
    cold = make_community(area, "Cold Forum", owner=officer, stay_in_touch_days=14)
    make_contact(cold, officer, days_ago=20)
    warm = make_community(area, "Warm Forum", owner=officer, stay_in_touch_days=14)
    make_contact(warm, officer, days_ago=3)
    never = make_community(area, "Never Contacted", owner=officer, stay_in_touch_days=30)
    make_community(area, "No Interval", owner=officer)
    someone_elses = make_community(area, "Not Mine", stay_in_touch_days=7)
    make_contact(someone_elses, users["supervisor"], days_ago=40)
    auth.login("officer")
    section = _going_cold(client)
    assert "Cold Forum" in section
    assert "Never Contacted" in section
    assert "Warm Forum" not in section
    assert "No Interval" not in section
    assert "Not Mine" not in section
    assert "every 14 days wanted" in section
    make_contact(cold, officer, days_ago=0)  # a new contact warms it up again
    section = _going_cold(client)
    assert "Cold Forum" not in section
    assert f"/communities/{never.id}" in section


def _going_cold(client) -> str:
    page = client.get("/gone-quiet").data.decode()
    section = page[page.index('data-testid="stay-in-touch"'):]
    return section[:section.index("</ul>")]


def test_community_page_shows_feeds_and_an_activity_sparkline(client, auth, users, area, db_session):
    from portal.models import ActivitySample, Feed

    community = make_community(area, "Busy Blog", "https://busy.example/", platform="blog")
    db_session.add(Feed(community_id=community.id, url="https://busy.example/feed", kind="rss"))
    for days_ago, per_week in ((21, 2.0), (14, 4.0), (7, 8.0), (0, 6.5)):
        db_session.add(ActivitySample(community_id=community.id, sampled_at=utcnow() - timedelta(days=days_ago),
                                      items_per_week=per_week))
    db_session.commit()
    auth.login("officer")
    page = client.get(f"/communities/{community.id}").data.decode()
    assert "https://busy.example/feed" in page
    figure = page[page.index('data-testid="sparkline"'):]
    figure = figure[:figure.index("</figure>")]
    points = figure[figure.index('points="') + 8:].split('"', 1)[0].split()
    assert len(points) == 4
    assert "latest 6.5" in figure
    heights = [float(p.split(",")[1]) for p in points]
    assert heights[2] == min(heights)  # the busiest week is drawn highest (smallest y)
    quiet = make_community(area, "Quiet Blog")
    assert 'data-testid="sparkline"' not in client.get(f"/communities/{quiet.id}").data.decode()
