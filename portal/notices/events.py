"""The moments that send a notice, called by the features where they happen (in their transaction)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from portal.extensions import db
from portal.models import Community, MessageReview, SupportFlag, User
from portal.notices.services import absolute, queue

if TYPE_CHECKING:
    from portal.guidance.deciders import Deciders


def message_held(review: MessageReview, who: Deciders | None = None) -> int:
    """Tell the people who may decide a held message (portal/guidance/deciders.py; ``who``, when the
    caller has asked already), once each."""
    from portal.guidance.deciders import deciders

    link = absolute("guidance.review", review_id=review.id)
    return sum(1 for user in (who if who is not None else deciders(review)).users
               if queue(user, "held_message", link=link, about=review, dedupe_key=f"held:{review.id}:{user.id}"))


def message_decided(review: MessageReview) -> None:
    """Tell the author that a supervisor decided on their message (the guidance page lists decisions)."""
    author = review.author or db.session.get(User, review.author_id)
    queue(author, "decision", link=absolute("guidance.index", _anchor="decisions"), about=review)


def backup_supervisors(community: Community, raised_by_id: int) -> list[User]:
    """Who hears of a backup request: the area's supervisors; if none, every supervisor; if none, the admins."""
    staff = list(db.session.scalars(select(User).where(User.active.is_(True), User.id != raised_by_id,
                                                       User.role.in_(("supervisor", "admin")))))
    supervisors = [u for u in staff if u.role == "supervisor"]
    for tier in ([u for u in supervisors if community.area_id in u.area_ids], supervisors,
                 [u for u in staff if u.role == "admin"]):
        if tier:
            return tier
    return []


def backup_requested(flag: SupportFlag) -> int:
    """Tell the supervisors at once that an officer asked for backup."""
    community = flag.community or db.session.get(Community, flag.community_id)
    if community is None:
        return 0
    link = absolute("guidance.flag", flag_id=flag.id)
    return len([user for user in backup_supervisors(community, flag.raised_by_id)
                if queue(user, "backup_request", link=link, about=flag)])


def export_ready(job_id: str, user_id: int | None) -> None:
    """Tell the researcher that the package they asked for is built."""
    user = db.session.get(User, user_id) if user_id else None
    queue(user, "export_ready", link=absolute("research.export_status", job_id=job_id), dedupe_key=f"export:{job_id}")


def invited(user: User) -> bool:
    """E-mail an invitation (its one-time link is made when it is sent, and never stored)."""
    return queue(user, "invite", about=user) is not None
