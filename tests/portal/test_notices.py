"""Notices by e-mail: who hears of what, what a notice says, choices, retries, and both mail services.

The mail services are real: an aiosmtpd SMTP server on loopback, and a stand-in for GOV.UK
Notify's API that checks the official client's signed token.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, NoticeOptOut, Notification, OutreachContact
from portal.notices import delivery, events
from portal.notices import services as notices
from tests.conftest import ROLE_EMAILS
from tests.portal.guidance_factories import RISKY, make_forum, make_held, make_staff
from tests.notices_support import NOTIFY_API_KEY, TEMPLATE_ID, NotifyStandIn, SmtpSink

PUBLIC = "https://reach.example.police.uk"


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def app_config(app_config, smtp):
    return {**app_config, "NOTIFY_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": smtp.port,
            "MAIL_FROM": "local-reach@force.example", "PUBLIC_URL": PUBLIC}


@pytest.fixture
def community(db_session, area):
    return make_forum(area)


def _log_risky(client, community):
    return client.post("/contacts/new", data={"community_id": str(community.id), "channel": "group_post",
                                              "outcome": "pending", "message_text": RISKY})


def _body(message) -> str:
    return message.get_body(("plain",)).get_content()


def test_a_held_message_e_mails_the_supervisors_who_may_decide_it_and_not_the_author(
        client, auth, db_session, users, community, area, smtp):
    other_area_supervisor = make_staff("sgt.elsewhere@tests.example.org", "supervisor")
    auth.login("officer")
    assert _log_risky(client, community).status_code == 303
    review_id = db_session.scalar(select(Notification.object_id).where(Notification.kind == "held_message"))
    [mail] = smtp.to(ROLE_EMAILS["supervisor"])
    assert mail["Subject"] == "A message is waiting for your decision"
    assert mail["From"] == "local-reach@force.example"
    body = _body(mail)
    assert f"{PUBLIC}/guidance/reviews/{review_id}" in body
    assert "arrested" not in body
    assert "burglar" not in body
    assert "Test Town Forum" not in body
    assert not smtp.to(ROLE_EMAILS["officer"])
    assert not smtp.to(other_area_supervisor.email)
    notice = db_session.scalar(select(Notification).where(Notification.kind == "held_message"))
    assert (notice.status, notice.tries, notice.sent_at is not None) == ("sent", 1, True)


def test_the_decision_e_mails_the_officer(client, auth, db_session, users, community, smtp):
    review = make_held(community, users["officer"])
    auth.login("supervisor")
    response = client.post(f"/guidance/reviews/{review.id}/decide",
                           data={"decision": "changes", "comment": "Leave the arrest out."})
    assert response.status_code in (200, 303)
    [mail] = smtp.to(ROLE_EMAILS["officer"])
    assert mail["Subject"] == "A supervisor has decided on your message"
    assert f"{PUBLIC}/guidance#decisions" in _body(mail)
    assert "Leave the arrest out" not in _body(mail)  # the comment stays in the portal


def test_a_backup_request_e_mails_the_area_supervisors_at_once(client, auth, db_session, users, community, smtp):
    auth.login("officer")
    response = client.post("/guidance/flags/new", data={"community_id": community.id, "reason": "hostile_thread",
                                                        "note": "Replies naming a resident"})
    assert response.status_code == 303
    [mail] = smtp.to(ROLE_EMAILS["supervisor"])
    assert mail["Subject"] == "An officer has asked for backup"
    assert "/guidance/flags/" in _body(mail)
    assert "naming a resident" not in _body(mail)
    assert not smtp.to(ROLE_EMAILS["admin"])  # an area supervisor exists, so admins are not told


def test_backup_falls_back_to_other_supervisors_then_admins(db_session, users, community, area):
    users["supervisor"].areas = []
    db_session.commit()
    assert [u.email for u in events.backup_supervisors(community, users["officer"].id)] == [ROLE_EMAILS["supervisor"]]
    users["supervisor"].active = False
    db_session.commit()
    assert [u.email for u in events.backup_supervisors(community, users["officer"].id)] == [ROLE_EMAILS["admin"]]


def test_an_invitation_is_e_mailed_and_its_link_opens_the_invitation(client, auth, db_session, users, smtp):
    auth.login("admin")
    response = client.post("/admin/users", data={"email": "new.pcso@tests.example.org", "display_name": "New PCSO",
                                                  "role": "officer"})
    assert response.status_code == 200
    assert b"Invitation e-mailed to new.pcso@tests.example.org" in response.data
    assert b'data-testid="invite-link"' not in response.data  # nothing to copy by hand
    [mail] = smtp.to("new.pcso@tests.example.org")
    link = next(line for line in _body(mail).splitlines() if "/invite/" in line).strip()
    token = link.rsplit("/", 1)[1]
    assert link.startswith(f"{PUBLIC}/invite/")
    notice = db_session.scalar(select(Notification).where(Notification.kind == "invite"))
    assert token not in repr((notice.link, notice.facts, notice.last_error))  # the token is not kept
    auth.logout()
    assert client.get(f"/invite/{token}").status_code == 200


def test_the_digest_lists_exactly_each_officers_due_and_overdue_follow_ups(db_session, users, community, area,
                                                                          runner, smtp):
    second = make_staff("pc.two@tests.example.org", "officer", area)
    today = date(2026, 12, 7)

    def contact(officer, due, closed=False):
        row = OutreachContact(community_id=community.id, officer_id=officer.id, channel="comment",
                              purpose="inform", follow_up_on=due)
        if closed:
            from portal.models import utcnow
            row.follow_up_closed_at = utcnow()
        db_session.add(row)
        db_session.commit()
        return row

    overdue = contact(users["officer"], today - timedelta(days=3))
    due_today = contact(users["officer"], today)
    contact(users["officer"], today + timedelta(days=1))  # not yet due
    contact(users["officer"], today - timedelta(days=9), closed=True)  # done
    seconds = contact(second, today)
    result = runner.invoke(args=["notify", "run", "--date", today.isoformat()])
    assert result.exit_code == 0, result.output
    assert "Queued 2 digests" in result.output
    [first] = smtp.to(ROLE_EMAILS["officer"])
    assert first["Subject"] == "Follow-ups: 1 overdue, 1 due today"
    listed = [line for line in _body(first).splitlines() if line.startswith("- ")]
    assert listed == [f"- Test Town Forum, due {(today - timedelta(days=3)).isoformat()}: "
                      f"{PUBLIC}/contacts/{overdue.id}/follow-up",
                      f"- Test Town Forum, due {today.isoformat()}: {PUBLIC}/contacts/{due_today.id}/follow-up"]
    [other] = smtp.to(second.email)
    assert [line for line in _body(other).splitlines() if line.startswith("- ")] == [
        f"- Test Town Forum, due {today.isoformat()}: {PUBLIC}/contacts/{seconds.id}/follow-up"]
    assert not smtp.to(ROLE_EMAILS["supervisor"])  # nothing due: no digest
    again = runner.invoke(args=["notify", "run", "--date", today.isoformat()])
    assert "Queued 0 digests" in again.output
    assert len(smtp.messages) == 2


def test_a_user_who_opts_out_gets_no_such_notice(client, auth, db_session, users, community, smtp):
    auth.login("supervisor")
    page = client.get("/settings/notices")
    assert page.status_code == 200
    assert b"E-mail me when" in page.data
    kept = ["decision", "backup_request", "export_ready", "digest"]
    assert client.post("/settings/notices", data={"kinds": kept}).status_code == 303
    assert db_session.scalars(select(NoticeOptOut.kind)).all() == ["held_message"]
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.summary == "Changed which notices they get"))
    auth.logout()
    auth.login("officer")
    _log_risky(client, community)
    assert not smtp.to(ROLE_EMAILS["supervisor"])
    assert db_session.scalar(select(Notification.id)) is None


def test_a_mail_server_failure_loses_no_notice(client, auth, db_session, users, community, smtp, runner, app):
    smtp.recorder.refuse = True
    auth.login("officer")
    assert _log_risky(client, community).status_code == 303  # the officer's work is saved regardless
    notice = db_session.scalar(select(Notification))
    assert notice.status == "failed"
    assert notice.tries == app.config["JOBS_MAX_ATTEMPTS"]
    assert "451" in notice.last_error
    assert smtp.recorder.refused == notice.tries
    auth.logout()
    auth.login("admin")
    page = client.get("/admin/notices?status=failed")
    assert page.status_code == 200
    assert b"Mail server temporarily unavailable" in page.data
    assert ROLE_EMAILS["supervisor"].encode() in page.data
    smtp.recorder.refuse = False
    result = runner.invoke(args=["notify", "run", "--no-digest"])
    assert "1 retries" in result.output, result.output
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).status == "sent"
    assert len(smtp.to(ROLE_EMAILS["supervisor"])) == 1
    assert runner.invoke(args=["notify", "run", "--no-digest"]).output.startswith("Queued 0 digests and 0 retries")
    assert len(smtp.messages) == 1  # sent once


def test_a_refused_address_is_logged_without_the_address(db_session, users, smtp, caplog):
    smtp.recorder.refuse_recipients = True
    notice = notices.queue(users["supervisor"], "backup_request", link=f"{PUBLIC}/x")
    db_session.commit()
    with caplog.at_level("WARNING", logger="portal.notices.delivery"):
        notices.dispatch_queued()
    db_session.expire_all()
    assert ROLE_EMAILS["supervisor"] in db_session.get(Notification, notice.id).last_error  # for the admins
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.notices.delivery"]
    assert lines[0] == f"notice {notice.id} (backup_request) was not sent: SendError from SMTPRecipientsRefused"
    assert ROLE_EMAILS["supervisor"] not in caplog.text
    assert ROLE_EMAILS["supervisor"].split("@")[0] not in caplog.text


def test_a_mail_server_that_is_down_loses_no_notice_and_an_admin_resends_it(client, auth, db_session, users,
                                                                            community, smtp):
    smtp.stop()
    auth.login("officer")
    assert _log_risky(client, community).status_code == 303
    notice = db_session.scalar(select(Notification))
    assert notice.status == "failed"
    assert "ConnectionRefusedError" in notice.last_error
    smtp.start()  # the mail server is back, on the same port
    auth.logout()
    auth.login("admin")
    assert client.post(f"/admin/notices/{notice.id}/retry").status_code == 303
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).status == "sent"
    assert len(smtp.to(ROLE_EMAILS["supervisor"])) == 1
    assert b"Every notice has been sent" in client.get("/admin/notices").data


def test_a_notice_delivered_twice_is_sent_once(db_session, users, community, smtp):
    notice = notices.queue(users["supervisor"], "backup_request", link=f"{PUBLIC}/x")
    db_session.commit()
    assert delivery.send(notice.id) == {"sent": notice.id}
    assert delivery.send(notice.id)["skipped"]
    assert len(smtp.messages) == 1


def test_a_rolled_back_change_sends_nothing(db_session, users, community, smtp):
    notices.queue(users["supervisor"], "backup_request", link=f"{PUBLIC}/x")
    db_session.rollback()
    assert notices.dispatch_queued() == 0
    assert db_session.scalar(select(Notification.id)) is None
    assert not smtp.messages


def test_inactive_users_get_no_notices(db_session, users, smtp):
    users["supervisor"].active = False
    assert notices.queue(users["supervisor"], "backup_request", link="x") is None


def test_notices_page_is_for_admins_and_audited(client, auth, users):
    auth.login("supervisor")
    assert client.get("/admin/notices").status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.get("/admin/notices").status_code == 200
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.summary == "Viewed notices waiting or failed"))


def test_export_ready_e_mails_the_researcher(db_session, users, smtp):
    events.export_ready("a" * 32, users["researcher"].id)
    db_session.commit()
    notices.dispatch_queued()
    [mail] = smtp.to(ROLE_EMAILS["researcher"])
    assert f"{PUBLIC}/research/exports/{'a' * 32}" in _body(mail)


# --- GOV.UK Notify ------------------------------------------------------------------

@pytest.fixture
def notify_api():
    stand_in = NotifyStandIn()
    url = stand_in.start()
    yield stand_in, url
    stand_in.stop()


def _notify_app(app, url, key=NOTIFY_API_KEY):
    app.config.update(NOTIFY_BACKEND="govuk_notify", NOTIFY_API_KEY=key, NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
                      NOTIFY_BASE_URL=url)


def test_notify_sends_through_the_official_client(app, db_session, users, notify_api, smtp):
    stand_in, url = notify_api
    _notify_app(app, url)
    events.export_ready("b" * 32, users["researcher"].id)
    db_session.commit()
    notices.dispatch_queued()
    [sent] = stand_in.received
    assert sent["email_address"] == ROLE_EMAILS["researcher"]
    assert sent["template_id"] == TEMPLATE_ID
    assert sent["personalisation"]["subject"] == "Your research package is ready to download"
    assert f"{PUBLIC}/research/exports/{'b' * 32}" in sent["personalisation"]["body"]
    assert sent["reference"].startswith("notice-")
    assert db_session.scalar(select(Notification.status)) == "sent"
    assert not smtp.messages


@pytest.mark.parametrize(("key", "fail_with", "words"), [
    (NOTIFY_API_KEY, 500, "500"),
    (NOTIFY_API_KEY[:-4] + "0000", None, "Invalid token"),  # a wrong secret: the stand-in refuses the token
])
def test_notify_refusals_leave_the_notice_failed_for_a_retry(app, db_session, users, notify_api, key, fail_with,
                                                             words):
    stand_in, url = notify_api
    stand_in.fail_with = fail_with
    _notify_app(app, url, key)
    events.export_ready("c" * 32, users["researcher"].id)
    db_session.commit()
    notices.dispatch_queued()
    db_session.expire_all()
    notice = db_session.scalar(select(Notification))
    assert notice.status == "failed"
    assert words in notice.last_error
    assert not stand_in.received


def test_nothing_is_recorded_without_a_mail_service(app, db_session, users):
    app.config["NOTIFY_BACKEND"] = ""
    assert notices.queue(users["supervisor"], "backup_request", link="x") is None


def test_notify_run_says_when_no_mail_service_is_configured(app, runner):
    app.config["NOTIFY_BACKEND"] = ""
    result = runner.invoke(args=["notify", "run"])
    assert result.exit_code != 0
    assert "No mail service is configured" in result.output


def test_notify_list_counts_notices_by_kind_and_state(runner, db_session, users, smtp):
    notices.queue(users["supervisor"], "backup_request", link=f"{PUBLIC}/x")
    db_session.commit()
    notices.dispatch_queued()
    assert runner.invoke(args=["notify", "list"]).output.split() == ["backup_request", "sent", "1"]


def test_the_settings_page_works_without_a_mail_service(app, client, auth, users):
    app.config["NOTIFY_BACKEND"] = ""
    auth.login("officer")
    page = client.get("/settings/notices")
    assert page.status_code == 200
    assert b"does not send e-mail yet" in page.data


def test_an_address_the_mail_header_refuses_fails_the_notice_rather_than_leaving_it_sending(db_session, users, smtp):
    users["supervisor"].email = "sgt\r\nBcc: everyone@x.example"
    notice = notices.queue(users["supervisor"], "backup_request", link=f"{PUBLIC}/x")
    db_session.commit()
    notices.dispatch_queued()
    db_session.expire_all()
    failed = db_session.get(Notification, notice.id)
    assert failed.status == "failed"
    assert failed.last_error
    assert not smtp.messages
