"""Background work: in-process threads by default, RQ on Redis when REDIS_URL is set.

A job is the dotted path of a function plus JSON arguments, recorded as a ``Job``
row before it is handed to a backend. The row is the source of truth: whichever
backend runs the job claims the row first (queued/retrying -> running), so a job
delivered twice runs once, and status, progress and attempts are visible to the
portal and to every worker machine.

Robustness:
- a job that raises is retried (RQ ``Retry``; in-process by resubmitting) until
  ``max_attempts`` runs have been made, then marked ``failed``;
- a running job writes a heartbeat; ``recover_stale`` (``flask jobs recover``)
  re-queues jobs whose worker died mid-run (killed, machine lost) or marks them
  failed when they have no attempts left. RQ's own registry clean-up also retries
  abandoned jobs; the claim makes the two safe together;
- ``enqueue_many`` fans one piece of work out over many jobs (e.g. one crawl split
  by seed or by site with ``shard``) and runs a fan-in job once, after the last part.
Job code must be idempotent per part (e.g. upsert candidates by (area_id, site_key)).
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import and_, func, or_, select, update

from portal.extensions import db
from portal.models import Job, utcnow

logger = logging.getLogger(__name__)

EXECUTOR_KEY = "local_reach_executor"
RETRY_INTERVALS = [10, 60, 300]  # seconds between RQ retries
_current_job: ContextVar[str | None] = ContextVar("local_reach_job", default=None)
_worker_app: Flask | None = None
jobs_cli = AppGroup("jobs", help="Inspect and recover background jobs.")


def resolve(func_path: str) -> Callable[..., Any]:
    """Import ``package.module:function`` (or ``package.module.function``)."""
    module_name, _, attr = func_path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


def redis_connection(app: Flask | None = None, **options):
    """Return a Redis connection for REDIS_URL (`options` go to redis-py), or None when jobs run in-process."""
    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis

    return Redis.from_url(url, **options)


def queue(app: Flask | None = None):
    """Return the RQ queue (None in-process)."""
    app = app or current_app
    conn = redis_connection(app)
    if conn is None:
        return None
    from rq import Queue

    return Queue(app.config.get("RQ_QUEUE", "local-reach"), connection=conn)


# --- submitting ---------------------------------------------------------------------

def _new_job(func_path: str, args: Sequence, kwargs: dict, *, kind: str | None, job_timeout: int,
             max_attempts: int | None, requested_by_id: int | None, parent_id: str | None) -> Job:
    try:
        json.dumps([list(args), kwargs])
    except TypeError as exc:
        raise TypeError(f"job arguments must be JSON values: {exc}") from exc
    attempts = max_attempts or current_app.config.get("JOBS_MAX_ATTEMPTS", 3)
    job = Job(id=uuid.uuid4().hex, kind=(kind or func_path.replace(":", ".").rpartition(".")[2])[:40],
              status="queued", progress=0, max_attempts=max(1, attempts), attempts=0, parent_id=parent_id,
              requested_by_id=requested_by_id, result={},
              payload={"func": func_path, "args": list(args), "kwargs": kwargs, "timeout": job_timeout})
    db.session.add(job)
    return job


def enqueue(func_path: str, *args: Any, job_timeout: int = 3600, kind: str | None = None,
            max_attempts: int | None = None, requested_by_id: int | None = None, **kwargs: Any) -> str:
    """Run ``func_path(*args, **kwargs)`` in the background; return the job id.

    Commits the current session first, so the worker sees the records the job needs
    (e.g. the CrawlRun it will fill in). Arguments must be JSON values (ids, not objects).
    """
    job = _new_job(func_path, args, kwargs, kind=kind, job_timeout=job_timeout, max_attempts=max_attempts,
                   requested_by_id=requested_by_id, parent_id=None)
    db.session.commit()
    job_id = job.id
    _dispatch(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    return job_id


def prepare(func_path: str, *args: Any, job_timeout: int = 3600, kind: str | None = None,
            max_attempts: int | None = None, requested_by_id: int | None = None) -> Job:
    """Record a job in the current transaction without starting it; ``submit`` it after the commit.

    For work that must exist exactly when the change that asks for it does (a notice about a
    held message is recorded with the hold): a rolled-back transaction leaves no job, and a
    job submitted but not committed is skipped by the worker's claim.
    """
    return _new_job(func_path, args, {}, kind=kind, job_timeout=job_timeout, max_attempts=max_attempts,
                    requested_by_id=requested_by_id, parent_id=None)


def submit(job_id: str) -> None:
    """Hand a committed, prepared job to the backend (in-process, inline, or RQ)."""
    _dispatch(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]


def enqueue_many(func_path: str, arg_lists: Iterable[Sequence[Any]], *, kind: str,
                 then: tuple[str, Sequence[Any]] | None = None, job_timeout: int = 3600,
                 max_attempts: int | None = None, requested_by_id: int | None = None) -> str:
    """Fan out: one job per argument list; return the id of the parent job that tracks them.

    The parent's ``progress``/``total`` count finished parts. When the last part
    finishes (done, or failed with no attempts left), the parent is marked done (or
    failed if any part failed) and ``then = (func_path, args)`` is enqueued once, called
    as ``func(*args, fan_out_id=<parent id>)`` (fan in).
    """
    parts = [list(a) for a in arg_lists]
    parent = Job(id=uuid.uuid4().hex, kind=kind[:40], status="waiting", progress=0, total=len(parts),
                 attempts=0, max_attempts=1, requested_by_id=requested_by_id, result={},
                 payload={"fan_out": func_path, "then": list(then) if then else None}, started_at=utcnow())
    db.session.add(parent)
    children = [_new_job(func_path, a, {}, kind=kind, job_timeout=job_timeout, max_attempts=max_attempts,
                         requested_by_id=requested_by_id, parent_id=parent.id) for a in parts]
    db.session.commit()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    parent_id, child_ids = parent.id, [c.id for c in children]
    if not child_ids:
        _close_parent(app, parent_id)
    for child_id in child_ids:
        _dispatch(app, child_id)
    return parent_id


def shard(items: Iterable[Any], parts: int, key: Callable[[Any], str] = str) -> list[list[Any]]:
    """Split items into at most ``parts`` groups by a stable hash of ``key(item)``.

    The same key always lands in the same group, on every machine and run, so
    splitting a crawl by site gives each site to exactly one worker.
    """
    groups: list[list[Any]] = [[] for _ in range(max(1, parts))]
    for item in items:
        digest = hashlib.blake2b(key(item).encode("utf-8"), digest_size=8).digest()
        groups[int.from_bytes(digest, "big") % len(groups)].append(item)
    return [g for g in groups if g]


def _dispatch(app: Flask, job_id: str, *, retries: int | None = None) -> None:
    job = db.session.get(Job, job_id)
    timeout = int((job.payload or {}).get("timeout", 3600))
    retries = job.max_attempts - 1 if retries is None else retries
    if app.config.get("JOBS_INLINE"):
        _run_local(app, job_id, inline=True)
        return
    rq_queue = queue(app)
    if rq_queue is not None:
        from rq import Retry

        rq_queue.enqueue("portal.jobs.run_job", job_id, job_id=job_id, job_timeout=timeout,
                         retry=Retry(max=retries, interval=RETRY_INTERVALS[:retries]) if retries > 0 else None,
                         result_ttl=86400, failure_ttl=7 * 86400)
        return
    executor: ThreadPoolExecutor = app.extensions.setdefault(
        EXECUTOR_KEY, ThreadPoolExecutor(max_workers=app.config.get("JOBS_THREADS", 2),
                                         thread_name_prefix="local-reach-job"))
    executor.submit(_run_local, app, job_id)


# --- running ------------------------------------------------------------------------

def run_job(target: str, *args: Any, **kwargs: Any) -> Any:
    """Entry point for RQ workers: run the recorded job; raise so RQ retries a failure.

    ``target`` is a job id (what ``enqueue`` sends), or a function path with its arguments
    for work put on the queue by other means (e.g. ``rq cron``): that is recorded as a
    job first, so it too has a status, attempts and a heartbeat.
    """
    global _worker_app
    if _worker_app is None:
        from portal import create_app

        _worker_app = create_app()
    job_id = target
    if "." in target or ":" in target:
        with _worker_app.app_context():
            job = _new_job(target, args, kwargs, kind=None, job_timeout=3600, max_attempts=1,
                           requested_by_id=None, parent_id=None)
            db.session.commit()
            job_id = job.id
    status, result, error = _execute(_worker_app, job_id)
    if error is not None:
        raise error
    return {"status": status, "result": result}


def _run_local(app: Flask, job_id: str, inline: bool = False) -> None:
    """Run a job in this process, retrying until it succeeds or has no attempts left."""
    while True:
        status, _, error = _execute(app, job_id)
        if status != "retrying":
            break
    if inline and error is not None:
        raise error


def _execute(app: Flask, job_id: str) -> tuple[str, Any, BaseException | None]:
    """Claim and run one attempt; return (status, result, error)."""
    with app.app_context():
        engine = db.engine
        if not _claim(engine, job_id):
            logger.info("job %s is not queued any more; skipping this delivery", job_id)
            return "skipped", None, None
        job = db.session.get(Job, job_id)
        payload, final = job.payload or {}, job.attempts >= job.max_attempts
        token = _current_job.set(job_id)
        beat = _Heartbeat(engine, job_id, app.config.get("JOBS_HEARTBEAT_SECONDS", 15))
        beat.start()
        try:
            result = resolve(payload["func"])(*payload.get("args", []), **payload.get("kwargs", {}))
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - recorded on the job, re-raised for the backend
            db.session.rollback()
            logger.exception("job %s (%s) failed", job_id, payload.get("func"))
            status = "failed" if final else "retrying"
            _finish(engine, job_id, status, message=f"{exc.__class__.__name__}: {exc}"[:2000])
            if final:
                _part_finished(app, job_id)
            return status, None, exc
        finally:
            beat.stop()
            _current_job.reset(token)
            db.session.remove()
        _finish(engine, job_id, "done", result=_jsonable(result))
        _part_finished(app, job_id)
        return "done", result, None


def _claim(engine, job_id: str) -> bool:
    table = Job.__table__
    with engine.begin() as conn:
        claimed = conn.execute(
            update(table).where(table.c.id == job_id, table.c.status.in_(("queued", "retrying")))
            .values(status="running", attempts=table.c.attempts + 1, started_at=utcnow(),
                    heartbeat_at=utcnow(), message=None)
        ).rowcount
    return claimed == 1


def _finish(engine, job_id: str, status: str, message: str | None = None, result: dict | None = None) -> None:
    values: dict[str, Any] = {"status": status, "heartbeat_at": utcnow()}
    if message is not None:  # otherwise the job's last progress message stays
        values["message"] = message
    if result is not None:
        values["result"] = result
    if status in {"done", "failed"}:
        values["finished_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))


def _jsonable(value: Any) -> dict:
    if value is None:
        return {}
    candidate = value if isinstance(value, dict) else {"value": value}
    try:
        json.dumps(candidate)
    except TypeError:
        return {"value": repr(value)[:1000]}
    return candidate


class _Heartbeat:
    """Refresh the job's heartbeat from a side thread while it runs."""

    def __init__(self, engine, job_id: str, every: float) -> None:
        self._engine, self._job_id, self._every = engine, job_id, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"heartbeat-{job_id[:8]}")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        table = Job.__table__
        while not self._stop.wait(self._every):
            try:
                with self._engine.begin() as conn:
                    conn.execute(update(table).where(table.c.id == self._job_id).values(heartbeat_at=utcnow()))
            except Exception:  # noqa: BLE001 - a missed heartbeat is not fatal
                logger.warning("heartbeat for job %s failed", self._job_id, exc_info=True)


