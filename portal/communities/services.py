"""Catalogue changes: add and edit by hand, duplicate detection, merge and archive."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, or_, select, update

from portal import audit, stage_tallies
from portal.extensions import db
from portal.models import (
    ActivitySample, Assessment, Candidate, Community, CommunityRevision, CommunityTag, Feed, OutreachContact,
    StageChange, SupportFlag, Task, User, meeting_promotions, utcnow,
)
from portal.urlkeys import url_key

EDITABLE = ("name", "url", "platform", "area_id", "description", "access", "gatekeeper_role", "house_rules",
            "police_welcome", "audience_size", "stay_in_touch_days")
# Records that belong to a community and move with it on a merge (tags and meeting links are
# moved separately, as they must not duplicate what the surviving record already has).
OWNED_ROWS = (OutreachContact, StageChange, Assessment, Feed, ActivitySample, Task, SupportFlag, Candidate)
MERGED_SEPARATELY = frozenset({"community_tags", "meeting_promotions"})
# Rows that stay with the merged record: its attribute history describes it, not the survivor
# (moved, they would rewrite the survivor's past in "as of" research exports).
STAY_WITH_MERGED = frozenset({"community_revisions"})


def parse_tags(text: str | None) -> list[str]:
    """Split a comma-separated tag field into unique, lower-case tags."""
    seen: dict[str, None] = {}
    for raw in (text or "").split(","):
        tag = " ".join(raw.strip().lower().split())[:60]
        if tag:
            seen[tag] = None
    return list(seen)


def find_duplicates(url: str | None, *, exclude_id: int | None = None) -> list[Community]:
    """Catalogued communities with the same normalised address (or the same site, when either is a bare host)."""
    key = url_key(url or "")
    if not key:
        return []
    host = key.split("/", 1)[0]
    # A bare host matches the site's pages too: a prefix compared literally (autoescape), since a host
    # may hold "_" (and an alias anything) that LIKE would read as a wildcard matching other sites.
    query = select(Community).where(Community.status != "merged", or_(
        Community.url_key == key,
        Community.url_key == host,
        Community.url_key.startswith(f"{host}/", autoescape=True) if "/" not in key else Community.url_key == key,
    ))
    if exclude_id:
        query = query.where(Community.id != exclude_id)
    return list(db.session.scalars(query.order_by(Community.id).limit(10)))


def _apply(community: Community, data: dict[str, Any]) -> dict[str, list[Any]]:
    changes = {}
    for key in EDITABLE:
        if key not in data:
            continue
        value = data[key] if data[key] != "" else None
        if getattr(community, key) != value:
            changes[key] = [getattr(community, key), value]
            setattr(community, key, value)
    community.url_key = url_key(community.url) if community.url else None
    if "tags" in data:
        tags = parse_tags(data["tags"])
        if tags != community.tag_names:
            changes["tags"] = [community.tag_names, tags]
            community.tags = [CommunityTag(tag=t) for t in tags]
    return changes


def create_community(data: dict[str, Any], user: User) -> Community:
    """Catalogue a community by hand; the creator owns it and it starts 'identified'."""
    community = Community(provenance="officer", created_by_id=user.id, stage="identified",
                          owner_id=user.id if user.role == "officer" else None, status="active")
    _apply(community, data)
    db.session.add(community)
    db.session.flush()
    db.session.add(StageChange(community_id=community.id, to_stage="identified", changed_by_id=user.id,
                               changed_at=utcnow()))
    community.stage_changed_at = utcnow()
    audit.record("create", f"Catalogued community {community.id}", community,
                 details={"platform": community.platform, "area_id": community.area_id})
    return community


def update_community(community: Community, data: dict[str, Any]) -> dict[str, list[Any]]:
    changes = _apply(community, data)
    CommunityRevision.note(community, changes, _actor_id())
    if changes:
        audit.record("change", f"Edited community {community.id}", community, details={"fields": sorted(changes)})
    return changes


def set_archived(community: Community, archived: bool, reason: str | None = None) -> None:
    """Archive (hide from the working lists, keep everything) or restore a community."""
    before = community.status
    community.status = "archived" if archived else "active"
    CommunityRevision.note(community, {"status": [before, community.status]} if before != community.status else {},
                           _actor_id())
    community.archived_at = utcnow() if archived else None
    audit.record("archive" if archived else "restore",
                 f"{'Archived' if archived else 'Restored'} community {community.id}", community,
                 justification=reason or None)


def merge_communities(winner: Community, loser: Community, reason: str | None = None) -> None:
    """Fold `loser` into `winner`: move every related record, keep both histories, mark the loser merged."""
    if winner.id == loser.id or loser.status == "merged" or winner.status == "merged":
        raise ValueError("Choose two different communities that have not been merged already.")
    with stage_tallies.rewriting(db.session, (winner.id, loser.id)):  # the UPDATEs bypass the ORM's flush
        for model in OWNED_ROWS:
            db.session.execute(update(model).where(model.community_id == loser.id)
                               .values(community_id=winner.id).execution_options(synchronize_session=False))
    winner_meetings = select(meeting_promotions.c.meeting_id).where(meeting_promotions.c.community_id == winner.id)
    moved = db.session.scalars(select(meeting_promotions.c.meeting_id).where(
        meeting_promotions.c.community_id == loser.id, meeting_promotions.c.meeting_id.not_in(winner_meetings))).all()
    if moved:
        db.session.execute(insert(meeting_promotions), [{"meeting_id": m, "community_id": winner.id} for m in moved])
    db.session.execute(delete(meeting_promotions).where(meeting_promotions.c.community_id == loser.id))
    extra_tags = [t for t in loser.tag_names if t not in winner.tag_names]
    loser.tags = []
    db.session.flush()
    winner.tags.extend(CommunityTag(tag=t) for t in extra_tags)
    for key in ("url", "description", "gatekeeper_role", "house_rules", "audience_size", "stay_in_touch_days",
                "items_per_week", "last_item_at", "locality_score"):
        if getattr(winner, key) in (None, "") and getattr(loser, key) not in (None, ""):
            setattr(winner, key, getattr(loser, key))
    winner.url_key = url_key(winner.url) if winner.url else None
    contacts = [t for t in (winner.last_contact_at, loser.last_contact_at) if t]
    winner.last_contact_at = max(contacts) if contacts else None
    # The loser's sub-communities (boards, categories) move under the winner; a part never parents itself.
    db.session.execute(update(Community).where(Community.parent_id == loser.id, Community.id != winner.id)
                       .values(parent_id=winner.id).execution_options(synchronize_session=False))
    if winner.parent_id == loser.id:
        winner.parent_id = loser.parent_id if loser.parent_id != winner.id else None
    CommunityRevision.note(loser, {"status": [loser.status, "merged"]}, _actor_id())
    loser.status, loser.merged_into_id, loser.archived_at = "merged", winner.id, utcnow()
    db.session.expire(winner, ["feeds"])
    audit.record("merge", f"Merged community {loser.id} into {winner.id}", winner,
                 details={"winner_id": winner.id, "loser_id": loser.id}, justification=reason or None)


def _actor_id() -> int | None:
    """The signed-in user's id, for a revision (None from the command line)."""
    from flask import has_request_context
    from flask_login import current_user

    return current_user.id if has_request_context() and current_user.is_authenticated else None
