"""Background work: in-process threads by default, RQ on Redis when REDIS_URL is set.

A job is the dotted path of a function plus JSON arguments, recorded as a ``Job``
row before it is handed to a backend. The row is the source of truth: whichever
backend runs the job claims the row first (queued/retrying -> running), so a job
delivered twice runs once, and status, progress and attempts are visible to the
portal and to every worker machine.

Robustness:
- a job that raises is retried until ``max_attempts`` runs have been made, then
  marked ``failed``. On RQ, by RQ (``Retry``, and its registry clean-up for a job whose
  worker died: ``portal.jobs_rq``); in-process, by running it again in its thread;
- in-process, a running job writes a heartbeat to its row; ``recover_stale``
  (``flask jobs recover``, ``portal.jobs_recovery``) re-queues jobs whose process died
  mid-run, or marks them failed when they have no attempts left;
- ``enqueue_many`` fans one piece of work out over many jobs (e.g. one crawl split
  by seed or by site with ``shard``) and runs a fan-in job once, after the last part.
Job code must be idempotent per part (e.g. upsert candidates by (area_id, site_key)).
"""
from __future__ import annotations

import hashlib
import importlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask, current_app
from sqlalchemy import case, func, select, update

from portal import jobs_rows, jobs_rq, logs
from portal.extensions import db
from portal.jobs_rows import current_job_id, progress
from portal.jobs_rq import queue, redis_connection
from portal.models import Job, utcnow

logger = logging.getLogger(__name__)

__all__ = ["current_job_id", "enqueue", "enqueue_many", "prepare", "progress", "queue", "redis_connection",
           "resolve", "run_job", "shard", "submit"]

EXECUTOR_KEY = "local_reach_executor"


