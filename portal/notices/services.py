"""Record notices with the change they are about, and start their delivery once it is committed.

``queue`` adds a ``Notification`` and its delivery job to the current transaction, so a rolled
back change sends nothing and a committed one always has its notice. After the request (or,
outside requests, when the caller has committed and calls ``dispatch_queued``) the jobs are
handed to the job runner. Nothing here raises into the page: a notice that cannot be sent
stays recorded, failed, for a retry.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, current_app, g, has_request_context, request, url_for
from sqlalchemy import select

from portal import jobs, logs
from portal.extensions import db
from portal.models import REQUIRED_KINDS, Job, NoticeOptOut, Notification, User

logger = logging.getLogger(__name__)

JOB = "portal.notices.delivery:send"
G_KEY = "local_reach_notice_jobs"


def enabled() -> bool:
    """True when a mail service is configured (NOTIFY_BACKEND)."""
    return bool(current_app.config.get("NOTIFY_BACKEND"))


def wants(user: User, kind: str) -> bool:
    """Whether the user gets this kind of notice (every kind until they opt out; invites always)."""
    if kind in REQUIRED_KINDS:
        return True
    return db.session.get(NoticeOptOut, (user.id, kind)) is None


def absolute(endpoint: str, **values) -> str:
    """The link to a page as its reader will open it: PUBLIC_URL, else this request's address."""
    path = url_for(endpoint, **values, _external=False) if has_request_context() else _path_for(endpoint, values)
    base = current_app.config.get("PUBLIC_URL") or (request.url_root.rstrip("/") if has_request_context() else "")
    return f"{base}{path}"


def _path_for(endpoint: str, values: dict) -> str:
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def queue(user: User | None, kind: str, *, link: str | None = None, about: object = None,
          facts: dict | None = None, dedupe_key: str | None = None) -> Notification | None:
    """Record a notice to ``user`` in the current transaction; None when none is due.

    None when no mail service is configured, the user is inactive or opted out of this kind,
    or a notice with the same ``dedupe_key`` exists.
    """
    if user is None or not enabled() or not user.active or not user.email or not wants(user, kind):
        return None
    if dedupe_key and db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    notice = Notification(user_id=user.id, kind=kind, link=link, facts=facts or {}, dedupe_key=dedupe_key,
                          object_type=type(about).__name__ if about is not None else None,
                          object_id=getattr(about, "id", None), status="pending", tries=0)
    db.session.add(notice)
    db.session.flush()
    job = jobs.prepare(JOB, notice.id, kind="notice", job_timeout=120,
                       max_attempts=current_app.config.get("JOBS_MAX_ATTEMPTS", 3))
    notice.job_id = job.id
    g.setdefault(G_KEY, []).append(job.id)
    return notice


def requeue(notice: Notification) -> None:
    """Try a notice again (from `flask notify run` or the admin page): a new delivery job."""
    job = jobs.prepare(JOB, notice.id, kind="notice", job_timeout=120, max_attempts=1)
    notice.job_id = job.id
    if notice.status in {"failed", "sending"}:
        notice.status = "pending"
    g.setdefault(G_KEY, []).append(job.id)


def dispatch_queued() -> int:
    """Start the delivery of the notices queued in this context whose records were committed."""
    job_ids = g.pop(G_KEY, [])
    started = 0
    for job_id in job_ids:
        try:
            if db.session.get(Job, job_id) is None:  # its transaction was rolled back: nothing to send
                continue
            jobs.submit(job_id)
            started += 1
        except Exception as exc:  # noqa: BLE001 - the notice stays recorded; `flask notify run` retries it
            logger.error("could not start the delivery job %s of a notice: %s", job_id, logs.failure(exc))
            db.session.rollback()
    return started


def _after_request(response: Response) -> Response:
    if g.get(G_KEY):
        session = db.session()
        if session.new or session.dirty or session.deleted:
            session.rollback()  # what the view did not commit is not ours to commit
        dispatch_queued()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_after_request)
