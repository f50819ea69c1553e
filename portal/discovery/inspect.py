"""Inspect one site address in seconds: its feeds, platform, activity and locality."""
from __future__ import annotations

import asyncio

from flask import current_app
from sqlalchemy import select

from crawlers.discover import closed_platform
from crawlers.frontier import canonicalise, site_of
from crawlers.pipeline import inspect_site
from crawlers.records import SiteRecord
from portal import audit
from portal.discovery.adapter import area_profile, is_closed, quick_settings
from portal.discovery.candidates import site_key, upsert_candidate
from portal.extensions import db
from portal.proportionality import may_crawl
from portal.models import Area, Candidate

#: Longest an inspection may take before the officer is told to try again (seconds).
INSPECT_DEADLINE = 20.0


class InspectError(ValueError):
    """The site could not be inspected; the message says why."""


def inspect_url(area: Area, url: str) -> Candidate:
    """Inspect a site for an area and keep the result as a candidate (upserted, not duplicated)."""
    url = url.strip()
    platform = closed_platform(url)
    if platform is not None:  # closed platforms cannot be crawled: catalogue the address by hand
        record = SiteRecord(site=url.split("#")[0][:500], title=f"{platform} community", platform=platform)
        return _keep(area, record, url)
    recent = _recently_crawled(area, url)
    if recent is not None:  # proportionality: show what we saw rather than fetch the site again
        return recent
    settings = quick_settings(current_app.config)
    profile = area_profile(area.profile)
    try:
        record = asyncio.run(asyncio.wait_for(inspect_site(url, settings, profile),
                                                          INSPECT_DEADLINE))
    except ValueError as exc:
        raise InspectError("Enter a web address starting with http:// or https://") from exc
    except TimeoutError as exc:
        raise InspectError("The site took too long to answer; try again later") from exc
    if record.pages_fetched == 0 and not is_closed(record.platform):
        raise InspectError("The site could not be reached, or it refused the crawler "
                           "(robots.txt, or an address that is not public)")
    return _keep(area, record, url)


def _recently_crawled(area: Area, url: str) -> Candidate | None:
    """The area's stored facts for a site crawled within the minimum interval (see portal.proportionality)."""
    canonical = canonicalise(url)
    key = site_key(site_of(canonical)) if canonical else None
    if key is None or may_crawl(key):
        return None
    return db.session.scalar(select(Candidate).where(Candidate.area_id == area.id, Candidate.site_key == key))


def _keep(area: Area, record: SiteRecord, url: str) -> Candidate:
    candidate = upsert_candidate(area.id, record)
    audit.record("inspect", f"Inspected {candidate.site}", candidate, details={"url": url[:1000]})
    return candidate
