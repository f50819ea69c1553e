"""Find jobs lost with their process and run them again: ``flask jobs recover`` and ``list``.

In-process jobs die with the web process, so only this finds them (by the row's heartbeat).
On RQ, RQ finds a job whose worker died by its own heartbeat; this runs RQ's clean-up now
and then handles only the rows RQ no longer has (Redis was flushed or lost its data).
"""
from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import and_, func, or_, select, update

from portal import jobs_rq
from portal.extensions import db
from portal.jobs import dispatch, part_finished
from portal.models import Job, utcnow

logger = logging.getLogger(__name__)

jobs_cli = AppGroup("jobs", help="Inspect and recover background jobs.")


def recover_stale(stale_after: float = 300) -> list[str]:
    """Re-queue jobs whose worker stopped mid-run; mark them failed when out of attempts.

    A job is stale when it is ``running`` with no heartbeat for ``stale_after``
    seconds, or ``retrying`` or ``queued`` untouched that long. On RQ, a job RQ will
    still run or retry itself is left to RQ. Returns the ids re-queued.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    on_rq = bool(app.config.get("REDIS_URL"))
    if on_rq:
        jobs_rq.clean_up(app)
        db.session.expire_all()
    cutoff = utcnow() - timedelta(seconds=stale_after)
    stale = list(db.session.scalars(select(Job).where(or_(
        and_(Job.status == "running", func.coalesce(Job.heartbeat_at, Job.started_at) <= cutoff),
        and_(Job.status.in_(["retrying", "queued"]), Job.updated_at <= cutoff),
    ))))
    requeued = []
    for job in stale:
        if on_rq and jobs_rq.still_has(app, job.id):
            continue
        if _requeue(job):
            requeued.append(job.id)
    if stale:
        logger.info("recovery: %d stale job(s), %d re-queued", len(stale), len(requeued))
    return requeued


def _requeue(job: Job) -> bool:
    """Re-send one stale job (or fail it when out of attempts); True when it was re-sent."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    old_status, out_of_attempts = job.status, job.attempts >= job.max_attempts
    with db.engine.begin() as conn:
        changed = conn.execute(
            update(Job.__table__).where(Job.__table__.c.id == job.id, Job.__table__.c.status == old_status)
            .values(status="failed" if out_of_attempts else "queued",
                    finished_at=utcnow() if out_of_attempts else None,
                    message=f"interrupted while {old_status}"
                    + ("; no attempts left" if out_of_attempts else "; re-queued"))
        ).rowcount
    if not changed:
        return False
    logger.warning("job %s (%s) was interrupted while %s; %s", job.id, job.kind, old_status,
                   "no attempts left" if out_of_attempts else "re-queued")
    if out_of_attempts:
        part_finished(app, job.id)
        return False
    db.session.expire_all()
    dispatch(app, job.id, retries=job.max_attempts - job.attempts - 1)
    return True


@jobs_cli.command("recover")
@click.option("--stale-after", default=300.0, show_default=True, help="Seconds without a heartbeat.")
def recover_command(stale_after: float) -> None:
    """Re-queue jobs interrupted by a stopped worker (run from cron or after a crash)."""
    ids = recover_stale(stale_after)
    click.echo(f"Re-queued {len(ids)} job(s)." + ("" if not ids else " " + " ".join(ids)))


@jobs_cli.command("list")
@click.option("--limit", default=20, show_default=True)
def list_command(limit: int) -> None:
    """Show the latest jobs."""
    for job in db.session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit)):
        total = f"/{job.total}" if job.total is not None else ""
        click.echo(f"{job.id}  {job.kind:20} {job.status:9} {job.progress}{total}  "
                   f"attempt {job.attempts}/{job.max_attempts}  {job.message or ''}")
