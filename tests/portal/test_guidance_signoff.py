"""Sign-off: held messages, decisions never by the author, 'sent' only after approval, audit."""
from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.guidance import services
from portal.guidance.deciders import deciders
from portal.models import AuditEvent, Community, MessageReview, OutreachContact, User
from tests.portal.guidance_factories import RISKY, make_draft, make_forum, make_held, make_staff

REFUSED = "Gary Hollis was arrested for the burglary."  # do not send
CLEAN = "Hello from your neighbourhood team, we'd love to hear what matters to you."


@pytest.fixture
def community(db_session, area):
    return make_forum(area)


@pytest.fixture
def second_supervisor(db_session, area, users):
    return make_staff("sgt2@tests.example.org", "supervisor", area, name="Sgt Two")


def test_risky_message_is_held_with_its_findings(db_session, users, community):
    review = make_held(community, users["officer"])
    assert review is not None
    assert review.status == "held"
    assert review.contact.review_status == "held"
    assert review.message_text == RISKY
    assert review.highest_severity == "needs_supervisor"
    assert {f["rule_code"] for f in review.findings} == {"proceedings.status"}
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "hold")) is not None


def test_clean_message_is_not_held(db_session, users, community):
    contact = make_draft(community, users["officer"], CLEAN)
    assert services.review_on_save(contact) is None
    assert contact.review_status == "none"


def test_do_not_send_is_refused_with_a_clear_message(db_session, users, community):
    contact = make_draft(community, users["officer"], REFUSED)
    with pytest.raises(services.MessageRefused, match="cannot be sent") as refused:
        services.review_on_save(contact)
    assert "Gary Hollis" in str(refused.value)
    assert contact.review_status == "none"
    assert db_session.scalar(select(MessageReview.id)) is None


def test_large_community_raises_the_level_of_review(db_session, users, community):
    community.audience_size = 5000
    review = make_held(community, users["officer"], "Items were found near BN7 2AB.")
    assert review is not None
    assert {f["category"] for f in review.findings} == {"personal_data", "reach_risk"}


def test_officer_author_cannot_decide(client, auth, db_session, users, community):
    review = make_held(community, users["officer"])
    auth.login("officer")
    response = client.post(f"/guidance/reviews/{review.id}/decide", data={"decision": "approve"})
    assert response.status_code == 403
    db_session.refresh(review)
    assert review.status == "held"
    assert review.decided_by_id is None


def test_supervisor_cannot_approve_their_own_message(client, auth, db_session, users, community):
    review = make_held(community, users["supervisor"])
    auth.login("supervisor")
    page = client.get(f"/guidance/reviews/{review.id}")
    assert page.status_code == 200
    assert b"you cannot sign it off" in page.data
    assert b'name="decision"' not in page.data
    response = client.post(f"/guidance/reviews/{review.id}/decide", data={"decision": "approve"})
    assert response.status_code == 403
    db_session.refresh(review)
    assert review.status == "held"
    assert review.contact.review_status == "held"
    with pytest.raises(services.SignOffError, match="You wrote this message"):
        services.decide(review, users["supervisor"], "approve")


def test_a_lone_supervisors_own_message_goes_to_an_admin(client, auth, db_session, users, community):
    """The area's only supervisor wrote it: no other supervisor exists, so the admin decides (and says so)."""
    review = make_held(community, users["supervisor"])
    who = deciders(review)
    assert who.tier == "admin"
    assert [u.id for u in who.users] == [users["admin"].id]
    auth.login("supervisor")
    page = client.get(f"/guidance/reviews/{review.id}").data.decode()
    assert "Test admin" in page
    assert 'data-testid="review-deciders"' in page
    auth.logout()
    auth.login("admin")
    queue = client.get("/guidance/queue")
    assert queue.status_code == 200
    assert f"/guidance/reviews/{review.id}" in queue.data.decode()
    assert "You may decide" in queue.data.decode()
    page = client.get(f"/guidance/reviews/{review.id}")
    assert page.status_code == 200
    assert b'name="decision"' in page.data
    response = client.post(f"/guidance/reviews/{review.id}/decide", data={"decision": "approve"})
    assert response.status_code == 303
    db_session.refresh(review)
    assert review.status == "approved"
    assert review.decided_by_id == users["admin"].id


