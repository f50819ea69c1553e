"""Deliver notices: the job that sends one, and the sweep that retries what failed.

A notice is claimed (pending/failed -> sending, tries + 1) before it is sent, so two
deliveries of one job send it once; a refusal by the mail service marks it failed with the
error and raises, so the job runner retries it; when the job's attempts are used up it stays
failed, shown to admins, and ``flask notify run`` tries it again until NOTIFY_MAX_TRIES.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, or_, select, update

from portal import logs
from portal.extensions import db
from portal.models import Notification, User, utcnow
from portal.notices import bodies
from portal.notices.senders import Mail, SendError, sender_for
from portal.notices.services import absolute, requeue

logger = logging.getLogger(__name__)

STALE_SENDING = timedelta(minutes=15)  # a worker that died mid-send left the notice "sending"


def _claim(notice_id: int) -> bool:
    table = Notification.__table__
    stale = utcnow() - STALE_SENDING
    claimed = cast("CursorResult[Any]", db.session.execute(
        update(table).where(table.c.id == notice_id,
                            or_(table.c.status.in_(("pending", "failed")),
                                (table.c.status == "sending") & (table.c.updated_at < stale)))
        .values(status="sending", tries=table.c.tries + 1, updated_at=utcnow())
    )).rowcount
    db.session.commit()
    return claimed == 1


def _link(notice: Notification, user: User) -> str:
    if notice.kind == "invite":
        # The token exists only here and in the e-mail: the table keeps its hash (models/people.py).
        token = user.issue_invite(current_app.config["RETENTION_INVITE_DAYS"])
        db.session.commit()
        return absolute("auth.accept_invite", token=token)
    return notice.link or absolute("main.home")


def send(notice_id: int) -> dict[str, Any]:
    """Job: send one notice, unless it was sent already; raise (to be retried) when the service refuses."""
    if not _claim(notice_id):
        return {"skipped": "already sent, cancelled or being sent"}
    notice = db.session.get(Notification, notice_id)
    if notice is None:  # deleted (retention) between the claim and now
        return {"skipped": "no such notice"}
    user = db.session.get(User, notice.user_id)
    if user is None or not user.active or (notice.kind == "invite" and not user.invite_pending):
        notice.status, notice.last_error = "cancelled", "the account is no longer active or waiting"
        db.session.commit()
        return {"cancelled": notice_id}
    link = _link(notice, user)
    mail = Mail(to=user.email, subject=bodies.subject_of(notice), reference=f"notice-{notice.id}",
                body=bodies.body_of(notice, link, absolute("notices.settings")))
    try:
        sender_for(current_app.config).send(mail)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the notice is failed (not left "sending")
        error = exc if isinstance(exc, SendError) else f"{exc.__class__.__name__}: {exc}"
        notice.status, notice.last_error = "failed", str(error)[:500]
        db.session.commit()
        # The error's text can name the address (a server refusing a recipient does): the
        # admins' failed list shows it all, the log the kind of failure only.
        logger.warning("notice %s (%s) was not sent: %s", notice.id, notice.kind, logs.failure(exc))
        raise
    notice.status, notice.sent_at, notice.last_error = "sent", utcnow(), None
    db.session.commit()
    logger.info("notice %s (%s) sent", notice.id, notice.kind)
    return {"sent": notice_id}


def retry_failed(limit: int = 500) -> int:
    """Queue another try of failed notices (and of sends a dead worker left) below NOTIFY_MAX_TRIES."""
    stale = utcnow() - STALE_SENDING
    due = list(db.session.scalars(
        select(Notification).where(
            Notification.tries < current_app.config["NOTIFY_MAX_TRIES"],
            or_(Notification.status == "failed",
                (Notification.status == "sending") & (Notification.updated_at < stale),
                (Notification.status == "pending") & (Notification.created_at < stale)))
        .order_by(Notification.id).limit(limit)))
    for notice in due:
        requeue(notice)
    db.session.commit()
    return len(due)
