"""A research sample for the demo: a second area with eighteen months of made-up outreach history.

Everything here is invented (addresses use the reserved .example domain). It gives the
research charts enough rows to be above the small-count threshold. Loading is idempotent:
nothing is added when the sample area already has communities.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.areas import import_area
from portal.extensions import db
from portal.models import (
    CHANNELS, PURPOSES, ActivitySample, Area, Assessment, Community, Meeting, OutreachContact, StageChange,
    User, utcnow,
)

SAMPLE_AREA = {"name": "Wealden (research sample)", "places": ["Uckfield", "Crowborough", "Heathfield"],
               "postcode_districts": ["TN22", "TN6", "TN21"]}
SAMPLE_SLUG = "wealden-sample"
SAMPLE_OFFICERS = (("sample.officer1@example.org", "PC Morgan Sample"),
                   ("sample.officer2@example.org", "PCSO Riley Sample"),
                   ("sample.officer3@example.org", "PC Casey Sample"))
# platform -> chance that a first approach is answered (made up, so the comparison has a shape)
PLATFORM_ODDS = {"facebook_group": 0.75, "forum": 0.6, "nextdoor": 0.55, "residents_association": 0.7,
                 "blog": 0.35, "facebook_page": 0.45, "mailing_list": 0.5, "x": 0.25}
COMMUNITIES = 60
SAMPLE_MESSAGE = "Sample message from the neighbourhood team about the summer fair."


def load_research_sample(now: datetime | None = None) -> Area:
    """Add the sample area, its officers and history (once)."""
    area, _ = import_area(dict(SAMPLE_AREA), slug=SAMPLE_SLUG)
    db.session.flush()
    if db.session.scalar(select(Community.id).where(Community.area_id == area.id).limit(1)) is not None:
        return area
    now = now or utcnow()
    rng = random.Random(20240601)  # noqa: S311 - made-up demo data, not security
    officers = [_officer(email, name, area) for email, name in SAMPLE_OFFICERS]
    platforms = list(PLATFORM_ODDS)
    communities = []
    for n in range(COMMUNITIES):
        communities.append(_community(area, n, platforms[n % len(platforms)], rng.choice(officers), rng, now))
    _meetings(area, officers, communities, rng, now)
    return area


def _officer(email: str, name: str, area: Area) -> User:
    user = User.by_email(email)
    if user is None:
        user = User(email=email, display_name=name, role="officer")  # no password: cannot sign in
        user.areas.append(area)
        db.session.add(user)
        db.session.flush()
    return user


def _community(area: Area, n: int, platform: str, officer: User, rng: random.Random, now: datetime) -> Community:
    created = now - timedelta(days=rng.randint(200, 540))
    community = Community(area=area, name=f"Sample community {n + 1}", url=f"https://sample-{n + 1}.example/",
                          platform=platform, access="closed" if platform in {"facebook_group", "nextdoor"} else "public",
                          audience_size=rng.choice([40, 150, 600, 2500, 12000]), provenance="officer",
                          created_by_id=officer.id, owner_id=officer.id, created_at=created,
                          locality_score=round(rng.uniform(0.5, 0.95), 2), items_per_week=round(rng.uniform(1, 12), 1),
                          description="Research sample record.")
    db.session.add(community)
    db.session.flush()
    stage = _change(community, None, "identified", created, officer, None)
    when = created + timedelta(days=rng.randint(3, 40))
    first = when
    odds = PLATFORM_ODDS[platform]
    for step in ("approached", "acknowledged", "two_way", "partner"):
        if when > now:
            break
        answered = step == "approached" or rng.random() < odds
        contact = _contact(community, officer, when, platform, rng, "introduce" if step == "approached" else None,
                           outcome=("positive" if answered and step != "approached" else
                                    "acknowledged" if answered and rng.random() < odds else "no_response"))
        if not answered:
            if rng.random() < 0.3:
                stage = _change(community, stage, rng.choice(["declined", "dormant"]), when, officer, contact)
            break
        stage = _change(community, stage, step, when, officer, contact)
        if step != "approached":
            db.session.add(Assessment(community_id=community.id, assessed_by_id=officer.id, assessed_at=when,
                                      trust=min(5, 2 + ("two_way" in step) + rng.randint(0, 2)),
                                      reciprocity=rng.randint(2, 4), reach=rng.randint(1, 5)))
        when += timedelta(days=rng.randint(7, 90))
    for _ in range(rng.randint(0, 4)):  # routine contacts after the first approach
        extra = first + timedelta(days=rng.randint(1, 200))
        if extra < now:
            _contact(community, officer, extra, platform, rng, None,
                     outcome=rng.choice(["acknowledged", "positive", "no_response", "no_response", "negative"]))
    _activity(community, first, odds, rng, now)
    return community


def _contact(community: Community, officer: User, when: datetime, platform: str, rng: random.Random,
             purpose: str | None, outcome: str) -> OutreachContact:
    channel = "group_post" if platform in {"facebook_group", "nextdoor", "forum"} else rng.choice(CHANNELS[:5])
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, occurred_at=when, channel=channel,
                              purpose=purpose or rng.choice(PURPOSES), outcome=outcome,
                              message_text=SAMPLE_MESSAGE, link=f"https://sample-{community.id}.example/post",
                              reach_views=rng.randint(20, 900), reach_replies=rng.randint(0, 15))
    db.session.add(contact)
    db.session.flush()
    community.last_contact_at = max(community.last_contact_at or when, when)
    return contact


def _change(community: Community, from_stage: str | None, to_stage: str, when: datetime, officer: User,
            contact: OutreachContact | None) -> str:
    db.session.add(StageChange(community_id=community.id, from_stage=from_stage, to_stage=to_stage, changed_at=when,
                               changed_by_id=officer.id, evidence_contact_id=contact.id if contact else None))
    community.stage, community.stage_changed_at = to_stage, when
    return to_stage


def _activity(community: Community, first: datetime, odds: float, rng: random.Random, now: datetime) -> None:
    base = rng.uniform(2, 10)
    for week in range(-10, 11):
        sampled_at = first + timedelta(weeks=week, hours=rng.randint(0, 72))
        if sampled_at > now:
            break
        lift = 1 + (odds * 0.4 if week >= 0 else 0)
        db.session.add(ActivitySample(community_id=community.id, sampled_at=sampled_at,
                                      items_per_week=round(max(0.0, rng.gauss(base * lift, 1.2)), 2),
                                      items_total=rng.randint(50, 900)))


def _meetings(area: Area, officers: list[User], communities: list[Community], rng: random.Random,
              now: datetime) -> None:
    for months_ago in range(18, 0, -1):
        held = now - timedelta(days=30 * months_ago + rng.randint(0, 10))
        meeting = Meeting(area=area, title=f"Sample panel meeting {months_ago}", held_at=held,
                          place="Sample village hall", attendance=rng.randint(6, 30),
                          created_by_id=rng.choice(officers).id, notes="Sample note.")
        meeting.communities = rng.sample(communities, k=rng.randint(0, 3))
        db.session.add(meeting)
