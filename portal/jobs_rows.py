"""A job's row while it runs: the claim, the outcome, progress and the heartbeat.

The lowest layer of ``portal.jobs`` (which re-exports ``progress`` and ``current_job_id``
for job code): it writes only the ``Job`` row, each on its own connection so the portal
sees it at once, and knows nothing of backends or fan-in.
"""
from __future__ import annotations

import json
import logging
import threading
from contextvars import ContextVar
from typing import Any

from sqlalchemy import update

from portal.extensions import db
from portal.models import Job, utcnow

logger = logging.getLogger(__name__)

current_job: ContextVar[str | None] = ContextVar("local_reach_job", default=None)


def claim(engine, job_id: str) -> bool:
    """Take a queued or retrying job for one attempt; False when another delivery has it."""
    table = Job.__table__
    with engine.begin() as conn:
        claimed = conn.execute(
            update(table).where(table.c.id == job_id, table.c.status.in_(("queued", "retrying")))
            .values(status="running", attempts=table.c.attempts + 1, started_at=utcnow(),
                    heartbeat_at=utcnow(), message=None)
        ).rowcount
    return claimed == 1


def finish(engine, job_id: str, status: str, message: str | None = None, result: dict | None = None) -> None:
    """Record how an attempt (or a fan-out's parent) ended."""
    values: dict[str, Any] = {"status": status, "heartbeat_at": utcnow()}
    if message is not None:  # otherwise the job's last progress message stays
        values["message"] = message
    if result is not None:
        values["result"] = result
    if status in {"done", "failed"}:
        values["finished_at"] = utcnow()
    with engine.begin() as conn:
        conn.execute(update(Job.__table__).where(Job.__table__.c.id == job_id).values(**values))


def jsonable(value: Any) -> dict:
    """Return a job's result as a JSON object for its row (a repr when it is not JSON)."""
    if value is None:
        return {}
    candidate = value if isinstance(value, dict) else {"value": value}
    try:
        json.dumps(candidate)
    except TypeError:
        return {"value": repr(value)[:1000]}
    return candidate


class Heartbeat:
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
    return current_job.get()


def progress(done: int, total: int | None = None, message: str | None = None) -> None:
    """Record the running job's progress (no-op outside a job). Advisory: errors are logged.

    Written on its own connection so the portal sees it at once; on SQLite call it
    between commits of the job's own work (a separate writer waits for the lock).
    """
    job_id = current_job.get()
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
