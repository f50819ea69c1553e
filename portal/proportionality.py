"""Proportionality guards: crawl a site no more often than needed.

"Inspect one URL" calls ``may_crawl(site_key)`` before fetching a site again, and every
crawl run skips ``recently_crawled_sites()``, so repeated runs (by one area or several)
do not hammer a small community's server or build up a fine-grained record of its
activity.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from crawlers.frontier import canonicalise, site_of
from portal.extensions import db
from portal.models import Candidate, CrawlRun, utcnow


def min_interval() -> timedelta:
    """The configured minimum time between two crawls of one site (CRAWL_MIN_INTERVAL_HOURS)."""
    return timedelta(hours=float(current_app.config.get("CRAWL_MIN_INTERVAL_HOURS", 24)))


def last_crawled(site_key: str) -> datetime | None:
    """When any area's crawl last saw this site (the latest candidate update), or None."""
    return db.session.scalar(select(func.max(Candidate.updated_at)).where(Candidate.site_key == site_key))


def next_crawl_at(site_key: str) -> datetime | None:
    """The earliest time the site may be crawled again (None: now)."""
    last = last_crawled(site_key)
    return None if last is None else last + min_interval()


def may_crawl(site_key: str, now: datetime | None = None) -> bool:
    """True when the site has not been crawled within the minimum interval."""
    allowed_at = next_crawl_at(site_key)
    return allowed_at is None or allowed_at <= (now or utcnow())


def recently_crawled_sites(now: datetime | None = None, running_id: int | None = None) -> frozenset[str]:
    """Sites (``scheme://host[:port]``) any area's crawl reached within the minimum interval.

    A crawl run passes these to the engine as ``skip_sites``: it neither fetches them nor
    follows links into them, and their stored candidates stay as they are. A site counts as
    crawled when the run that last stored it started within the interval (or, for a site
    saved by "inspect one URL", when it was last updated). The seeds' own sites of runs
    started within the interval count too, except those of ``running_id`` (the run asking).
    """
    since = (now or utcnow()) - min_interval()
    # A seed's own site is a source, never a candidate (issue 23.5): its crawl is on the run's record.
    seeds = db.session.scalars(select(CrawlRun.seeds).where(CrawlRun.started_at >= since,
                                                            CrawlRun.id != (running_id or 0)))
    seed_sites = {site_of(canonical) for run_seeds in seeds for seed in (run_seeds or [])
                  if (canonical := canonicalise(str(seed)))}
    by_run = (select(Candidate.site).join(CrawlRun, Candidate.crawl_run_id == CrawlRun.id)
              .where(CrawlRun.started_at >= since, Candidate.parent_id.is_(None)))  # sites, not their parts
    by_hand = select(Candidate.site).where(Candidate.crawl_run_id.is_(None), Candidate.updated_at >= since,
                                           Candidate.parent_id.is_(None))
    return frozenset(db.session.scalars(by_run.union(by_hand))) | seed_sites
