"""area_tags (the list's tag choices) stays equal to a count of the tags, whatever writes the tags."""
from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import delete, func, select, text

from portal.communities.queries import tags_in_use
from portal.communities.services import create_community, merge_communities, set_archived, update_community
from portal.extensions import db
from portal.models import Area, AreaTag, Community, CommunityTag, User
from portal.scale import generate

TAGS = ("families", "town", "faith", "sport", "youth", "traders")


def _stored() -> Counter:
    return Counter({(a, t): n for a, t, n in db.session.execute(
        select(AreaTag.area_id, AreaTag.tag, AreaTag.communities)) if n})


def _counted() -> Counter:
    return Counter({(a, t): n for a, t, n in db.session.execute(
        select(Community.area_id, CommunityTag.tag, func.count())
        .join(Community, Community.id == CommunityTag.community_id)
        .where(Community.status == "active").group_by(Community.area_id, CommunityTag.tag))})


def _tags_read_directly(user: User) -> list[str]:
    """What the list offered before area_tags: every tag of every visible active community."""
    query = select(CommunityTag.tag).join(Community).where(Community.status == "active").distinct()
    if user.role in {"officer", "supervisor"}:
        query = query.where(Community.area_id.in_(user.area_ids or {-1}))
    return sorted(db.session.scalars(query))


def _random_edits(rng: random.Random, rounds: int) -> None:
    areas = db.session.scalars(select(Area.id)).all()
    officer = db.session.scalar(select(User).where(User.role == "officer"))
    for _ in range(rounds):
        live = db.session.scalars(select(Community).where(Community.status != "merged")).all()
        community = rng.choice(live)
        action = rng.random()
        if action < 0.3:
            update_community(community, {"tags": ", ".join(rng.sample(TAGS, rng.randint(0, 3)))})
        elif action < 0.4:
            tag = f"new-{rng.randint(0, 5)}"
            if tag not in community.tag_names:
                community.tags.append(CommunityTag(tag=tag))
        elif action < 0.5:
            create_community({"name": f"New {rng.random()}", "platform": "forum", "area_id": rng.choice(areas),
                              "tags": ", ".join(rng.sample(TAGS, 2))}, officer)
        elif action < 0.6:
            update_community(community, {"area_id": rng.choice(areas)})
        elif action < 0.7:
            set_archived(community, community.status == "active")
        elif action < 0.8:
            merge_communities(community, rng.choice([c for c in live if c.id != community.id]))
        elif action < 0.9:
            # A community with no records yet (one with contacts cannot be deleted), then deleted.
            bare = Community(area_id=rng.choice(areas), name="Bare", platform="forum", status="active",
                             tags=[CommunityTag(tag=t) for t in rng.sample(TAGS, 2)])
            db.session.add(bare)
            db.session.flush()
            if action < 0.85:
                db.session.delete(bare)  # the ORM deletes its tags first
            else:  # the database deletes its tags (ON DELETE CASCADE) after the row
                db.session.execute(delete(Community).where(Community.id == bare.id)
                                   .execution_options(synchronize_session=False))
                db.session.expunge(bare)
                for tag in list(db.session.identity_map.values()):
                    if isinstance(tag, CommunityTag) and tag.community_id == bare.id:
                        db.session.expunge(tag)
        else:  # a bulk rename, outside the ORM
            db.session.flush()
            db.session.execute(text("UPDATE community_tags SET tag = :new WHERE community_id = :c AND tag = :t"),
                               {"new": f"renamed-{rng.random()}", "c": community.id, "t": rng.choice(TAGS)})
        if rng.random() < 0.3:
            db.session.commit()
    db.session.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_area_tags_follow_every_kind_of_write(app, seed):
    rng = random.Random(seed)
    generate(120, areas=3, seed=seed)  # bulk inserts of communities and tags
    assert _stored() == _counted()
    assert _counted()
    _random_edits(rng, 150)
    db.session.expire_all()
    assert _stored() == _counted()
    officer = db.session.scalar(select(User).where(User.role == "officer"))
    admin = User(email="admin@example.org", role="admin")  # sees every area
    for user in (officer, admin):
        assert tags_in_use(user) == _tags_read_directly(user)


def test_area_tags_choices_on_the_list_page(client, auth, users, area, db_session):
    from tests.portal.outreach_factories import make_community

    kept = make_community(area, "Alpha Forum", tags=["town", "families"])
    gone = make_community(area, "Beta Group", tags=["faith"])
    set_archived(gone, True)
    db.session.commit()
    auth.login("officer")
    page = client.get("/communities").data.decode()
    options = page.split('name="tag"')[1].split("</select>")[0]
    assert "families" in options
    assert "town" in options
    assert "faith" not in options
    assert kept.tag_names == ["families", "town"]