def current_job_id() -> str | None:
    """The id of the job running in this context (None outside jobs)."""
    return _current_job.get()


def progress(done: int, total: int | None = None, message: str | None = None) -> None:
    """Record the running job's progress (no-op outside a job). Advisory: errors are logged.

    Written on its own connection so the portal sees it at once; on SQLite call it
    between commits of the job's own work (a separate writer waits for the lock).
    """
    job_id = _current_job.get()
    if job_id is None:
        return
    values: dict[str, Any] = {"progress": done, "heartbeat_at": utcnow()}
    if total is not None:
        values["total"] = total
    if message is not None:
        values["message"] = message[:2000]
    try:
        with db.engine.begin() as conn:
            conn.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))
    except Exception:  # noqa: BLE001
        logger.warning("could not record progress of job %s", job_id, exc_info=True)


# --- fan in -------------------------------------------------------------------------

def _part_finished(app: Flask, job_id: str) -> None:
    """Count a finished part on its parent; the part that finishes the set closes it."""
    with app.app_context():
        table = Job.__table__
        parent_id = db.session.scalar(select(table.c.parent_id).where(table.c.id == job_id))
        if parent_id is None:
            return
        with db.engine.begin() as conn:
            row = conn.execute(
                update(table).where(table.c.id == parent_id)
                .values(progress=table.c.progress + 1, heartbeat_at=utcnow())
                .returning(table.c.progress, table.c.total)
            ).one()
        if row.progress >= (row.total or 0):
            _close_parent(app, parent_id)


