"""Who may decide a held message: the one rule the pages, the decision and notices all use.

A held message always has someone who may decide it, and never its author: the other
supervisors of its area; when there are none, the supervisors of any area; when there are
none either, the admins. Only active accounts count.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.models import MessageReview, User, user_areas

__all__ = ["Deciders", "deciders", "deciders_for"]

# Why each tier decides, in the words the review page shows.
TIER_WORDS = {
    "area": "a supervisor of this area",
    "any_area": "no other supervisor works this area, so a supervisor of another area",
    "admin": "no other supervisor can, so an admin",
    "none": "nobody else has an active account that may decide it",
}


@dataclass(frozen=True)
class Deciders:
    """The people who may decide one held message, and which tier of the rule chose them."""

    tier: str
    users: list[User] = field(default_factory=list)

    def __contains__(self, user: object) -> bool:
        return isinstance(user, User) and any(u.id == user.id for u in self.users)

    @property
    def names(self) -> str:
        """The deciders' names, joined for a sentence ("A, B and C")."""
        names = [u.display_name for u in self.users]
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    @property
    def why(self) -> str:
        return TIER_WORDS[self.tier]


def _staff() -> list[User]:
    """Active supervisors and admins, with their areas, in name order."""
    return list(db.session.scalars(
        select(User).where(User.active.is_(True), User.role.in_(("supervisor", "admin")))
        .options(selectinload(User.areas)).order_by(User.display_name, User.id)))


def _choose(review: MessageReview, staff: list[User]) -> Deciders:
    others = [u for u in staff if u.id != review.author_id]
    supervisors = [u for u in others if u.role == "supervisor"]
    tiers = (("area", [u for u in supervisors if review.area_id in u.area_ids]),
             ("any_area", supervisors), ("admin", [u for u in others if u.role == "admin"]))
    for tier, users in tiers:
        if users:
            return Deciders(tier, users)
    return Deciders("none")


def deciders_for(reviews: Iterable[MessageReview]) -> dict[int, Deciders]:
    """Return who may decide each review, keyed by review id (one query for them all)."""
    reviews = list(reviews)
    staff = _staff() if reviews else []
    return {review.id: _choose(review, staff) for review in reviews}


def deciders(review: MessageReview) -> Deciders:
    """Return who may decide this held message (whatever its status: the rule, not the state).

    The rule of ``_choose``, asked of the database one tier at a time (usually the first
    answers), rather than loading every supervisor and admin of the force with their areas for
    one message: that was a quarter of a held quick-log POST's CPU with 50 areas
    (benchmarks/page_profile.py).
    """
    others = select(User).where(User.active.is_(True), User.id != review.author_id)
    in_area = User.id.in_(select(user_areas.c.user_id).where(user_areas.c.area_id == review.area_id))
    tiers = (("area", others.where(User.role == "supervisor", in_area)),
             ("any_area", others.where(User.role == "supervisor")),
             ("admin", others.where(User.role == "admin")))
    for tier, query in tiers:
        users = list(db.session.scalars(query.order_by(User.display_name, User.id)))
        if users:
            return Deciders(tier, users)
    return Deciders("none")
