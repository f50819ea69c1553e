"""Candidates: store crawl records once per site per area, and query the review queue."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from crawlers.frontier import canonicalise, site_of
from crawlers.records import FeedRecord, SectionRecord, SiteRecord
from portal.discovery.adapter import parse_time
from portal.extensions import db
from portal.models import Candidate, Community, User
from portal.urlkeys import url_key

#: Most feeds / evidence items kept per candidate (the engine already caps evidence).
MAX_FEEDS = 20
MAX_EVIDENCE = 20
#: Most sub-communities kept per site (a big forum has dozens of boards; a cap bounds hostile sites).
MAX_SECTIONS = 100
#: Feed roles recognised but kept out of the review queue (counted on the site instead).
LEFT_OUT_ROLES = ("comments", "topic")
QUEUE_STATUSES = ("new", "accepted", "dismissed")


def site_key(site: str) -> str:
    """Return the key that identifies a site within an area (see portal.urlkeys)."""
    return url_key(site) or site.strip().lower()[:500]


def source_keys(seeds: list[str]) -> frozenset[str]:
    """Keys of the sites a crawl's seeds are on: sources (a council directory, the local paper), not candidates."""
    keys = set()
    for seed in seeds:
        canonical = canonicalise(seed)
        if canonical:
            keys.add(site_key(site_of(canonical)))
    return frozenset(keys)


def catalogued_community(area_id: int, key: str) -> Community | None:
    """Return the community of this area already catalogued at this address, if any."""
    return db.session.scalar(
        select(Community)
        .where(Community.area_id == area_id, Community.url_key == key, Community.status != "merged")
        .order_by(Community.id).limit(1)
    )


def _kept_feeds(feeds: list[FeedRecord], left_out: dict[str, int]) -> list[dict[str, Any]]:
    """The feeds worth reviewing; per-post comment and per-topic feeds are only counted in ``left_out``."""
    kept: list[dict[str, Any]] = []
    for feed in feeds:
        if feed.role in LEFT_OUT_ROLES:
            left_out[feed.role] = left_out.get(feed.role, 0) + 1
        elif len(kept) < MAX_FEEDS:
            kept.append(feed.to_json())
    return kept


def _activity(feeds: list[FeedRecord], roles: tuple[str, ...]) -> tuple[float | None, Any]:
    """Posts a week and last post of the first feed with one of ``roles``."""
    feed = next((f for role in roles for f in feeds if f.role == role), None)
    return (feed.items_per_week, parse_time(feed.last_item_at)) if feed else (None, None)


def _facts(record: SiteRecord) -> dict[str, Any]:
    """Site-level facts of a record, cut to the columns' sizes (crawled text is hostile)."""
    left_out = {str(role)[:20]: int(count) for role, count in list((record.feeds_left_out or {}).items())[:10]
                if isinstance(count, int) and count > 0}
    items_per_week, last_item_at = _activity(record.feeds, ("main",))
    return {
        "site": record.site[:500],
        "title": (record.title or "")[:500] or None,
        "description": (record.description or "")[:5000] or None,
        "platform": (record.platform or "")[:40] or None,
        "feeds": _kept_feeds(record.feeds, left_out),
        "items_per_week": items_per_week,
        "last_item_at": last_item_at,
        "locality_score": float(record.locality.score),
        "locality_evidence": [item.to_json() for item in record.locality.evidence[:MAX_EVIDENCE]],
        "found_via": (record.found_via or "")[:1000] or None,
        "feeds_left_out": left_out,
    }


def _section_facts(section: SectionRecord, site: SiteRecord) -> dict[str, Any]:
    """A sub-community's own facts: its feeds, activity and locality; the site's platform."""
    left_out: dict[str, int] = {}
    items_per_week, last_item_at = _activity(section.feeds, ("section", "main", "other"))
    return {
        "site": section.url[:500],
        "title": (section.title or "")[:500] or None,
        "description": None,
        "platform": (site.platform or "")[:40] or None,
        "feeds": _kept_feeds(section.feeds, left_out),
        "items_per_week": items_per_week,
        "last_item_at": last_item_at,
        "locality_score": float(section.locality.score),
        "locality_evidence": [item.to_json() for item in section.locality.evidence[:MAX_EVIDENCE]],
        "found_via": site.site[:1000],
        "feeds_left_out": left_out or None,
        "section_kind": (section.kind or "section")[:20],
    }


def upsert_candidate(area_id: int, record: SiteRecord, crawl_run_id: int | None = None) -> Candidate:
    """Insert or refresh the candidate for a record's site in an area, and its sub-communities.

    Re-running a crawl updates the rows (never a duplicate); a reviewed candidate keeps
    its decision. A site or part already in the catalogue is linked to its community.
    """
    candidate = _upsert(area_id, site_key(record.site), _facts(record), crawl_run_id)
    candidate.parent_id, candidate.section_kind = None, None
    seen = {candidate.site_key}
    for section in record.sections[:MAX_SECTIONS * 2]:
        key = site_key(section.url)
        if key in seen:  # the site itself, or a part listed twice
            continue
        if len(seen) > MAX_SECTIONS:
            break
        seen.add(key)
        part = _upsert(area_id, key, _section_facts(section, record), crawl_run_id)
        part.parent_id = candidate.id
    return candidate