def test_deciders_go_area_then_any_area_then_admin_never_the_author(db_session, users, community):
    from portal.areas import import_area

    officer, supervisor, admin = users["officer"], users["supervisor"], users["admin"]
    review = make_held(community, officer)
    assert deciders(review).tier == "area"
    assert supervisor in deciders(review)
    assert admin not in deciders(review)
    own = make_held(community, supervisor)
    assert deciders(own).tier == "admin"
    assert supervisor not in deciders(own)
    other_area, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = User(email="sgt3@tests.example.org", display_name="Sgt Elsewhere", role="supervisor")
    outsider.areas.append(other_area)
    db_session.add(outsider)
    db_session.commit()
    assert deciders(own).tier == "any_area"
    assert [u.id for u in deciders(own).users] == [outsider.id]
    assert services.can_decide(own, outsider) is None
    assert "Sgt Elsewhere" in services.can_decide(own, admin)
    assert deciders(review).tier == "area"
    assert outsider not in deciders(review)
    outsider.active = False  # a deactivated account decides nothing
    db_session.commit()
    assert deciders(own).tier == "admin"
    admin.active = False
    db_session.commit()
    assert deciders(own).tier == "none"
    assert not deciders(own).users


def test_one_reviews_deciders_agree_with_the_bulk_rule(db_session, users, community):
    """deciders() asks the database tier by tier; deciders_for() applies the rule to all staff: same answer."""
    from portal.areas import import_area
    from portal.guidance.deciders import deciders_for

    def same(review):
        one, bulk = deciders(review), deciders_for([review])[review.id]
        return one.tier == bulk.tier and [u.id for u in one.users] == [u.id for u in bulk.users]

    officer, supervisor, admin = users["officer"], users["supervisor"], users["admin"]
    review, own = make_held(community, officer), make_held(community, supervisor)
    other_area, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    for n, name in enumerate(("Sgt Zed", "Sgt Amber")):  # two in name order, not id order
        outsider = User(email=f"sgt{n}@tests.example.org", display_name=name, role="supervisor")
        outsider.areas.append(other_area)
        db_session.add(outsider)
    db_session.commit()
    assert deciders(own).tier == "any_area"
    assert [u.display_name for u in deciders(own).users] == ["Sgt Amber",
                                                                                                  "Sgt Zed"]
    for change in (None, "outsiders off", "admin off", "supervisor off"):
        if change == "outsiders off":
            for user in db_session.scalars(select(User).where(User.email.like("sgt%"))):
                user.active = False
        elif change == "admin off":
            admin.active = False
        elif change == "supervisor off":
            supervisor.active = False
        db_session.commit()
        assert same(review), change
        assert same(own), change
    assert deciders(review).tier == "none"
    assert deciders(own).tier == "none"


def test_a_supervisor_of_another_area_can_open_and_decide_when_they_are_the_decider(
        client, auth, db_session, users, community):
    from portal.areas import import_area

    other_area, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = make_staff("sgt3@tests.example.org", "supervisor", other_area, name="Sgt Elsewhere")
    mine = make_held(community, users["officer"])
    own = make_held(community, users["supervisor"])
    auth.login(email="sgt3@tests.example.org")
    queue = client.get("/guidance/queue").data.decode()
    assert f"/guidance/reviews/{own.id}" in queue
    assert f"/guidance/reviews/{mine.id}" not in queue
    assert client.get(f"/guidance/reviews/{mine.id}").status_code == 403
    assert client.post(f"/guidance/reviews/{own.id}/decide", data={"decision": "approve"}).status_code == 303
    db_session.refresh(own)
    assert own.status == "approved"
    assert own.decided_by_id == outsider.id


def test_the_database_refuses_a_self_sign_off(db_session, users, community):
    review = make_held(community, users["supervisor"])
    review.decided_by_id = review.author_id
    with pytest.raises(IntegrityError):
        db_session.commit()
    db_session.rollback()


