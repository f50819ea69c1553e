"""Demo records for the guidance feature: rules, library, a held message, a decision and a flag."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.guidance.library import seed_library
from portal.guidance.rules import seed_rules
from portal.guidance.services import review_on_save
from portal.models import Community, MessageReview, OutreachContact, SupportFlag, User, utcnow


def load_guidance_demo(area_id: int) -> None:
    """Seed rules and library (idempotent); add sample sign-off and support records once."""
    seed_rules()
    supervisor = db.session.scalar(select(User).where(User.email == "supervisor@example.org"))
    seed_library(approved_by=supervisor)
    officer = db.session.scalar(select(User).where(User.email == "officer@example.org"))
    officer2 = db.session.scalar(select(User).where(User.email == "officer2@example.org"))
    if officer is None or officer2 is None or supervisor is None:
        return
    if db.session.scalar(select(MessageReview.id).where(MessageReview.area_id == area_id).limit(1)):
        return
    communities = {c.name.split(" ")[0]: c for c in db.session.scalars(
        select(Community).where(Community.area_id == area_id))}
    newhaven, peacehaven = communities.get("Newhaven"), communities.get("Peacehaven")
    if newhaven is None or peacehaven is None:
        return
    now = utcnow()
    held = _contact(newhaven, officer2, now - timedelta(hours=5),
                    "Two men have been arrested after the break-ins on the seafront. Please share.")
    review_on_save(held)
    decided = _contact(newhaven, officer, now - timedelta(days=2),
                       "We'll be at the polling station on Thursday to help things run smoothly.")
    review = review_on_save(decided)
    if review is not None:
        from portal.guidance.services import decide

        decide(review, supervisor, "approve", "Fine to post: factual and impartial.")
    flag = SupportFlag(community_id=peacehaven.id, raised_by_id=officer.id, reason="hostile_thread",
                       note="Our post about parking is getting abusive replies and a local reporter has commented.",
                       created_at=now - timedelta(hours=2))
    db.session.add(flag)
    db.session.flush()


def _contact(community: Community, officer: User, when, text: str) -> OutreachContact:
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, occurred_at=when,
                              channel="group_post", purpose="inform", outcome="pending", message_text=text)
    contact.community = community
    db.session.add(contact)
    db.session.flush()
    return contact
