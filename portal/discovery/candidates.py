"""Candidates: store crawl records once per site per area, and query the review queue."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from crawlers.records import SiteRecord
from portal.discovery.adapter import parse_time
from portal.extensions import db
from portal.models import Candidate, Community, User
from portal.urlkeys import url_key

#: Most feeds / evidence items kept per candidate (the engine already caps evidence).
MAX_FEEDS = 20
MAX_EVIDENCE = 20
QUEUE_STATUSES = ("new", "accepted", "dismissed")


def site_key(site: str) -> str:
    """Return the key that identifies a site within an area (see portal.urlkeys)."""
    return url_key(site) or site.strip().lower()[:500]


def catalogued_community(area_id: int, key: str) -> Community | None:
    """Return the community of this area already catalogued at this address, if any."""
    return db.session.scalar(
        select(Community)
        .where(Community.area_id == area_id, Community.url_key == key, Community.status != "merged")
        .order_by(Community.id).limit(1)
    )


def _facts(record: SiteRecord) -> dict[str, Any]:
    """Site-level facts of a record, cut to the columns' sizes (crawled text is hostile)."""
    main = record.main_feed
    feeds = [feed.to_json() for feed in record.feeds[:MAX_FEEDS]]
    evidence = [item.to_json() for item in record.locality.evidence[:MAX_EVIDENCE]]
    return {
        "site": record.site[:500],
        "title": (record.title or "")[:500] or None,
        "description": (record.description or "")[:5000] or None,
        "platform": (record.platform or "")[:40] or None,
        "feeds": feeds,
        "items_per_week": main.items_per_week if main else None,
        "last_item_at": parse_time(main.last_item_at) if main else None,
        "locality_score": float(record.locality.score),
        "locality_evidence": evidence,
        "found_via": (record.found_via or "")[:1000] or None,
    }


def upsert_candidate(area_id: int, record: SiteRecord, crawl_run_id: int | None = None) -> Candidate:
    """Insert or refresh the candidate for a record's site in an area.

    Re-running a crawl updates the row (never a duplicate); a reviewed candidate keeps
    its decision. A site already in the catalogue is linked to its community.
    """
    key = site_key(record.site)
    facts = _facts(record)
    for _attempt in range(2):
        candidate = db.session.scalar(
            select(Candidate).where(Candidate.area_id == area_id, Candidate.site_key == key))
        if candidate is not None:
            break
        try:
            with db.session.begin_nested():
                candidate = Candidate(area_id=area_id, site_key=key, status="new", **facts)
                db.session.add(candidate)
            break
        except IntegrityError:  # another run inserted it between our select and insert
            candidate = None
    if candidate is None:
        raise RuntimeError(f"could not store candidate {key}")
    for name, value in facts.items():
        setattr(candidate, name, value)
    if crawl_run_id is not None:
        candidate.crawl_run_id = crawl_run_id
    _link_catalogued(candidate)
    return candidate


def _link_catalogued(candidate: Candidate) -> None:
    """Recognise a site that is already a community of the area."""
    if candidate.community_id is not None:
        return
    community = catalogued_community(candidate.area_id, candidate.site_key)
    if community is not None:
        candidate.community_id = community.id
        if candidate.status == "new":
            candidate.status = "accepted"


def visible_candidates(user: User) -> Select:
    """Candidates the user may review: their areas for officers and supervisors, all for admins."""
    query = select(Candidate)
    query = user.scope(query, Candidate.area_id)
    return query


def review_queue(user: User, area_id: int | None, status: str = "new") -> Select:
    """The review queue: most local first, then most active, then by address."""
    query = visible_candidates(user).where(Candidate.status == status)
    if area_id is not None:
        query = query.where(Candidate.area_id == area_id)
    return query.order_by(Candidate.locality_score.desc(),
                          Candidate.items_per_week.desc().nulls_last(), Candidate.site)


def status_counts(user: User, area_id: int | None) -> dict[str, int]:
    """Number of candidates per review status."""
    query = visible_candidates(user).with_only_columns(Candidate.status, func.count()).group_by(Candidate.status)
    if area_id is not None:
        query = query.where(Candidate.area_id == area_id)
    counts = dict.fromkeys(QUEUE_STATUSES, 0)
    counts.update({status: count for status, count in db.session.execute(query)})
    return counts
