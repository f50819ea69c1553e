"""Crawl runs: start, cancel, re-run, and recognise runs a crash interrupted."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, or_, select, update

from crawlers.frontier import canonicalise, site_of
from portal import audit, jobs
from portal.discovery.adapter import run_settings
from portal.discovery.candidates import source_keys
from portal.extensions import db
from portal.models import Area, CrawlRun, Job, User, utcnow

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled", "interrupted")
JOB = "portal.discovery.jobs.run_crawl"
#: A running crawl writes its heartbeat about once a second; this long without one means it died.
DEFAULT_STALE_SECONDS = 120
MAX_SEEDS = 50


def start_run(area: Area, seeds: list[str], user: User | None, *, allow_private: tuple[str, ...] = (),
              **limits) -> CrawlRun:
    """Create a queued run, commit it, and hand it to the background jobs."""
    settings = run_settings(current_app.config, allow_private, **limits)
    run = _queued_run(area, seeds[:MAX_SEEDS], user, settings)
    db.session.commit()
    run.job_id = jobs.enqueue(JOB, run.id, kind="crawl", requested_by_id=user.id if user else None)
    db.session.commit()
    return run


def start_split_run(area: Area, seeds: list[str], user: User | None, *, parts: int,
                    allow_private: tuple[str, ...] = (), **limits) -> list[CrawlRun]:
    """Split one crawl by seed site into at most ``parts`` runs, one background job each.

    With ``REDIS_URL`` set, every RQ worker takes parts from the same queue, so the crawl
    spreads over as many workers as are running. Seeds of one site always land in the
    same part (a stable hash), and candidates are upserted per area and site, so a site
    reached from two parts is stored once. Each part keeps the run's page limit.
    """
    groups = jobs.shard(seeds[:MAX_SEEDS], parts, key=lambda seed: site_of(canonicalise(seed) or seed))
    settings = run_settings(current_app.config, allow_private, **limits)
    # Every part keeps all the crawl's seed sites out of the queue, not only its own (issue 23.5).
    settings["source_sites"] = sorted(source_keys(seeds[:MAX_SEEDS]))
    runs = [_queued_run(area, group, user, {**settings, "split": {"part": number, "of": len(groups)}},
                        f" (part {number} of {len(groups)})")
            for number, group in enumerate(groups, start=1)]
    db.session.commit()
    parent_id = jobs.enqueue_many(JOB, [[run.id] for run in runs], kind="crawl",
                                  requested_by_id=user.id if user else None)
    children = db.session.scalars(select(Job).where(Job.parent_id == parent_id)).all()
    job_of_run = {child.payload["args"][0]: child.id for child in children}
    for run in runs:
        run.job_id = job_of_run.get(run.id)
    db.session.commit()
    return runs


def _queued_run(area: Area, seeds: list[str], user: User | None, settings: dict, label: str = "") -> CrawlRun:
    """Add a queued run and its audit event (the caller commits)."""
    actor_id = user.id if user else None
    run = CrawlRun(area_id=area.id, created_by_id=actor_id, seeds=seeds, settings=settings, status="queued")
    db.session.add(run)
    db.session.flush()
    audit.record("create", f"Started crawl run {run.id} for {area.name}{label}", run,
                 details={"seeds": run.seeds, "settings": run.settings}, actor_id=actor_id)
    return run


def rerun(run: CrawlRun, user: User | None) -> CrawlRun:
    """Start a new run with the same area, seeds and settings (candidates are updated, not duplicated)."""
    limits = {k: v for k, v in (run.settings or {}).items() if k != "allow_private"}
    configured = set(current_app.config.get("CRAWL_ALLOW_PRIVATE", []))
    # Only ranges still allowed by configuration or given on the command line carry over.
    extra = tuple(r for r in (run.settings or {}).get("allow_private", []) if r not in configured)
    return start_run(run.area, list(run.seeds), user, allow_private=extra, **limits)


def request_cancel(run: CrawlRun, user: User | None) -> None:
    """Ask a run to stop; a queued run stops at once, a running one at its next check."""
    db.session.execute(update(CrawlRun).where(CrawlRun.id == run.id).values(cancel_requested=True))
    if run.status == "queued":
        db.session.execute(update(CrawlRun).where(CrawlRun.id == run.id, CrawlRun.status == "queued")
                           .values(status="cancelled", finished_at=utcnow()))
    audit.record("cancel", f"Cancelled crawl run {run.id}", run, actor_id=user.id if user else None)
    db.session.commit()
    db.session.refresh(run)


def stale_before(config=None):
    config = config or current_app.config
    return utcnow() - timedelta(seconds=config.get("CRAWL_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def recover_stale_runs(everything: bool = False) -> list[int]:
    """Mark runs a crash left behind as interrupted; return their ids.

    A running run whose heartbeat is stale died with its process. A queued run is
    lost too when jobs run in-process (the queue lived in memory) and it is old.
    ``everything`` marks every active run (after a crash, when no worker is alive).
    """
    cutoff = stale_before()
    condition: ColumnElement[bool]
    if everything:
        condition = CrawlRun.status.in_(ACTIVE)
    else:
        running = (CrawlRun.status == "running") & (
            or_(CrawlRun.heartbeat_at.is_(None), CrawlRun.heartbeat_at < cutoff))
        condition = running
        if not current_app.config.get("REDIS_URL"):
            condition = or_(running, (CrawlRun.status == "queued") & (CrawlRun.created_at < cutoff))
    ids = list(db.session.scalars(select(CrawlRun.id).where(condition)))
    if ids:
        db.session.execute(update(CrawlRun).where(CrawlRun.id.in_(ids), condition)
                           .values(status="interrupted", finished_at=utcnow()))
        for run_id in ids:
            audit.record("interrupted", f"Crawl run {run_id} was interrupted", object_type="CrawlRun",
                         object_id=run_id)
        db.session.commit()
    return ids


def visible_runs(user: User) -> Select:
    query = select(CrawlRun)
    query = user.scope(query, CrawlRun.area_id)
    return query.order_by(CrawlRun.created_at.desc(), CrawlRun.id.desc())


def progress_fraction(run: CrawlRun) -> tuple[int, int]:
    """Return (value, max) for the progress bar; a finished run shows a full bar."""
    # Before the first counters arrive the run's page limit is the best estimate of the work.
    planned = max(run.pages_planned or 0, run.pages_fetched or 0) or (run.settings or {}).get("max_pages") or 1
    if run.status == "done":
        return planned, planned
    return min(run.pages_fetched or 0, planned), planned
