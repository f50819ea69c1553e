"""The background job of a crawl run: idempotent, writes progress and a heartbeat often."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from typing import Any

from sqlalchemy import select, update

from crawlers.pipeline import CrawlProgress, discover
from portal.discovery.adapter import area_profile, crawl_settings, run_report
from portal.discovery.candidates import (
    retire_sources, site_key, source_keys, upsert_candidate, upsert_source_parts,
)
from portal.discovery.runs import FINISHED
from portal.extensions import db
from portal.models import CrawlRun, utcnow
from portal.proportionality import recently_crawled_sites

logger = logging.getLogger(__name__)

#: Seconds between writes of the live counters (and between cancellation checks).
WRITE_EVERY = 0.5
MAX_ERRORS_KEPT = 50


class RunTracker:
    """Write a run's counters and heartbeat to its row, and read its cancel flag, at a steady pace."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.latest: CrawlProgress | None = None
        self._written = 0.0
        self._checked = 0.0
        self.cancelled = False

    def progress(self, progress: CrawlProgress) -> None:
        self.latest = progress
        if time.monotonic() - self._written >= WRITE_EVERY:
            self.write()

    def write(self) -> None:
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if self.latest is not None:
            p = self.latest
            values.update(pages_fetched=p.pages_fetched, pages_planned=p.pages_planned,
                          sites_found=p.sites_found, feeds_found=p.feeds_found, errors_count=p.errors,
                          report=run_report(p))
        db.session.execute(update(CrawlRun).where(CrawlRun.id == self.run_id).values(**values))
        db.session.commit()
        self._written = time.monotonic()

    def should_cancel(self) -> bool:
        if self.cancelled:
            return True
        if time.monotonic() - self._checked >= WRITE_EVERY:
            self._checked = time.monotonic()
            flag = db.session.scalar(select(CrawlRun.cancel_requested).where(CrawlRun.id == self.run_id))
            db.session.commit()  # end the read transaction so the next check sees new commits
            self.cancelled = bool(flag)
        return self.cancelled


def _finish(run_id: int, status: str, error: str | None = None, skipped: int = 0) -> None:
    run = db.session.get_one(CrawlRun, run_id)
    if skipped:  # how many sites the minimum re-crawl interval kept this run from fetching
        run.settings = {**(run.settings or {}), "sites_skipped_recent": skipped}
    run.status = status
    run.finished_at = utcnow()
    run.heartbeat_at = utcnow()
    if error:
        run.errors = [*(run.errors or []), error][-MAX_ERRORS_KEPT:]
    db.session.commit()


def run_crawl(run_id: int) -> str:
    """Run one crawl to the end and store its candidates; return the run's final status.

    Safe to call twice (an RQ retry, a duplicate enqueue): a finished run is left as it
    is, and candidates are upserted per area and site so nothing is duplicated.
    """
    run = db.session.get(CrawlRun, run_id)
    if run is None:
        logger.warning("crawl run %s no longer exists", run_id)
        return "missing"
    if run.status in FINISHED:
        return run.status
    if run.cancel_requested:
        _finish(run_id, "cancelled")
        return "cancelled"
    run.status, run.heartbeat_at = "running", utcnow()
    run.started_at = run.started_at or utcnow()
    db.session.commit()
    area_id, seeds = run.area_id, list(run.seeds)
    split_sources = (run.settings or {}).get("source_sites") or ()
    settings = replace(crawl_settings(run.settings or {}), skip_sites=recently_crawled_sites(running_id=run_id))
    profile = area_profile(run.area.profile)
    tracker = RunTracker(run_id)
    try:
        asyncio.run(_crawl(run_id, area_id, seeds, settings, profile, tracker, split_sources))
    except Exception as exc:  # the run records the failure; the worker stays alive
        logger.exception("crawl run %s failed", run_id)
        db.session.rollback()
        _finish(run_id, "failed", f"{exc.__class__.__name__}: {exc}"[:500])
        return "failed"
    tracker.write()
    status = "cancelled" if tracker.cancelled else "done"
    _finish(run_id, status, skipped=tracker.latest.sites_skipped if tracker.latest else 0)
    return status


async def _crawl(run_id, area_id, seeds, settings, profile, tracker: RunTracker, also_sources=()) -> None:
    sources = source_keys(seeds) | {str(key) for key in also_sources}
    if retire_sources(area_id, sources):
        db.session.commit()
    async for record in discover(seeds, settings, profile, progress=tracker.progress,
                                 should_cancel=tracker.should_cancel):
        if site_key(record.site) in sources:  # a seed is where the crawl looked, not a candidate
            upsert_source_parts(area_id, record, crawl_run_id=run_id)
        else:
            upsert_candidate(area_id, record, crawl_run_id=run_id)
        db.session.commit()
