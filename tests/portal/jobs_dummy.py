"""Job functions for the job tests (run in-process and by a real RQ worker subprocess)."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from portal import jobs
from portal.extensions import db
from portal.models import Candidate, Job


def add(a: int, b: int) -> dict:
    jobs.progress(1, 1, "added")
    return {"sum": a + b, "job_id": jobs.current_job_id()}


def always_fails(reason: str) -> None:
    raise RuntimeError(reason)


def _attempt() -> int:
    return db.session.get(Job, jobs.current_job_id()).attempts


def fails_first_attempt() -> dict:
    if _attempt() == 1:
        raise RuntimeError("first attempt fails")
    return {"attempt": _attempt()}


def hangs_first_attempt(seconds: float) -> dict:
    """Block on the first attempt (until the test kills the worker); succeed on later ones."""
    if _attempt() == 1:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            time.sleep(0.1)
        raise TimeoutError("the test should have killed this worker")
    return {"attempt": _attempt()}


def upsert_sites(area_id: int, sites: list[str]) -> dict:
    """Record each site as a candidate once per area, as a crawl part would (idempotent)."""
    known = set(db.session.scalars(select(Candidate.site_key).where(
        Candidate.area_id == area_id, Candidate.site_key.in_(sites))))
    for site in dict.fromkeys(sites):
        if site not in known:
            db.session.add(Candidate(area_id=area_id, site=f"https://{site}/", site_key=site))
    db.session.commit()
    return {"sites": len(sites)}


def count_sites(area_id: int, fan_out_id: str) -> dict:
    parent = db.session.get(Job, fan_out_id)
    total = db.session.scalar(select(func.count()).select_from(Candidate).where(Candidate.area_id == area_id))
    return {"candidates": total, "parts_done": parent.progress, "parent_status": parent.status}
