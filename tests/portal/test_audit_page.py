"""The auditor's page: record links that open, words instead of code names, and the chain's state."""
from __future__ import annotations

from sqlalchemy import select, text

from portal import audit
from portal.models import AuditEvent, Community
from tests.portal.outreach_factories import make_community
from tests.portal.test_audit_chain import _tampering


def test_a_research_table_download_links_to_a_record_page_that_opens(client, auth, users, db_session):
    """Issue 23: the record link of a CSV download (/audit/research_table/funnel/1) was a 404."""
    audit.record("export", "Research table downloaded: Stages", object_type="research_table",
                 object_id="funnel/1", actor_id=users["researcher"].id)
    db_session.commit()
    auth.login("auditor")
    page = client.get("/audit").data.decode()
    assert 'href="/audit/research_table/funnel/1"' in page
    assert "Research table funnel/1" in page
    record = client.get("/audit/research_table/funnel/1")
    assert record.status_code == 200
    assert "Research table downloaded: Stages" in record.data.decode()
    assert "1 event" in record.data.decode()


def test_record_types_and_actions_read_in_users_words(client, auth, users, area, db_session):
    """Issue 23: "OutreachContact" and "Logged a group_post contact" were code names."""
    community = make_community(area, "Cliffe Residents")
    auth.login("officer")
    response = client.post("/contacts/new", data={"community_id": community.id, "channel": "group_post",
                                                  "purpose": "inform", "outcome": "pending"})
    assert response.status_code == 303
    client.post("/logout")
    client.post("/login", data={"email": "officer@tests.example.org", "password": "wrong-password-xx"})
    auth.login("auditor")
    page = client.get("/audit").data.decode()
    assert "Logged a group post contact" in page
    assert "group_post" not in page
    contact_id = db_session.scalar(select(AuditEvent.object_id).where(AuditEvent.object_type == "OutreachContact"))
    assert f">Contact {contact_id}</a>" in page
    assert "OutreachContact" not in page.split("<form", 1)[0]
    assert "Failed sign-in" in page
    assert "login_failed</strong>" not in page
    assert '<option value="OutreachContact">Contact</option>' in page
    assert '<option value="login_failed">Failed sign-in</option>' in page
    history = client.get(f"/audit/OutreachContact/{contact_id}").data.decode()
    assert f"Contact {contact_id}</h1>" in history


def test_the_page_shows_the_chain_intact_then_broken(app, client, auth, users, area, db_session, runner):
    db_session.add(Community(area_id=area.id, name="Cliffe Residents", platform="forum"))
    db_session.commit()
    auth.login("auditor")
    page = client.get("/audit").data.decode()
    assert 'data-testid="chain-state" data-ok="yes"' in page
    assert "Latest check of the whole log:\n    never" in page
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    page = client.get("/audit").data.decode()
    assert 'data-ok="yes"' in page
    assert ", intact" in page
    first = db_session.scalar(select(AuditEvent).order_by(AuditEvent.chain_seq))
    with _tampering() as conn:
        conn.execute(text("UPDATE audit_events SET summary = 'Nothing' WHERE id = :id"), {"id": first.id})
    page = client.get("/audit").data.decode()
    assert 'data-ok="no"' in page
    assert "The audit log has been tampered with" in page
    assert "(edited)" in page
    fragment = client.get("/audit?page=1", headers={"HX-Request": "true"}).data.decode()
    assert "chain-state" not in fragment  # the search results alone do not re-check the chain