def test_supervisor_of_another_area_cannot_decide(db_session, users, community):
    from portal.areas import import_area

    other_area, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = User(email="sgt3@tests.example.org", display_name="Sgt Elsewhere", role="supervisor")
    outsider.areas.append(other_area)
    db_session.add(outsider)
    review = make_held(community, users["officer"])
    assert "of this area" in services.can_decide(review, outsider)


def test_another_supervisor_approves_and_the_officer_is_told(client, auth, db_session, users, community):
    review = make_held(community, users["officer"])
    auth.login("supervisor")
    response = client.post(f"/guidance/reviews/{review.id}/decide",
                           data={"decision": "approve", "comment": "Fine."})
    assert response.status_code == 303
    db_session.refresh(review)
    assert review.status == "approved"
    assert review.decided_by_id == users["supervisor"].id
    assert review.contact.review_status == "approved"
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "signoff"))
    assert event.object_id == str(review.id)
    assert event.details["decision"] == "approved"
    auth.logout()
    auth.login("officer")
    home = client.get("/home")
    assert b"guidance-banner" in home.data
    guidance = client.get("/guidance")
    assert b"Decisions on your messages" in guidance.data
    assert b"Approved" in guidance.data
    client.post(f"/guidance/notifications/{review.id}/dismiss")
    assert b"guidance-banner" not in client.get("/home").data


@pytest.mark.parametrize(("decision", "status"), [("changes", "changes_requested"), ("reject", "rejected")])
def test_changes_and_rejection_need_a_comment(client, auth, db_session, users, community, decision, status):
    review = make_held(community, users["officer"])
    auth.login("supervisor")
    response = client.post(f"/guidance/reviews/{review.id}/decide", data={"decision": decision})
    assert response.status_code == 422
    assert b"Say what needs to change" in response.data
    db_session.refresh(review)
    assert review.status == "held"
    client.post(f"/guidance/reviews/{review.id}/decide", data={"decision": decision, "comment": "Leave out the arrest."})
    db_session.refresh(review)
    assert review.status == status
    assert review.comment == "Leave out the arrest."
    assert review.contact.review_status == status


def test_held_message_cannot_be_marked_sent_until_approved(client, auth, db_session, users, community,
                                                         second_supervisor):
    review = make_held(community, users["officer"])
    contact = review.contact
    with pytest.raises(services.SignOffError, match="waiting for a supervisor"):
        services.mark_sent(contact, users["officer"])
    auth.login("officer")
    response = client.post(f"/guidance/contacts/{contact.id}/sent")
    assert response.status_code == 303
    db_session.refresh(contact)
    assert contact.review_status == "held"
    services.decide(review, second_supervisor, "approve")
    db_session.commit()
    client.post(f"/guidance/contacts/{contact.id}/sent")
    db_session.refresh(contact)
    assert contact.review_status == "sent"
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "sent")) is not None


def test_rejected_message_cannot_be_marked_sent(db_session, users, community):
    review = make_held(community, users["officer"])
    services.decide(review, users["supervisor"], "reject", "No.")
    with pytest.raises(services.SignOffError, match="rejected"):
        services.mark_sent(review.contact, users["officer"])


def test_editing_an_approved_message_needs_a_new_sign_off(db_session, users, community):
    review = make_held(community, users["officer"])
    services.decide(review, users["supervisor"], "approve")
    contact = review.contact
    assert services.review_on_save(contact) is None  # unchanged: still approved
    contact.message_text = RISKY + " Two suspects."
    again = services.review_on_save(contact)
    assert again is not None
    assert again.id != review.id
    assert contact.review_status == "held"


def test_rewording_a_held_message_clears_the_hold(db_session, users, community):
    review = make_held(community, users["officer"])
    review.contact.message_text = CLEAN
    assert services.review_on_save(review.contact) is None
    assert review.contact.review_status == "none"
    assert review.status == "withdrawn"


def test_queue_shows_flags_first_then_held_messages_with_age(client, auth, db_session, users, community):
    from portal.guidance.support import raise_flag

    make_held(community, users["officer"])
    raise_flag(community, users["officer"], "media_interest", "A reporter called.")
    db_session.commit()
    auth.login("supervisor")
    page = client.get("/guidance/queue")
    assert page.status_code == 200
    body = page.data.decode()
    assert body.index("queue-flags") < body.index("queue-reviews")
    assert "waiting" in body
    assert "Test Town Forum" in body
    fragment = client.get("/guidance/queue", headers={"HX-Request": "true"})
    assert fragment.data.decode().lstrip().startswith('<div id="queue_items"')
    auth.logout()
    auth.login("officer")
    assert client.get("/guidance/queue").status_code == 403