def upsert_source_parts(area_id: int, record: SiteRecord, crawl_run_id: int | None = None) -> list[Candidate]:
    """Store the parts of a seed's site (a council portal's village pages) as candidates of their own.

    The seed's site is a source, not a candidate, so its parts are not filed under it; each
    part with its own feed may still be where a village gathers.
    """
    stored, seen = [], {site_key(record.site)}
    for section in record.sections[:MAX_SECTIONS * 2]:
        key = site_key(section.url)
        if key in seen:
            continue
        if len(seen) > MAX_SECTIONS:
            break
        seen.add(key)
        part = _upsert(area_id, key, {**_section_facts(section, record), "section_kind": None}, crawl_run_id)
        part.parent_id = None
        stored.append(part)
    return stored


def retire_sources(area_id: int, sources: frozenset[str]) -> int:
    """Take seed sites stored as candidates before seeds were sources out of the queue; return how many.

    Only candidates still to review and not in the catalogue: no decision is lost.
    """
    rows = db.session.scalars(select(Candidate).where(
        Candidate.area_id == area_id, Candidate.site_key.in_(sorted(sources)), Candidate.status == "new",
        Candidate.community_id.is_(None), Candidate.parent_id.is_(None))).all()
    for row in rows:
        db.session.delete(row)
    return len(rows)


def _upsert(area_id: int, key: str, facts: dict[str, Any], crawl_run_id: int | None) -> Candidate:
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
    """Recognise a site that is already a community of the area (and follow it to a new address)."""
    if candidate.community_id is not None:
        community = db.session.get(Community, candidate.community_id)
        if community is not None:
            follow_address(community, candidate.site)
        return
    community = catalogued_community(candidate.area_id, candidate.site_key)
    if community is not None:
        candidate.community_id = community.id
        if candidate.status == "new":
            candidate.status = "accepted"


def follow_address(community: Community, site: str) -> None:
    """Move a crawled community (and its feeds) to the address its site now answers at.

    Only when the two addresses are the same site by identity (``url_key``), e.g. the demo's
    sample web on new ports after a restart, or a site gone from http to https.
    """
    old = community.url or ""
    if community.provenance != "crawl" or not old or old.rstrip("/") == site.rstrip("/"):
        return
    if community.url_key != url_key(site):  # the stored identity: the old address may no longer map to it
        return
    old_origin, new_origin = _origin(old), _origin(site)
    community.url = site
    for feed in community.feeds:
        if old_origin and feed.url.startswith(old_origin + "/"):
            feed.url = (new_origin + feed.url[len(old_origin):])[:1000]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def visible_candidates(user: User) -> Select:
    """Candidates the user may review: their areas for officers and supervisors, all for admins."""
    query = select(Candidate)
    query = user.scope(query, Candidate.area_id)
    return query


def _in_tab(status: str):
    """A site belongs in a review tab when it, or one of its parts, has that status."""
    part = aliased(Candidate)
    has_part = exists().where(part.parent_id == Candidate.id, part.status == status)
    return or_(Candidate.status == status, has_part)


def _sites(user: User, area_id: int | None) -> Select:
    query = visible_candidates(user).where(Candidate.parent_id.is_(None))
    return query.where(Candidate.area_id == area_id) if area_id is not None else query


def review_queue(user: User, area_id: int | None, status: str = "new") -> Select:
    """The review queue of sites (their parts come with them): most local first, then most active."""
    return _sites(user, area_id).where(_in_tab(status)).order_by(
        Candidate.locality_score.desc(), Candidate.items_per_week.desc().nulls_last(), Candidate.site)


def parts_of(sites: list[Candidate]) -> dict[int, list[Candidate]]:
    """The sub-communities of these sites, by site id: most local first."""
    ids = [site.id for site in sites]
    parts: dict[int, list[Candidate]] = {site_id: [] for site_id in ids}
    if ids:
        query = select(Candidate).where(Candidate.parent_id.in_(ids)).order_by(
            Candidate.locality_score.desc(), Candidate.title, Candidate.id)
        for part in db.session.scalars(query):
            if part.parent_id is not None:  # always: the query asks for the parts of these sites
                parts[part.parent_id].append(part)
    return parts


def status_counts(user: User, area_id: int | None) -> dict[str, int]:
    """Number of sites in each review tab (a site with a part to review counts as to review)."""
    counts = {}
    for status in QUEUE_STATUSES:
        query = _sites(user, area_id).where(_in_tab(status)).with_only_columns(func.count(Candidate.id))
        counts[status] = db.session.scalar(query) or 0
    return counts
