"""Small record builders for the catalogue and outreach tests."""
from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.models import Community, CommunityTag, OutreachContact, StageChange, utcnow
from portal.urlkeys import url_key


def make_community(area, name="Lewes Forum", url=None, *, platform="forum", stage="identified", tags=(),
                   owner=None, **extra) -> Community:
    community = Community(area_id=area.id, name=name, url=url, url_key=url_key(url) if url else None,
                          platform=platform, stage=stage, owner_id=owner.id if owner else None, **extra)
    community.tags = [CommunityTag(tag=t) for t in tags]
    db.session.add(community)
    db.session.commit()
    return community


def make_contact(community, officer, *, days_ago=0, outcome="pending", follow_up_in=None, **extra):
    when = utcnow() - timedelta(days=days_ago)
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, occurred_at=when,
                              channel=extra.pop("channel", "group_post"), purpose=extra.pop("purpose", "inform"),
                              outcome=outcome, **extra)
    if follow_up_in is not None:
        contact.follow_up_on = (when + timedelta(days=follow_up_in)).date()
    db.session.add(contact)
    community.last_contact_at = max(filter(None, [community.last_contact_at, when]))
    db.session.commit()
    return contact


def make_stage(community, to_stage, *, days_ago=0, evidence=None):
    change = StageChange(community_id=community.id, from_stage=community.stage, to_stage=to_stage,
                         changed_at=utcnow() - timedelta(days=days_ago),
                         evidence_contact_id=evidence.id if evidence else None)
    community.stage, community.stage_changed_at = to_stage, change.changed_at
    db.session.add(change)
    db.session.commit()
    return change
