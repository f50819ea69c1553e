"""The RQ backend of portal.jobs: what RQ itself does (retries, liveness, abandoned jobs).

RQ provides, and this backend uses:
- ``Retry``: a failed attempt is retried by RQ, at RETRY_INTERVALS, up to the job's attempts;
- job heartbeats: the worker keeps each running job alive in RQ's started registry, and
  RQ's registry clean-up (a live worker's maintenance, or ``flask jobs recover``) fails
  an abandoned job (its worker was killed or lost) and retries it if it has retries left;
- an ``on_failure`` callback, which RQ calls for every failed attempt, abandoned ones
  included: ``portal.jobs.record_failed_attempt`` records the attempts the job could not
  record itself, so RQ's retry of an abandoned job is then claimed and run.
The ``Job`` row stays the portal's record (status, progress, attempts, the claim that makes
a second delivery a no-op): the portal reads it without Redis, and the in-process backend
has only it. Fan-in stays on the row too (see ``portal.jobs.part_finished`` for why).
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, current_app, has_app_context

logger = logging.getLogger(__name__)

RETRY_INTERVALS = [10, 60, 300]  # seconds between RQ retries
#: RQ job states in which RQ will still run or retry the job itself.
RQ_STILL_HAS_IT = {"queued", "started", "deferred", "scheduled"}


def redis_connection(app: Flask | None = None, **options: Any) -> Any:
    """Return a Redis connection for REDIS_URL (`options` go to redis-py), or None when jobs run in-process."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, **options)


def queue(app: Flask | None = None) -> Any:
    """Return the RQ queue (None in-process)."""
    app = app or current_app
    conn = redis_connection(app)
    if conn is None:
        return None
    from rq import Queue

    return Queue(app.config.get("RQ_QUEUE", "local-reach"), connection=conn)


def send(rq_queue: Any, job_id: str, timeout: int, retries: int) -> None:
    """Put a recorded job on the RQ queue, under the row's id, with RQ's retries and failure callback."""
    from rq import Callback, Retry

    # Both entry points are named, not imported: RQ imports them in the worker by name.
    rq_queue.enqueue("portal.jobs.run_job", job_id, job_id=job_id, job_timeout=timeout,
                     retry=Retry(max=retries, interval=RETRY_INTERVALS[:retries]) if retries > 0 else None,
                     on_failure=Callback("portal.jobs.record_failed_attempt"),
                     result_ttl=86400, failure_ttl=7 * 86400)


def still_has(app: Flask, job_id: str) -> bool:
    """True when RQ will still run this job itself (queued, running, waiting for a retry)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job as RQJob

    try:
        status = RQJob.fetch(job_id, connection=redis_connection(app)).get_status()
    except NoSuchJobError:
        return False
    return str(getattr(status, "value", status)) in RQ_STILL_HAS_IT


def clean_up(app: Flask) -> None:
    """Run RQ's started-registry clean-up now: abandoned jobs are failed (callback) and retried."""
    from rq.registry import StartedJobRegistry

    StartedJobRegistry(queue=queue(app)).cleanup()


@contextmanager
def app_for_work() -> Iterator[Flask]:
    """Yield the current app, or one made for this piece of work (an RQ work horse has none).

    RQ's default worker forks a fresh work horse per job, so an app per job is what a
    module-level app gave too, without the module state; its connections are closed after.
    """
    if has_app_context():
        yield current_app._get_current_object()  # type: ignore[attr-defined]
        return
    from portal import create_app
    from portal.extensions import db

    app = create_app()
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
