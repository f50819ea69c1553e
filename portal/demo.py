"""Demo data: a Sussex area, a user for each role and a handful of real-looking records.

The community addresses use the reserved .example domain; nothing here is a real group.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from portal.areas import import_area
from portal.auth import throttle
from portal.extensions import db
from portal.models import (
    Area, Assessment, Community, CommunityTag, Meeting, OutreachContact, StageChange, User, utcnow,
)
from portal.urlkeys import url_key

DEMO_DATA = Path(__file__).with_name("demo_data")

DEMO_USERS = (
    ("officer@example.org", "PC Sam Officer", "officer"),
    ("officer2@example.org", "PCSO Alex Second", "officer"),
    ("supervisor@example.org", "Sgt Jo Supervisor", "supervisor"),
    ("researcher@example.org", "Dr Ri Researcher", "researcher"),
    ("admin@example.org", "Ade Admin", "admin"),
    ("auditor@example.org", "Aud Auditor", "auditor"),
)

# (name, url, platform, access, stage, tags, audience)
DEMO_COMMUNITIES = (
    ("Lewes Residents' Forum", "https://lewes-residents.example/forum/", "forum", "public", "two_way",
     ["residents", "town"], 640),
    ("Newhaven Community Noticeboard (Facebook group)", "https://www.facebook.com/groups/newhaven-notices-example",
     "facebook_group", "closed", "acknowledged", ["town", "families"], 5200),
    ("Seaford Residents' Association", "https://seaford-ra.example/", "residents_association", "public",
     "partner", ["residents"], 300),
    ("Peacehaven & Telscombe neighbours (Nextdoor)", "https://nextdoor.example/neighborhood/peacehaven",
     "nextdoor", "closed", "approached", ["neighbours"], 2100),
    ("Ringmer Village WhatsApp", None, "whatsapp", "invite", "identified", ["village"], 180),
    ("Cliffe & Malling blog", "https://cliffe-malling.example/", "blog", "public", "dormant", ["blog"], None),
    ("Ouse Valley Walkers (Meetup)", "https://meetup.example/ouse-valley-walkers/", "meetup", "closed",
     "declined", ["leisure"], 90),
)


@dataclass
class DemoResult:
    area: Area
    passwords: dict[str, str] = field(default_factory=dict)


def load_demo(reset: bool = False, passwords: dict[str, str] | None = None) -> DemoResult:
    """Load the demo; return the area and the new users' passwords (empty if already loaded)."""
    profile = json.loads((DEMO_DATA / "lewes.json").read_text(encoding="utf-8"))
    area, _ = import_area(profile, slug=profile["slug"])
    db.session.flush()
    from portal.research.sample import load_research_sample

    load_research_sample()  # a second area with history for the research charts (idempotent)
    existing = db.session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    if existing is not None and not reset:
        _guidance(area)
        db.session.commit()
        return DemoResult(area=area)
    # --reset gives the demo accounts new passwords; the accounts themselves stay, since their
    # contacts, reviews and audit events refer to them (and audit rows cannot be rewritten).
    created = _users(area, passwords or {})
    if db.session.scalar(select(Community.id).where(Community.area_id == area.id).limit(1)) is None:
        _communities(area, created)
        _outreach_extras(area, created)
        _audit_trail(area, created)
    _guidance(area)
    db.session.commit()
    return DemoResult(area=area, passwords={email: pw for email, (_, pw) in created.items()})


def _users(area: Area, passwords: dict[str, str]) -> dict[str, tuple[User, str]]:
    """Create the demo accounts, or give existing ones a new password (signed out, unlocked)."""
    created = {}
    for email, name, role in DEMO_USERS:
        password = passwords.get(email) or secrets.token_urlsafe(12)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, display_name=name, role=role)
            if role in {"officer", "supervisor"}:
                user.areas.append(area)
            db.session.add(user)
        else:
            user.active, user.failed_logins = True, 0
            throttle.clear_account(user.email)  # the demo's logins work at once
            user.rotate_session()
        user.set_password(password)
        created[email] = (user, password)
    db.session.flush()
    return created


