"""Builders for the sign-off, deciders, feedback and notices tests: a forum the rules check, staff, held messages."""
from __future__ import annotations

from portal.extensions import db
from portal.guidance import services
from portal.models import Community, MessageReview, OutreachContact, User
from tests.conftest import _password_hash

#: Live proceedings: needs a supervisor's sign-off (and nothing worse).
RISKY = "A man has been arrested after the burglaries on the seafront."


def make_forum(area, name: str = "Test Town Forum") -> Community:
    """A closed forum of 200 members: big enough that the reach rules apply to what is posted there."""
    community = Community(area_id=area.id, name=name, platform="forum", access="closed", audience_size=200)
    db.session.add(community)
    db.session.commit()
    return community


def make_staff(email: str, role: str, area=None, *, active: bool = True, name: str | None = None) -> User:
    """A user of a role (with the shared test password), in an area when given one."""
    user = User(email=email, display_name=name or email.split("@")[0], role=role, active=active)
    user.password_hash = _password_hash()
    if area is not None:
        user.areas.append(area)
    db.session.add(user)
    db.session.commit()
    return user


def make_draft(community: Community, author: User, text: str = RISKY) -> OutreachContact:
    """A group post to the community, added and flushed but not yet checked or committed."""
    contact = OutreachContact(community_id=community.id, officer_id=author.id, channel="group_post",
                              purpose="inform", message_text=text)
    contact.community = community
    db.session.add(contact)
    db.session.flush()
    return contact


def make_held(community: Community, author: User, text: str = RISKY) -> MessageReview:
    """A message checked as it is saved and held for a supervisor (committed)."""
    review = services.review_on_save(make_draft(community, author, text))
    db.session.commit()
    assert review is not None, "the text was not held: choose one that needs a supervisor"
    assert review.status == "held"
    return review
