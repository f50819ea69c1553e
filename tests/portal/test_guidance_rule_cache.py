"""The message check keeps the rules it read while their stamp is unchanged (migration 0038), and a
held quick-log POST asks who decides once (issue 26 target 3).

A web worker must still see a rule edit at its next check, whoever made it and however: another
worker (here another connection of the pool), a raw SQL statement, an insert or a delete.
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from portal.extensions import db
from portal.guidance import deciders as deciders_module
from portal.guidance.rules import seed_rules
from portal.models import GuidanceRule, MessageReview, utcnow
from tests.portal.guidance_factories import RISKY, make_forum, make_staff

PHONE = "Call me on 07700 900123 tonight"


def _flags(client, message: str) -> str:
    return client.post("/guidance/check", data={"message_text": message}, headers={"HX-Request": "true"}).data.decode()


def _elsewhere(statement: str, **params) -> None:
    """Write as another worker would: its own connection and transaction, committed."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", listener)
    yield seen
    event.remove(db.engine, "before_cursor_execute", listener)


def test_a_rule_changed_by_another_worker_applies_at_the_next_check(client, auth, db_session):
    seed_rules()
    db_session.commit()
    auth.login("officer")
    assert 'data-rule="personal.phone"' in _flags(client, PHONE)  # read, and kept
    _elsewhere("UPDATE guidance_rules SET enabled = :off WHERE code = 'personal.phone'", off=False)
    assert 'data-rule="personal.phone"' not in _flags(client, PHONE)
    _elsewhere("UPDATE guidance_rules SET enabled = :on WHERE code = 'personal.phone'", on=True)
    assert 'data-rule="personal.phone"' in _flags(client, PHONE)
    # A rule added, then one deleted.
    _elsewhere("INSERT INTO guidance_rules (code, category, severity, kind, pattern, explanation, enabled, version, "
               "created_at, updated_at) VALUES ('custom.kettle', 'operational', 'needs_supervisor', 'keywords', "
               "'kettle', 'A test.', :on, 1, :now, :now)", on=True, now=utcnow())
    assert 'data-rule="custom.kettle"' in _flags(client, "The kettle is on")
    _elsewhere("DELETE FROM guidance_rules WHERE code = 'custom.kettle'")
    assert 'data-rule="custom.kettle"' not in _flags(client, "The kettle is on")


def test_a_rule_edited_on_the_rules_page_applies_to_the_same_request_s_later_checks(client, auth, db_session):
    seed_rules()
    db_session.commit()
    auth.login("supervisor")
    assert 'data-rule="personal.phone"' in _flags(client, PHONE)
    phone = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.phone"))
    assert client.post(f"/guidance/rules/{phone.id}/toggle").status_code in (302, 303)
    assert 'data-rule="personal.phone"' not in _flags(client, PHONE)


def test_the_rules_are_read_once_while_unchanged(client, auth, db_session, statements):
    seed_rules()
    db_session.commit()
    auth.login("officer")
    _flags(client, PHONE)
    statements.clear()
    for _ in range(3):
        assert 'data-rule="personal.phone"' in _flags(client, PHONE)
    assert not [s for s in statements if "FROM guidance_rules" in s]
    assert len([s for s in statements if "FROM guidance_rule_set" in s]) == 3  # the stamp, once a check


def test_a_held_quick_log_post_reads_no_rule_and_asks_who_decides_once(client, auth, db_session, users, area,
                                                                       statements, monkeypatch):
    seed_rules()
    db_session.commit()
    community = make_forum(area)
    make_staff("sgt2@tests.example.org", "supervisor", area, name="Sgt Two")
    asked = []
    real = deciders_module.deciders
    monkeypatch.setattr(deciders_module, "deciders", lambda review: asked.append(review.id) or real(review))
    auth.login("officer")
    _flags(client, PHONE)  # the rules are read here and kept
    statements.clear()
    response = client.post("/contacts/new", data={"community_id": str(community.id), "channel": "group_post",
                                                  "outcome": "pending", "message_text": RISKY})
    assert response.status_code == 303
    review = db_session.scalar(select(MessageReview))
    assert review is not None
    assert review.status == "held"
    assert asked == [review.id]
    assert not [s for s in statements if "guidance_rule" in s and "FROM communities" not in s]
    page = client.get(response.headers["Location"]).data.decode()
    assert "Sgt Two" in page
    assert "will decide" in page