def test_supervisor_dashboard_shows_what_waits(client, auth, db_session, users, community):
    make_held(community, users["officer"])
    auth.login("supervisor")
    assert b"guidance-queue-banner" in client.get("/home").data




def test_the_community_page_offers_mark_as_sent_only_once_approved(client, auth, db_session, users, community,
                                                                  second_supervisor):
    review = make_held(community, users["officer"])
    contact_id = review.contact.id
    auth.login("officer")
    page = client.get(f"/communities/{community.id}").data
    assert b'data-testid="not-sendable"' in page
    assert b'data-testid="mark-sent"' not in page
    services.decide(review, second_supervisor, "approve")
    db_session.commit()
    page = client.get(f"/communities/{community.id}").data
    action = f'action="/guidance/contacts/{contact_id}/sent"'.encode()
    assert b'data-testid="mark-sent"' in page
    assert action in page
    response = client.post(f"/guidance/contacts/{contact_id}/sent",
                           data={"next_url": f"/communities/{community.id}"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/communities/{community.id}")
    page = client.get(f"/communities/{community.id}").data
    assert b'data-testid="mark-sent"' not in page
    assert b"Message marked as sent." in page
    auth.logout()
    auth.login("supervisor")  # not the author: no button even once approved
    assert b'data-testid="mark-sent"' not in client.get(f"/communities/{community.id}").data


def _quick_log(client, community, text, **extra):
    data = {"community_id": str(community.id), "channel": "group_post", "outcome": "pending",
            "message_text": text, **extra}
    return client.post("/contacts/new", data=data)


def test_a_held_message_is_a_draft_until_approved(client, auth, db_session, users, community, second_supervisor):
    """Held: no follow-up clock reset, no last-contact date, no stage evidence; approval makes it count."""
    from datetime import date, timedelta

    from portal.outreach.services import StageMoveRefused, move_stage, suggestion_for

    auth.login("officer")
    follow_up = (date.today() + timedelta(days=3)).isoformat()
    assert _quick_log(client, community, CLEAN, follow_up_on=follow_up).status_code == 303
    db_session.expire_all()
    first = db_session.scalars(select(OutreachContact)).one()
    sent_at = db_session.get(Community, community.id).last_contact_at
    assert _quick_log(client, community, RISKY).status_code == 303
    db_session.expire_all()
    held = db_session.scalar(select(OutreachContact).where(OutreachContact.review_status == "held"))
    assert held is not None
    assert db_session.get(OutreachContact, first.id).follow_up_closed_at is None  # clock not reset
    assert db_session.get(Community, community.id).last_contact_at == sent_at
    town = db_session.get(Community, community.id)
    assert suggestion_for(town) is None or suggestion_for(town)[1].id != held.id
    with pytest.raises(StageMoveRefused, match="has not gone out"):
        move_stage(town, "approached", users["officer"], evidence_contact_id=held.id)
    services.decide(db_session.scalar(select(MessageReview)), second_supervisor, "approve")
    db_session.commit()
    db_session.expire_all()
    assert db_session.get(OutreachContact, first.id).follow_up_closed_at is not None
    assert db_session.get(Community, community.id).last_contact_at == held.occurred_at


def test_research_leaves_out_messages_that_never_went_out(runner, db_session, users, community, tmp_path):
    import csv

    sent = make_draft(community, users["officer"], CLEAN)
    review = make_held(community, users["officer"])
    services.decide(review, users["supervisor"], "reject", "Not this.")
    db_session.commit()
    assert {sent.review_status, review.contact.review_status} == {"none", "rejected"}
    result = runner.invoke(args=["research", "export", "--out", str(tmp_path / "pkg")])
    assert result.exit_code == 0, result.output
    with open(tmp_path / "pkg" / "events.csv", newline="") as handle:
        kinds = [row["event_type"] for row in csv.DictReader(handle)]
    assert kinds.count("contact") == 1
