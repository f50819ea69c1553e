"""The scale data generator and `flask demo --scale N`, at small N."""
from __future__ import annotations

from sqlalchemy import func, select

from portal import scale, stage_tallies
from portal.extensions import db
from portal.models import (
    ActivitySample, Area, Community, Feed, OutreachContact, StageChange, User, user_areas,
)
from portal.scale import generate


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_generate_writes_a_consistent_history(app):
    result = generate(120, areas=6, seed=7)
    assert result.counts["communities"] == 120 == _count(Community)
    assert _count(Area) == 6
    assert db.session.scalar(select(func.count(func.distinct(Community.area_id)))) == 6
    contacts, events = _count(OutreachContact), _count(StageChange) + _count(ActivitySample)
    assert 8 * 120 <= contacts <= 12 * 120  # ~10 each
    assert 15 * 120 <= events <= 25 * 120  # ~20 each
    # The denormalised stage is the latest stage change; last contact is the latest contact.
    latest_stage = (select(StageChange.to_stage).where(StageChange.community_id == Community.id)
                    .order_by(StageChange.changed_at.desc(), StageChange.id.desc()).limit(1).scalar_subquery())
    assert db.session.scalar(select(func.count()).where(Community.stage != latest_stage)) == 0
    latest_contact = (select(func.max(OutreachContact.occurred_at))
                      .where(OutreachContact.community_id == Community.id).scalar_subquery())
    assert db.session.scalar(select(func.count()).where(Community.last_contact_at != latest_contact)) == 0
    # Contacts are by officers of the community's own area; samples belong to the community's feed.
    stray = (select(func.count()).select_from(OutreachContact).join(Community)
             .outerjoin(user_areas, (user_areas.c.user_id == OutreachContact.officer_id)
                        & (user_areas.c.area_id == Community.area_id))
             .where(user_areas.c.user_id.is_(None)))
    assert db.session.scalar(stray) == 0
    wrong_feed = (select(func.count()).select_from(ActivitySample).join(Feed)
                  .where(Feed.community_id != ActivitySample.community_id))
    assert db.session.scalar(wrong_feed) == 0
    assert all(c.url.endswith(".example/") for c in db.session.scalars(select(Community)))


def test_generate_is_repeatable_and_adds_to_existing_data(app):
    generate(30, areas=3, seed=3)
    first = [c.name for c in db.session.scalars(select(Community).order_by(Community.id))]
    generate(30, areas=3, seed=3)  # same areas and officers, 30 more communities with new ids
    assert _count(Community) == 60
    assert _count(Area) == 3
    assert _count(User) == 3 * 4
    names = [c.name for c in db.session.scalars(select(Community).order_by(Community.id))]
    assert names[:30] == first
    new = db.session.scalars(select(Community).order_by(Community.id).offset(30)).first()
    db.session.add(Community(area_id=new.area_id, name="Typed after the bulk load", platform="forum"))
    db.session.commit()  # ids (sequences on PostgreSQL) continue after the generated rows


def test_tallies_of_a_generation_in_many_chunks_match_a_recount(app, monkeypatch):
    """Chunks share tally rows (an area's month, a stage); their changes are merged once, summed."""
    monkeypatch.setattr(scale, "CHUNK", 7)
    generate(40, areas=2, seed=5)
    generate(15, areas=2, seed=6)  # onto tallies already stored
    conn = db.session.connection()
    assert stage_tallies.stored(conn) == stage_tallies.recount(conn) != {}


def test_demo_command_scale_option(runner):
    result = runner.invoke(args=["demo", "--scale", "60"])
    assert result.exit_code == 0, result.output
    assert "communities" in result.output
    assert "60" in result.output
    assert "Scale data written" in result.output
    assert "officer@example.org" in result.output
    # 60 generated + the demo's own communities
    assert db.session.scalar(select(func.count()).select_from(Community).join(Area)
                             .where(Area.slug.like("scale-%"))) == 60
