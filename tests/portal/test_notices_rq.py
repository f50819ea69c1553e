"""Notices through a REAL `rq worker` process when REDIS_URL is set (the web only queues them)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.models import Job, Notification
from portal.notices import services as notices
from tests.conftest import ROLE_EMAILS
from tests.notices_support import SmtpSink
from tests.portal.test_jobs_rq import _promote_scheduled, _run_burst, rq_app  # noqa: F401  (the fixture, shared)

pytestmark = [pytest.mark.redis, pytest.mark.slow]


@pytest.fixture
def smtp():
    sink = SmtpSink()
    yield sink
    sink.stop()


def _mail_through(app, smtp) -> None:
    mail = {"NOTIFY_BACKEND": "smtp", "MAIL_HOST": "127.0.0.1", "MAIL_PORT": str(smtp.port),
            "PUBLIC_URL": "https://reach.example.police.uk"}
    app.config.update({**mail, "MAIL_PORT": smtp.port})
    app.extensions["test_rq_env"].update(mail)


def test_a_notice_is_sent_by_an_rq_worker(rq_app, db_session, users, smtp):  # noqa: F811
    _mail_through(rq_app, smtp)
    notice = notices.queue(users["supervisor"], "backup_request", link="https://reach.example.police.uk/guidance/flags/1")
    db_session.commit()
    assert notices.dispatch_queued() == 1
    assert not smtp.messages  # queued on Redis, not sent by the web process
    _run_burst(rq_app)
    db_session.expire_all()
    sent = db_session.get(Notification, notice.id)
    assert (sent.status, sent.tries) == ("sent", 1)
    assert db_session.scalar(select(Job.status).where(Job.id == sent.job_id)) == "done"
    [message] = smtp.to(ROLE_EMAILS["supervisor"])
    assert "/guidance/flags/1" in message.get_body(("plain",)).get_content()


def test_a_refused_notice_is_retried_by_rq_and_then_sent(rq_app, db_session, users, smtp):  # noqa: F811
    _mail_through(rq_app, smtp)
    smtp.recorder.refuse = True
    notice = notices.queue(users["supervisor"], "backup_request", link="https://reach.example.police.uk/x")
    db_session.commit()
    notices.dispatch_queued()
    _run_burst(rq_app)
    db_session.expire_all()
    failed = db_session.get(Notification, notice.id)
    assert (failed.status, failed.tries) == ("failed", 1)
    assert "451" in failed.last_error
    smtp.recorder.refuse = False
    assert _promote_scheduled(rq_app)  # RQ scheduled the retry; run it now rather than wait
    _run_burst(rq_app)
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).status == "sent"
    assert len(smtp.messages) == 1
