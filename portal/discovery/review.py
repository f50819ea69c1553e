"""Review decisions: accept a candidate into the catalogue, dismiss it with a reason, in bulk."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from portal import audit
from portal.discovery.adapter import ACCESS_BY_KIND, community_kind, parse_time
from portal.discovery.candidates import catalogued_community, visible_candidates
from portal.extensions import db
from portal.models import DISMISS_REASONS, Candidate, Community, Feed, StageChange, User, utcnow


#: Most parts accepted with one site in one request.
MAX_PARTS = 200


class ReviewError(ValueError):
    """A review decision cannot be made; the message says why, in the officer's words."""


@dataclass
class BulkResult:
    accepted: int = 0
    dismissed: int = 0
    skipped: list[str] = field(default_factory=list)


def _community_from(candidate: Candidate, user: User) -> Community:
    kind = community_kind(candidate.platform, candidate.site)
    community = Community(
        area_id=candidate.area_id, name=(candidate.title or candidate.site_key)[:300], url=candidate.site,
        url_key=candidate.site_key, platform=kind, description=candidate.description,
        access=ACCESS_BY_KIND.get(kind, "public"), provenance="crawl", crawl_run_id=candidate.crawl_run_id,
        created_by_id=user.id, owner_id=user.id, stage="identified", stage_changed_at=utcnow(),
        items_per_week=candidate.items_per_week, last_item_at=candidate.last_item_at,
        locality_score=candidate.locality_score,
    )
    for feed in candidate.feeds or []:
        community.feeds.append(Feed(
            url=str(feed.get("url", ""))[:1000], kind=str(feed.get("kind") or "rss")[:10],
            title=(str(feed.get("title") or "")[:500] or None), is_primary=feed.get("role") == "main",
            items=feed.get("items"), last_item_at=parse_time(feed.get("last_item_at")),
            items_per_week=feed.get("items_per_week"),
        ))
    db.session.add(community)
    db.session.flush()
    db.session.add(StageChange(community_id=community.id, to_stage="identified", changed_by_id=user.id,
                               note="Catalogued from discovery"))
    return community


def accept(candidate: Candidate, user: User) -> tuple[Community, bool]:
    """Put a candidate into the catalogue; return (community, created).

    A site already catalogued in the area (by this or an earlier run, or by hand) is
    linked, not duplicated. A sub-community is catalogued under its site's community,
    so accepting a part accepts its site first.
    """
    if candidate.status == "dismissed":
        raise ReviewError(f"{candidate.site} was dismissed; restore it to the queue first")
    parent = _parent_community(candidate, user)
    existing = db.session.get(Community, candidate.community_id) if candidate.community_id else None
    existing = existing or catalogued_community(candidate.area_id, candidate.site_key)
    created = existing is None
    community = _community_from(candidate, user) if existing is None else existing
    if parent is not None and community.parent_id is None and community.id != parent.id:
        community.parent_id = parent.id
    candidate.status, candidate.community_id = "accepted", community.id
    candidate.reviewed_by_id, candidate.reviewed_at = user.id, utcnow()
    audit.record("accept", f"Accepted {candidate.site} into the catalogue", candidate,
                 details={"community_id": community.id, "created": created,
                          "parent_community_id": parent.id if parent else None})
    if created:
        audit.record("create", f"Catalogued community {community.id} from discovery", community)
    return community, created


def _parent_community(candidate: Candidate, user: User) -> Community | None:
    """The catalogued community of a part's site, accepting the site first if need be."""
    if candidate.parent_id is None:
        return None
    site = db.session.get(Candidate, candidate.parent_id)
    if site is None:
        return None
    if site.status == "accepted" and site.community_id:
        return db.session.get(Community, site.community_id)
    if site.status == "dismissed":
        raise ReviewError(f"{site.site} was dismissed; restore the site before accepting its parts")
    return accept(site, user)[0]


def accept_with_parts(site: Candidate, user: User, part_ids: list[int] | None) -> tuple[Community, bool, int]:
    """Accept a site and some of its parts (``None``: all of them still to review); return (site, created, parts)."""
    already = db.session.get(Community, site.community_id) if site.status == "accepted" and site.community_id else None
    community, created = (already, False) if already is not None else accept(site, user)
    query = select(Candidate).where(Candidate.parent_id == site.id, Candidate.status == "new")
    if part_ids is not None:
        query = query.where(Candidate.id.in_(part_ids[:MAX_PARTS]))
    parts = db.session.scalars(query.order_by(Candidate.id)).all()
    for part in parts:
        accept(part, user)
    return community, created, len(parts)


def dismiss(candidate: Candidate, reason: str | None, user: User) -> None:
    """Dismiss a candidate with one of the fixed reasons."""
    if reason not in DISMISS_REASONS:
        raise ReviewError("Choose why this site is dismissed")
    if candidate.status == "accepted":
        raise ReviewError(f"{candidate.site} is already in the catalogue")
    candidate.status, candidate.dismiss_reason = "dismissed", reason
    candidate.reviewed_by_id, candidate.reviewed_at = user.id, utcnow()
    audit.record("dismiss", f"Dismissed {candidate.site} ({reason})", candidate, details={"reason": reason})
    if candidate.parent_id is None:  # a dismissed site takes its parts still to review with it
        for part in db.session.scalars(select(Candidate).where(Candidate.parent_id == candidate.id,
                                                               Candidate.status == "new")):
            dismiss(part, reason, user)


def restore(candidate: Candidate, user: User) -> None:
    """Put a dismissed candidate back in the queue."""
    if candidate.status != "dismissed":
        raise ReviewError(f"{candidate.site} is not dismissed")
    candidate.status, candidate.dismiss_reason = "new", None
    candidate.reviewed_by_id, candidate.reviewed_at = user.id, utcnow()
    audit.record("restore", f"Restored {candidate.site} to the review queue", candidate)


def bulk(user: User, candidate_ids: list[int], action: str, reason: str | None) -> BulkResult:
    """Accept or dismiss several candidates the user may see; report what was skipped and why."""
    if action not in {"accept", "dismiss"}:
        raise ReviewError("Choose what to do with the selected sites")
    if not candidate_ids:
        raise ReviewError("Select at least one site")
    if action == "dismiss" and reason not in DISMISS_REASONS:
        raise ReviewError("Choose why the selected sites are dismissed")
    query = visible_candidates(user).where(Candidate.id.in_(candidate_ids[:500])).order_by(Candidate.id)
    result = BulkResult()
    for candidate in db.session.scalars(query):
        try:
            if action == "accept" and candidate.status == "accepted":
                continue  # a site accepted just before, with one of its parts
            if action == "accept":
                accept(candidate, user)
                result.accepted += 1
            elif candidate.status != "dismissed":  # not a part dismissed just before with its site
                dismiss(candidate, reason, user)
                result.dismissed += 1
        except ReviewError as exc:
            result.skipped.append(str(exc))
    return result


def candidate_for(user: User, candidate_id: int) -> Candidate | None:
    """Return the candidate if it exists and the user may see it (None otherwise)."""
    return db.session.scalar(visible_candidates(user).where(Candidate.id == candidate_id))


__all__ = ["BulkResult", "ReviewError", "accept", "accept_with_parts", "bulk", "candidate_for", "dismiss", "restore"]