def resolve(func_path: str) -> Callable[..., Any]:
    """Import ``package.module:function`` (or ``package.module.function``)."""
    module_name, _, attr = func_path.replace(":", ".").rpartition(".")
    return getattr(importlib.import_module(module_name), attr)


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
    dispatch(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
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
    dispatch(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]


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
        dispatch(app, child_id)
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


def dispatch(app: Flask, job_id: str, *, retries: int | None = None) -> None:
    """Hand a recorded job to its backend: run inline (tests), send to RQ, or to this process's threads."""
    job = db.session.get(Job, job_id)
    timeout = int((job.payload or {}).get("timeout", 3600))
    retries = job.max_attempts - 1 if retries is None else retries
    if app.config.get("JOBS_INLINE"):
        _run_local(app, job_id, inline=True)
        return
    rq_queue = queue(app)
    if rq_queue is not None:
        jobs_rq.send(rq_queue, job_id, timeout, retries)
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
    with jobs_rq.app_for_work() as app:
        job_id = target
        if "." in target or ":" in target:
            job = _new_job(target, args, kwargs, kind=None, job_timeout=3600, max_attempts=1,
                           requested_by_id=None, parent_id=None)
            db.session.commit()
            job_id = job.id
        # No row heartbeat: the RQ worker heartbeats the job itself (see portal.jobs_rq).
        status, result, error = _execute(app, job_id, heartbeat=False)
    if error is not None:
        raise error
    return {"status": status, "result": result}


def record_failed_attempt(rq_job: Any, connection: Any, exc_type: type, exc: BaseException, tb: Any) -> None:
    """RQ's ``on_failure`` callback: record an attempt whose process died before recording it.

    An attempt that raised has recorded itself (its row is ``retrying`` or ``failed``), so
    this changes nothing then; for an abandoned job (worker killed) or a work horse killed
    mid-job the row still says ``running``. Never raises: RQ's clean-up would stop midway.
    """
    try:
        with jobs_rq.app_for_work() as app:
            attempt_lost(app, rq_job.id, f"the worker stopped mid-run ({exc_type.__name__})")
    except Exception:  # noqa: BLE001 - logged; the row is then left for `flask jobs recover`
        logger.exception("could not record the failed attempt of job %s", rq_job.id)


def _run_local(app: Flask, job_id: str, inline: bool = False) -> None:
    """Run a job in this process, retrying until it succeeds or has no attempts left."""
    while True:
        status, _, error = _execute(app, job_id)
        if status != "retrying":
            break
    if inline and error is not None:
        raise error


def _execute(app: Flask, job_id: str, heartbeat: bool = True) -> tuple[str, Any, BaseException | None]:
    """Claim and run one attempt; return (status, result, error).

    ``heartbeat`` keeps the row's heartbeat fresh from a side thread, for the in-process
    backend, whose only way to find a job lost with its process is ``recover_stale``.
    """
    with app.app_context():
        engine = db.engine
        if not jobs_rows.claim(engine, job_id):
            logger.info("job %s is not queued any more; skipping this delivery", job_id)
            return "skipped", None, None
        job = db.session.get(Job, job_id)
        payload, attempt, final = job.payload or {}, job.attempts, job.attempts >= job.max_attempts
        token, started = jobs_rows.current_job.set(job_id), time.monotonic()
        beat = None
        if heartbeat:
            beat = jobs_rows.Heartbeat(engine, job_id, app.config.get("JOBS_HEARTBEAT_SECONDS", 15))
            beat.start()
        try:
            result = resolve(payload["func"])(*payload.get("args", []), **payload.get("kwargs", {}))
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - recorded on the job, re-raised for the backend
            db.session.rollback()
            logger.error("job %s (%s) failed: %s", job_id, payload.get("func"), logs.failure(exc, frames=True))
            status = "failed" if final else "retrying"
            jobs_rows.finish(engine, job_id, status, message=f"{exc.__class__.__name__}: {exc}"[:2000])
            if final:
                part_finished(app, job_id)
            return status, None, exc
        finally:
            if beat is not None:
                beat.stop()
            jobs_rows.current_job.reset(token)
            db.session.remove()
        jobs_rows.finish(engine, job_id, "done", result=jobs_rows.jsonable(result))
        logger.info("job %s (%s) done in %.1f s, attempt %d", job_id, payload.get("func"),
                    time.monotonic() - started, attempt)
        part_finished(app, job_id)
        return "done", result, None


def attempt_lost(app: Flask, job_id: str, reason: str) -> str | None:
    """Record an attempt whose process died mid-run: ``retrying``, or ``failed`` if none are left.

    Changes only a row still ``running`` (an attempt that raised recorded itself); returns
    the new status, or None when there was nothing to record.
    """
    table = Job.__table__
    out_of_attempts = table.c.attempts >= table.c.max_attempts
    with app.app_context(), db.engine.begin() as conn:
        row = conn.execute(
            update(table).where(table.c.id == job_id, table.c.status == "running")
            .values(status=case((out_of_attempts, "failed"), else_="retrying"), heartbeat_at=utcnow(),
                    finished_at=case((out_of_attempts, utcnow()), else_=None), message=reason[:2000])
            .returning(table.c.status)
        ).first()
    if row is None:
        return None
    logger.warning("job %s: %s; now %s", job_id, reason, row.status)
    if row.status == "failed":
        part_finished(app, job_id)
    return str(row.status)


# --- fan in -------------------------------------------------------------------------
# Kept on the rows rather than RQ's ``depends_on``: the parent's count of finished parts is
# the progress the portal shows on both backends, and the atomic count that closes it
# (UPDATE ... RETURNING) already says when the last part is done. ``depends_on`` would add
# a second, RQ-only path to the same moment, and would wait for ever on a part that
# ``recover_stale`` re-sent after Redis lost it.

def part_finished(app: Flask, job_id: str) -> None:
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
        jobs_rows.finish(db.engine, parent_id, "failed" if failed else "done",
                message=f"{failed} of {total} parts failed" if failed else None,
                result={"parts": total, "failed": failed})
        db.session.remove()
        if then:
            func_path, args = then
            enqueue(func_path, *args, kind=parent.kind, fan_out_id=parent_id)
