"""The audit log: append-only in the app and in the database; the auditor's search and record pages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from portal import audit
from portal.models import AuditEvent, Community, utcnow


def _event(db_session, **kwargs) -> AuditEvent:
    event = audit.record(kwargs.pop("action", "change"), kwargs.pop("summary", "Changed something"),
                         object_type=kwargs.pop("object_type", "Community"),
                         object_id=kwargs.pop("object_id", 1), **kwargs)
    db_session.commit()
    return event


# --- append-only ----------------------------------------------------------------------

def test_orm_refuses_to_update_an_audit_event(app, db_session):
    event = _event(db_session)
    event.summary = "rewritten"
    with pytest.raises(PermissionError):
        db_session.commit()
    db_session.rollback()
    assert db_session.get(AuditEvent, event.id).summary == "Changed something"


def test_orm_refuses_to_delete_an_audit_event(app, db_session):
    event = _event(db_session)
    db_session.delete(event)
    with pytest.raises(PermissionError):
        db_session.commit()
    db_session.rollback()
    assert db_session.get(AuditEvent, event.id) is not None


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET summary = 'rewritten'",
    "UPDATE audit_events SET actor_id = NULL",
    "DELETE FROM audit_events",
])
def test_database_refuses_sql_update_and_delete(app, db_session, statement):
    """The trigger from migration 0007 holds on whichever database the suite runs on."""
    from portal.extensions import db

    event = _event(db_session)
    with pytest.raises(DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text(statement))
    db_session.expire_all()
    assert db_session.get(AuditEvent, event.id).summary == "Changed something"


def test_database_allows_only_retention_age_rows_to_be_deleted(app, db_session):
    """Rows older than the 6-year floor may go (retention's job); recent ones may not."""
    from portal.extensions import db

    old = _event(db_session, summary="ancient")
    recent = _event(db_session, summary="recent")
    with db.engine.begin() as conn:  # back-date via INSERT: UPDATE is refused
        conn.execute(text("INSERT INTO audit_events (at, action, summary, details) "
                          "VALUES (:at, 'change', 'very old', '{}')"),
                     {"at": (utcnow() - timedelta(days=7 * 366)).isoformat(sep=" ")})
        deleted = conn.execute(text("DELETE FROM audit_events WHERE summary = 'very old'")).rowcount
    assert deleted == 1
    assert db_session.get(AuditEvent, old.id)
    assert db_session.get(AuditEvent, recent.id)


@pytest.mark.postgres
def test_postgresql_trigger_is_installed(app):
    from portal.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("run with LOCAL_REACH_TEST_DB=postgresql")
    with db.engine.connect() as conn:
        names = conn.execute(text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                                  "AND NOT tgisinternal")).scalars().all()
    assert {"audit_events_append_only", "audit_events_no_truncate"} <= set(names)


@pytest.mark.postgres
@pytest.mark.parametrize("statement", ["TRUNCATE audit_events", "TRUNCATE users CASCADE"])
def test_postgresql_refuses_to_truncate_the_audit_trail(app, db_session, statement):
    """TRUNCATE is not a row operation: a statement trigger refuses it, also when CASCADE reaches the table."""
    from portal.extensions import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("run with LOCAL_REACH_TEST_DB=postgresql")
    kept = _event(db_session, summary="must survive")
    with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    db_session.expire_all()
    assert db_session.get(AuditEvent, kept.id) is not None


