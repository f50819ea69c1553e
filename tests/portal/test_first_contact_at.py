"""communities.first_contact_at stays equal to the first outbound contact that went out, whatever writes contacts.

The triggers of migration 0018 keep it (per statement on PostgreSQL, per row on SQLite); the
research charts that count from a community's first contact read it instead of the contacts.
"""
from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, text, update

from portal.communities.services import merge_communities
from portal.extensions import db
from portal.models import Community, OutreachContact, User, utcnow
from portal.models.outreach import NOT_CLEARED
from portal.outreach.services import edit_contact, log_contact
from portal.research.filters import first_contacts_of
from portal.scale import generate


def _stored() -> dict[int, object]:
    return dict(db.session.execute(select(Community.id, Community.first_contact_at)).all())


def _counted() -> dict[int, object]:
    """The first contact read from the contacts themselves, as the charts did before 0018."""
    firsts = dict(db.session.execute(
        select(OutreachContact.community_id, func.min(OutreachContact.occurred_at))
        .where(OutreachContact.direction == "outbound", OutreachContact.review_status.not_in(sorted(NOT_CLEARED)))
        .group_by(OutreachContact.community_id)).all())
    return {cid: firsts.get(cid) for cid in db.session.scalars(select(Community.id))}


def _random_writes(rng: random.Random, rounds: int) -> None:
    officer = db.session.scalar(select(User).where(User.role == "officer"))
    now = utcnow()
    for _ in range(rounds):
        communities = db.session.scalars(select(Community.id).where(Community.status != "merged")).all()
        contacts = db.session.scalars(select(OutreachContact.id)).all()
        contact = db.session.get(OutreachContact, rng.choice(contacts))
        action = rng.random()
        when = now - timedelta(days=rng.randint(0, 1000), seconds=rng.randint(0, 86400))
        if action < 0.1:  # written directly, perhaps already held or refused
            db.session.add(OutreachContact(community_id=rng.choice(communities), officer_id=officer.id,
                                           occurred_at=when, channel="email", purpose="introduce",
                                           direction=rng.choice(("outbound", "inbound")),
                                           review_status=rng.choice((*sorted(NOT_CLEARED), "sent", "none"))))
        elif action < 0.2:  # logged through the application, sometimes earlier than any before
            log_contact({"community_id": rng.choice(communities), "channel": "email",
                         "direction": rng.choice(("outbound", "inbound")), "purpose": "introduce",
                         "message_text": "Hello from the team.",
                         "occurred_at": when},
                        officer)
        elif action < 0.35:  # its time corrected
            edit_contact(contact, {"occurred_at": contact.occurred_at - timedelta(days=rng.randint(-400, 400))},
                         officer)
        elif action < 0.5:  # held for a supervisor, sent back, refused, or cleared
            contact.review_status = rng.choice((*sorted(NOT_CLEARED), "sent", "none"))
        elif action < 0.6:
            contact.direction = "inbound" if contact.direction == "outbound" else "outbound"
        elif action < 0.7:  # deleted (ORM or plain SQL)
            if rng.random() < 0.5:
                db.session.delete(contact)
            else:
                db.session.flush()
                db.session.execute(delete(OutreachContact).where(OutreachContact.id == contact.id)
                                   .execution_options(synchronize_session=False))
                db.session.expunge(contact)
        elif action < 0.8:  # two communities merged: the loser's contacts move to the winner
            winner, loser = rng.sample(communities, 2)
            merge_communities(db.session.get(Community, winner), db.session.get(Community, loser))
        elif action < 0.9:  # a bulk change outside the ORM, several rows in one statement
            db.session.flush()
            db.session.execute(update(OutreachContact).where(OutreachContact.community_id == contact.community_id)
                               .values(review_status=rng.choice(("held", "none")))
                               .execution_options(synchronize_session=False))
        else:  # an edit that does not touch what the first contact depends on
            contact.outcome = rng.choice(("no_reply", "replied"))
        if rng.random() < 0.3:
            db.session.commit()
    db.session.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_first_contact_at_follows_every_kind_of_write(app, seed):
    generate(80, areas=2, contacts_per=4, seed=seed)  # bulk inserts (COPY on PostgreSQL)
    assert _stored() == _counted()
    assert any(_counted().values())
    _random_writes(random.Random(seed), 200)
    db.session.expire_all()
    stored, counted = _stored(), _counted()
    assert stored == counted, {cid: (stored[cid], counted[cid]) for cid in stored if stored[cid] != counted[cid]}
    assert any(first is None for first in counted.values())
    assert any(counted.values())


def test_first_contact_at_is_filled_for_existing_contacts_by_the_migration(app):
    """Migration 0018 fills the column from contacts logged before it: run its backfill again."""
    generate(30, areas=1, contacts_per=4, seed=5)
    db.session.execute(update(Community).values(first_contact_at=None))
    from importlib import import_module
    migration = import_module("migrations.versions.0018_community_first_contact")
    db.session.execute(text(f"UPDATE communities SET first_contact_at = "
                            f"{migration.FIRST_OF.format(community='communities.id')}"))
    assert _stored() == _counted()
    assert any(_counted().values())


def test_first_contacts_of_reads_the_period(app):
    generate(40, areas=2, contacts_per=4, seed=3)
    counted = {cid: first for cid, first in _counted().items() if first}
    middle = sorted(counted.values())[len(counted) // 2]
    rows = dict(db.session.execute(first_contacts_of([], middle, utcnow() + timedelta(days=1))).all())
    assert rows == {cid: first for cid, first in counted.items() if first >= middle}
    assert dict(db.session.execute(first_contacts_of([])).all()) == counted
    area = db.session.scalar(select(Community.area_id).limit(1))
    in_area = dict(db.session.execute(first_contacts_of([Community.area_id == area])).all())
    assert in_area
    assert set(in_area) == {cid for cid, a in db.session.execute(select(Community.id, Community.area_id))
                                        if a == area and counted.get(cid)}