def _communities(area: Area, users: dict[str, tuple[User, str]]) -> None:
    officer = users["officer@example.org"][0]
    now = utcnow()
    path = ("identified", "approached", "acknowledged", "two_way", "partner")
    for index, (name, url, platform, access, stage, tags, audience) in enumerate(DEMO_COMMUNITIES):
        created_at = now - timedelta(days=120 - index * 7)
        community = Community(
            area=area, name=name, url=url, url_key=url_key(url) if url else None, platform=platform,
            access=access, audience_size=audience, provenance="officer", created_by_id=officer.id,
            owner_id=officer.id, stage="identified", created_at=created_at,
            gatekeeper_role="group admin" if access != "public" else None,
            description=f"Demo record: {name}.",
        )
        community.tags = [CommunityTag(tag=t) for t in tags]
        db.session.add(community)
        db.session.flush()
        db.session.add(StageChange(community_id=community.id, to_stage="identified",
                                   changed_at=created_at, changed_by_id=officer.id))
        steps = path[1:path.index(stage) + 1] if stage in path else ("approached", stage)
        when = created_at
        for step_no, step in enumerate(steps):
            when = when + timedelta(days=6 + step_no * 3)
            outcome = "pending" if step == "approached" else ("hostile" if step == "hostile" else
                      "negative" if step in {"declined", "dormant"} else "positive")
            contact = OutreachContact(
                community_id=community.id, officer_id=officer.id, occurred_at=when,
                channel="group_post" if platform.endswith("group") else "direct_message",
                purpose="introduce" if step_no == 0 else "inform", outcome=outcome,
                message_text="Hello from your neighbourhood policing team. We'd like to hear what matters to you.",
                follow_up_on=(when + timedelta(days=14)).date(),
            )
            db.session.add(contact)
            db.session.flush()
            db.session.add(StageChange(community_id=community.id, from_stage=community.stage, to_stage=step,
                                       changed_at=when, changed_by_id=officer.id,
                                       evidence_contact_id=contact.id))
            community.stage, community.stage_changed_at, community.last_contact_at = step, when, when
        if stage in {"two_way", "partner", "acknowledged"}:
            db.session.add(Assessment(community_id=community.id, assessed_by_id=officer.id,
                                      assessed_at=when, trust=3 + (stage == "partner"), reciprocity=3,
                                      reach=2 + (audience or 0) // 2000, note="Demo assessment."))
    meeting = Meeting(area=area, title="Lewes neighbourhood panel", held_at=now - timedelta(days=20),
                      place="Lewes Town Hall", attendance=14, created_by_id=officer.id)
    meeting.communities = list(db.session.scalars(select(Community).where(
        Community.area_id == area.id, Community.platform.in_(("forum", "residents_association")))))
    db.session.add(meeting)


# Posts-per-week readings for the communities with feeds: (name prefix, weekly levels oldest first).
DEMO_ACTIVITY = (
    ("Lewes Residents", [12, 14, 11, 13, 15, 12, 14, 13, 12, 14, 15, 13]),
    ("Cliffe & Malling", [6, 7, 6, 5, 6, 7, 6, 5, 1, 0.5, 0.5, 0]),
    ("Seaford Residents", [3, 4, 3, 3, 4, 3, 4, 4, 3, 4, 3, 4]),
)


def _outreach_extras(area: Area, users: dict[str, tuple[User, str]]) -> None:
    """Feeds, activity samples, follow-ups due, a stay-in-touch interval and a task (issue 4's pages)."""
    from portal.models import ActivitySample, Feed, Task

    officer = users["officer@example.org"][0]
    now = utcnow()
    communities = {c.name: c for c in db.session.scalars(select(Community).where(Community.area_id == area.id))}
    for prefix, levels in DEMO_ACTIVITY:
        community = next(c for name, c in communities.items() if name.startswith(prefix))
        feed = Feed(community=community, url=(community.url or "https://example.invalid/") + "feed.xml", kind="rss",
                    title=f"{community.name} feed", is_primary=True, items_per_week=levels[-1],
                    last_item_at=now - timedelta(days=2 if levels[-1] else 30), last_polled_at=now)
        db.session.add(feed)
        db.session.flush()
        for week, level in enumerate(levels):
            db.session.add(ActivitySample(community_id=community.id, feed_id=feed.id, items_per_week=level,
                                          sampled_at=now - timedelta(days=7 * (len(levels) - 1 - week))))
        community.items_per_week, community.last_item_at = feed.items_per_week, feed.last_item_at
    # Only the newest contact per community keeps its follow-up open (the clock resets on each contact).
    for community in communities.values():
        contacts = list(db.session.scalars(select(OutreachContact).where(
            OutreachContact.community_id == community.id).order_by(OutreachContact.occurred_at.desc())))
        for older in contacts[1:]:
            older.follow_up_closed_at = older.occurred_at + timedelta(days=1)
        if contacts:
            contacts[0].follow_up_on = (now - timedelta(days=2)).date()
    forum = next(c for name, c in communities.items() if name.startswith("Lewes Residents"))
    forum.stay_in_touch_days = 30
    seaford = next(c for name, c in communities.items() if name.startswith("Seaford"))
    seaford.stay_in_touch_days = 14
    db.session.add(Task(community_id=forum.id, assignee_id=officer.id, kind="follow_up", created_by_id=officer.id,
                        title="Ask the forum admin about pinning the neighbourhood panel notice",
                        due_on=now.date()))


def _audit_trail(area: Area, users: dict[str, tuple[User, str]]) -> None:
    """Give the auditor's pages something to show: who created and viewed the demo records,
    and an old meeting whose notes are due for retention review."""
    from portal.models import AuditEvent

    officer = users["officer@example.org"][0]
    supervisor = users["supervisor@example.org"][0]
    for community in db.session.scalars(select(Community).where(Community.area_id == area.id)):
        db.session.add(AuditEvent(at=community.created_at, actor_id=officer.id, action="create",
                                  object_type="Community", object_id=str(community.id),
                                  summary=f"Created community {community.id}", details={}))
        db.session.add(AuditEvent(at=community.created_at + timedelta(days=2), actor_id=supervisor.id,
                                  action="view", object_type="Community", object_id=str(community.id),
                                  summary=f"Viewed community {community.id}", details={}))
    db.session.add(Meeting(area=area, title="Lewes panel (two years ago)", held_at=utcnow() - timedelta(days=715),
                           place="Lewes Town Hall", attendance=9, created_by_id=officer.id,
                           notes="Demo notes: residents raised parking near the station."))


def _guidance(area: Area) -> None:
    """Guidance rules, library pages and templates, a held message, a decision and a support flag."""
    from portal.guidance.demo import load_guidance_demo

    load_guidance_demo(area.id)