def test_no_route_offers_to_edit_or_delete_audit_events(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("audit."):
            mutating = rule.methods & {"PUT", "PATCH", "DELETE"}
            assert not mutating, rule
            if "POST" in rule.methods:
                assert rule.endpoint == "audit.retention_keep"


# --- the auditor's view ---------------------------------------------------------------

@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_audit_log_lists_events_and_records_the_viewing(client, auth, users, db_session, role):
    _event(db_session, summary="Changed community 7", object_id=7, actor_id=users["officer"].id)
    auth.login(role)
    response = client.get("/audit")
    assert response.status_code == 200
    assert b"Changed community 7" in response.data
    assert b"officer@tests.example.org" in response.data
    views = db_session.query(AuditEvent).filter_by(action="view", object_type="AuditLog").all()
    assert len(views) == 1
    assert views[0].actor_id == users[role].id


@pytest.mark.parametrize("role", ["officer", "supervisor", "researcher"])
def test_other_roles_cannot_see_the_audit_log(client, auth, role):
    auth.login(role)
    assert client.get("/audit").status_code == 403
    assert client.get("/audit/Community/1").status_code == 403
    assert client.get("/audit/retention").status_code == 403


def test_audit_search_filters(client, auth, users, db_session):
    _event(db_session, action="export", summary="Exported research data", object_type="Export",
           actor_id=users["researcher"].id)
    _event(db_session, action="change", summary="Changed areas", object_type="User",
           actor_id=users["admin"].id)
    auth.login("auditor")
    page = client.get("/audit?action=export").data
    assert b"Exported research data" in page
    assert b"Changed areas" not in page
    page = client.get("/audit?actor=admin@tests").data
    assert b"Changed areas" in page
    assert b"Exported research data" not in page
    page = client.get("/audit?object_type=User").data
    assert b"Changed areas" in page
    assert b"Exported research data" not in page
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    page = client.get(f"/audit?date_from={tomorrow}").data
    assert b"Changed areas" not in page
    assert b"Exported research data" not in page


def test_audit_search_rejects_a_backwards_date_range(client, auth, users, db_session):
    _event(db_session, summary="Changed areas")
    auth.login("auditor")
    response = client.get("/audit?date_from=2026-05-02&date_to=2026-05-01")
    assert response.status_code == 200
    assert b"The end date must be on or after the start date" in response.data
    assert b"Changed areas" not in response.data


def test_audit_log_paginates_and_serves_a_fragment(client, auth, users, db_session):
    for n in range(60):
        audit.record("change", f"Event number {n:03d}", object_type="Community", object_id=n)
    db_session.commit()
    auth.login("auditor")
    first = client.get("/audit?object_type=Community")
    assert b"Event number 059" in first.data
    assert b"Event number 000" not in first.data
    assert b'rel="next"' in first.data
    second = client.get("/audit?object_type=Community&page=2", headers={"HX-Request": "true"})
    assert b"Event number 000" in second.data
    assert b"<html" not in second.data
    assert b'id="results"' in second.data


def test_record_history_shows_who_saw_or_changed_a_record(client, auth, users, area, db_session):
    community = Community(area_id=area.id, name="Cliffe Residents", platform="forum")
    db_session.add(community)
    db_session.commit()
    auth.login("officer")
    client.get(f"/communities/{community.id}")
    auth.logout()
    auth.login("auditor")
    response = client.get(f"/audit/Community/{community.id}")
    assert response.status_code == 200
    assert b"officer@tests.example.org" in response.data
    assert f"Viewed community {community.id}".encode() in response.data
    assert b"outside this tool" in response.data
    seen = db_session.query(AuditEvent).filter_by(action="view", object_type="AuditLog").one()
    assert seen.details == {"object_type": "Community", "object_id": str(community.id)}


def test_record_history_of_unknown_record_is_empty_not_an_error(client, auth, users):
    auth.login("auditor")
    response = client.get("/audit/Nothing/%3Cscript%3E")
    assert response.status_code == 200
    assert b"0 events" in response.data
    assert b"<script>" not in response.data


def test_pages_showing_a_message_or_a_thread_link_record_the_view(client, auth, users, area, db_session):
    from portal.models import OutreachContact, SupportFlag

    community = Community(area_id=area.id, name="Cliffe Residents", platform="forum")
    db_session.add(community)
    db_session.flush()
    contact = OutreachContact(community_id=community.id, officer_id=users["officer"].id, channel="comment",
                              purpose="inform", outcome="pending", message_text="Hello all")
    flag = SupportFlag(community_id=community.id, raised_by_id=users["officer"].id, reason="hostile_thread",
                       thread_link="https://forum.example/t/1")
    db_session.add_all([contact, flag])
    db_session.commit()
    auth.login("officer")
    assert client.get(f"/contacts/{contact.id}/edit").status_code == 200
    assert client.get(f"/guidance/flags/{flag.id}").status_code == 200
    views = {(e.object_type, e.object_id) for e in db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.actor_id == users["officer"].id))}
    assert {("OutreachContact", str(contact.id)), ("SupportFlag", str(flag.id))} <= views


def test_community_page_records_one_view_and_each_older_timeline_page_one(client, auth, users, area, db_session):
    community = Community(area_id=area.id, name="Cliffe Residents", platform="forum")
    db_session.add(community)
    db_session.commit()
    auth.login("officer")

    def views() -> list[AuditEvent]:
        return list(db_session.scalars(select(AuditEvent).where(
            AuditEvent.action == "view", AuditEvent.object_type == "Community",
            AuditEvent.object_id == str(community.id))))

    page = client.get(f"/communities/{community.id}")
    assert page.status_code == 200
    assert b"Cliffe Residents" in page.data
    (event,) = views()
    assert event.actor_id == users["officer"].id
    assert event.summary == f"Viewed community {community.id}"
    older = client.get(f"/communities/{community.id}", headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert older.status_code == 200
    assert b"<html" not in older.data
    first, second = views()
    assert first == event
    assert second.details == {"community_id": str(community.id), "fragment": "timeline"}
