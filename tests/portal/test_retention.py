"""Retention: expired records are deleted or anonymised with a frozen clock, each disposal is logged."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from portal.auditor import retention
from portal.models import (
    AuditEvent, Candidate, Community, ContactRevision, Meeting, OutreachContact, RetentionDecision, User,
    utcnow,
)

NOW = datetime(2031, 6, 1, 12, 0)


def _candidate(db_session, area, site, status="new", seen=NOW - timedelta(days=91)) -> Candidate:
    candidate = Candidate(area_id=area.id, site=f"https://{site}/", site_key=site, title=site, status=status,
                          created_at=seen, updated_at=seen)
    db_session.add(candidate)
    db_session.commit()
    return candidate


def _disposals(db_session, policy):
    return [e for e in db_session.query(AuditEvent).filter_by(action="dispose").all()
            if e.details.get("policy") == policy]


def test_unaccepted_candidates_are_deleted_after_90_days_and_logged(app, area, db_session):
    old_new = _candidate(db_session, area, "old-new.example")
    old_dismissed = _candidate(db_session, area, "old-dismissed.example", status="dismissed")
    old_accepted = _candidate(db_session, area, "old-accepted.example", status="accepted")
    recent = _candidate(db_session, area, "recent.example", seen=NOW - timedelta(days=89))
    gone = {old_new.id, old_dismissed.id}

    results = {r.policy.key: r for r in retention.run(now=NOW)}

    assert results["candidates"].disposed == 2
    remaining = {c.id for c in db_session.query(Candidate).all()}
    assert remaining == {old_accepted.id, recent.id}
    logged = _disposals(db_session, "candidates")
    assert {int(e.object_id) for e in logged} == gone
    assert all(e.object_type == "Candidate" and e.actor_id is None and e.details["action"] == "delete"
               for e in logged)


def test_run_is_idempotent(app, area, db_session):
    _candidate(db_session, area, "old.example")
    assert sum(r.disposed for r in retention.run(now=NOW)) == 1
    assert sum(r.disposed for r in retention.run(now=NOW)) == 0
    assert len(_disposals(db_session, "candidates")) == 1


def test_dry_run_counts_and_changes_nothing(app, area, db_session):
    _candidate(db_session, area, "old.example")
    results = {r.policy.key: r for r in retention.run(now=NOW, dry_run=True)}
    assert results["candidates"].disposed == 1
    assert db_session.query(Candidate).count() == 1
    assert _disposals(db_session, "candidates") == []


def _contact_setup(db_session, area, users, last_contact):
    community = Community(area_id=area.id, name="Cliffe forum", platform="forum", last_contact_at=last_contact)
    db_session.add(community)
    db_session.flush()
    contact = OutreachContact(community_id=community.id, officer_id=users["officer"].id, channel="email",
                              purpose="introduce", occurred_at=last_contact, message_text="Hello Jo Bloggs",
                              link="https://example.org/thread/1")
    db_session.add(contact)
    db_session.flush()
    db_session.add(ContactRevision(contact_id=contact.id, changes={"message_text": ["Hi", "Hello Jo Bloggs"],
                                                                   "outcome": ["pending", "positive"]}))
    db_session.commit()
    return contact


def test_contact_text_is_anonymised_two_years_after_the_last_contact(app, area, users, db_session):
    old = _contact_setup(db_session, area, users, NOW - timedelta(days=731))
    results = {r.policy.key: r for r in retention.run(now=NOW)}
    assert results["contact_text"].disposed == 1
    db_session.expire_all()
    contact = db_session.get(OutreachContact, old.id)
    assert contact is not None, "the contact itself is kept for research counts"
    assert contact.message_text is None
    assert contact.link is None
    revision = db_session.query(ContactRevision).filter_by(contact_id=old.id).one()
    assert "Jo Bloggs" not in str(revision.changes)
    assert revision.changes["outcome"] == ["pending", "positive"]
    [event] = _disposals(db_session, "contact_text")
    assert event.object_id == str(old.id)
    assert event.details["action"] == "anonymise"


def test_recent_community_activity_keeps_contact_text(app, area, users, db_session):
    contact = _contact_setup(db_session, area, users, NOW - timedelta(days=731))
    contact.community.last_contact_at = NOW - timedelta(days=10)  # a later contact restarts the clock
    db_session.commit()
    retention.run(now=NOW)
    db_session.expire_all()
    assert db_session.get(OutreachContact, contact.id).message_text == "Hello Jo Bloggs"


def test_meeting_notes_and_former_users(app, area, users, db_session):
    meeting = Meeting(area_id=area.id, title="PACT meeting", held_at=NOW - timedelta(days=800), notes="Mrs X said")
    former = users["researcher"]
    former.active = False
    db_session.add(meeting)
    db_session.commit()
    db_session.execute(text("UPDATE users SET updated_at = :t WHERE id = :id"),
                       {"t": (NOW - timedelta(days=800)).isoformat(sep=" "), "id": former.id})
    db_session.commit()
    retention.run(now=NOW)
    db_session.expire_all()
    assert db_session.get(Meeting, meeting.id).notes is None
    user = db_session.get(User, former.id)
    assert user.email == f"former-user-{former.id}@invalid"
    assert user.password_hash is None
    assert db_session.get(User, users["officer"].id).email == "officer@tests.example.org"


def test_keep_decision_postpones_disposal_until_it_lapses(app, area, users, db_session):
    candidate = _candidate(db_session, area, "kept.example")
    db_session.add(RetentionDecision(object_type="Candidate", object_id=str(candidate.id),
                                     reason="Complaint under investigation", keep_until=NOW + timedelta(days=30),
                                     decided_by_id=users["auditor"].id))
    db_session.commit()
    retention.run(now=NOW)
    assert db_session.get(Candidate, candidate.id) is not None
    retention.run(now=NOW + timedelta(days=31))
    db_session.expire_all()
    assert db_session.get(Candidate, candidate.id) is None


def test_periods_are_configurable(app, area, db_session):
    app.config["RETENTION_CANDIDATE_DAYS"] = 200
    _candidate(db_session, area, "old.example")
    assert {r.policy.key: r.disposed for r in retention.run(now=NOW)}["candidates"] == 0


def test_old_audit_events_are_deleted_after_seven_years(app, db_session):
    """Uses the real clock: the database's own floor check uses the database's time."""
    from portal.extensions import db

    with db.engine.begin() as conn:
        for age in (7 * 366, 30):
            conn.execute(text("INSERT INTO audit_events (at, action, summary, details) "
                              "VALUES (:at, 'view', :summary, '{}')"),
                         {"at": (utcnow() - timedelta(days=age)).isoformat(sep=" "), "summary": f"age {age}"})
    results = {r.policy.key: r for r in retention.run()}
    assert results["audit_events"].disposed == 1
    summaries = {e.summary for e in db_session.query(AuditEvent).all()}
    assert "age 30" in summaries
    assert f"age {7 * 366}" not in summaries
    [event] = _disposals(db_session, "audit_events")
    assert len(event.details["ids"]) == 1


def test_audit_period_cannot_be_configured_below_the_database_floor(app):
    app.config["RETENTION_AUDIT_DAYS"] = 10
    from portal.auditor.policies import BY_KEY

    assert retention.period_days(BY_KEY["audit_events"]) > 6 * 366


def test_cli_run_with_a_frozen_clock(app, runner, area, db_session, monkeypatch):
    _candidate(db_session, area, "old.example")
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0
    assert "candidates" in dry.output
    assert "would dispose of      1" in dry.output
    assert db_session.query(Candidate).count() == 1
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Total: 1 records disposed of." in result.output
    assert db_session.query(Candidate).count() == 0


def test_scheduled_entry_point_runs_through_the_job_runner(app, area, db_session, monkeypatch):
    from portal import jobs

    _candidate(db_session, area, "old.example")
    monkeypatch.setattr(retention, "utcnow", lambda: NOW)
    jobs.enqueue("portal.auditor.retention.run_scheduled")  # JOBS_INLINE in tests
    assert db_session.query(Candidate).count() == 0


def test_rq_cron_config_registers_the_nightly_run():
    import importlib

    from rq import cron

    module = importlib.import_module("portal.auditor.cron")
    assert module is not None
    registered = [job for job in cron._job_data_registry if job.get("name") == "retention-nightly"]  # noqa: SLF001
    assert registered
    assert registered[0]["args"] == ("portal.auditor.retention.run_scheduled",)


# --- review UI -------------------------------------------------------------------------

def test_review_page_lists_records_due_and_keep_records_a_decision(client, auth, area, users, db_session):
    candidate = _candidate(db_session, area, "due.example", seen=utcnow() - timedelta(days=80))
    auth.login("auditor")
    page = client.get("/audit/retention")
    assert page.status_code == 200
    assert b'data-testid="due-candidates"' in page.data
    assert f"Candidate {candidate.id}".encode() in page.data
    keep_url = f"/audit/retention/keep?object_type=Candidate&object_id={candidate.id}"
    assert client.get(keep_url).status_code == 200
    bad = client.post(keep_url, data={"object_type": "Candidate", "object_id": str(candidate.id),
                                      "reason": "x", "months": "6"})
    assert bad.status_code == 422
    assert b"Give a reason" in bad.data
    assert db_session.query(RetentionDecision).count() == 0
    good = client.post(keep_url, data={"object_type": "Candidate", "object_id": str(candidate.id),
                                       "reason": "Needed for complaint C-123", "months": "6"})
    assert good.status_code == 303
    decision = db_session.query(RetentionDecision).one()
    assert decision.decided_by_id == users["auditor"].id
    assert decision.keep_until > utcnow() + timedelta(days=150)
    event = db_session.query(AuditEvent).filter_by(action="retention_keep").one()
    assert event.justification == "Needed for complaint C-123"
    assert event.object_id == str(candidate.id)
    after = client.get("/audit/retention").data
    assert b"will be kept" in after
    assert b'data-testid="due-candidates"' not in after


@pytest.mark.parametrize("query", ["object_type=Candidate&object_id=999999", "object_type=Nope&object_id=1",
                                   "object_type=Candidate&object_id=abc", "object_type=Candidate&object_id=" + "9" * 40])
def test_keep_refuses_unknown_records(client, auth, users, query):
    auth.login("admin")
    assert client.get(f"/audit/retention/keep?{query}").status_code == 404


@pytest.mark.parametrize("role", ["officer", "supervisor", "researcher"])
def test_only_auditors_and_admins_can_keep(client, auth, area, users, db_session, role):
    candidate = _candidate(db_session, area, "due.example")
    auth.login(role)
    response = client.post(f"/audit/retention/keep?object_type=Candidate&object_id={candidate.id}",
                           data={"object_type": "Candidate", "object_id": str(candidate.id),
                                 "reason": "I would like to keep this", "months": "24"})
    assert response.status_code == 403
    assert db_session.query(RetentionDecision).count() == 0


def test_reviewed_message_text_and_quoted_findings_are_anonymised(app, area, users, db_session):
    from portal.models import MessageReview

    contact = _contact_setup(db_session, area, users, NOW - timedelta(days=731))
    review = MessageReview(contact_id=contact.id, author_id=users["officer"].id, area_id=area.id,
                           message_text="Hello Jo Bloggs", comment="Don't name Jo Bloggs",
                           findings=[{"rule_code": "names", "matched_text": "Jo Bloggs", "severity": "advice"}],
                           decided_by_id=users["supervisor"].id, status="approved")
    db_session.add(review)
    db_session.commit()
    retention.run(now=NOW)
    db_session.expire_all()
    review = db_session.get(MessageReview, review.id)
    assert review.message_text is None
    assert review.comment is None
    assert "Jo Bloggs" not in str(review.findings)
    assert review.findings[0]["rule_code"] == "names"
    assert len(_disposals(db_session, "review_text")) == 1