def _close_parent(app: Flask, parent_id: str) -> None:
    with app.app_context():
        table = Job.__table__
        failed = db.session.scalar(select(func.count()).where(table.c.parent_id == parent_id,
                                                              table.c.status == "failed")) or 0
        parent = db.session.get(Job, parent_id)
        then, total = (parent.payload or {}).get("then"), parent.total or 0
        _finish(db.engine, parent_id, "failed" if failed else "done",
                message=f"{failed} of {total} parts failed" if failed else None,
                result={"parts": total, "failed": failed})
        db.session.remove()
        if then:
            func_path, args = then
            enqueue(func_path, *args, kind=parent.kind, fan_out_id=parent_id)


# --- recovery -----------------------------------------------------------------------

def recover_stale(stale_after: float = 300) -> list[str]:
    """Re-queue jobs whose worker stopped mid-run; mark them failed when out of attempts.

    A job is stale when it is ``running`` with no heartbeat for ``stale_after``
    seconds, or ``retrying`` (or, in-process, ``queued``) untouched that long.
    Returns the ids re-queued.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    cutoff = utcnow() - timedelta(seconds=stale_after)
    waiting = ["retrying"] if app.config.get("REDIS_URL") else ["retrying", "queued"]
    stale = list(db.session.scalars(select(Job).where(or_(
        and_(Job.status == "running", func.coalesce(Job.heartbeat_at, Job.started_at) <= cutoff),
        and_(Job.status.in_(waiting), Job.updated_at <= cutoff),
    ))))
    requeued = []
    for job in stale:
        old_status, out_of_attempts = job.status, job.attempts >= job.max_attempts
        new_status = "failed" if out_of_attempts else "queued"
        with db.engine.begin() as conn:
            changed = conn.execute(
                update(Job.__table__).where(Job.__table__.c.id == job.id, Job.__table__.c.status == old_status)
                .values(status=new_status, finished_at=utcnow() if out_of_attempts else None,
                        message=f"interrupted while {old_status}"
                        + ("; no attempts left" if out_of_attempts else "; re-queued"))
            ).rowcount
        if not changed:
            continue
        if out_of_attempts:
            _part_finished(app, job.id)
        else:
            db.session.expire_all()
            _dispatch(app, job.id, retries=job.max_attempts - job.attempts - 1)
            requeued.append(job.id)
    return requeued


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
