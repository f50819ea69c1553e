"""flask commands: init-db, users create, areas import, demo."""
from __future__ import annotations

import json

from portal.models import Area, Community, OutreachContact, StageChange, User


def test_users_create_reads_password_from_stdin(runner, area):
    result = runner.invoke(args=["users", "create", "Sgt@Tests.example.org", "--role", "supervisor",
                                 "--area", "test-town", "--password-stdin"], input="violet-harbour-lamp-8\n")
    assert result.exit_code == 0, result.output
    user = User.by_email("sgt@tests.example.org")
    assert user.role == "supervisor"
    assert user.check_password("violet-harbour-lamp-8")
    assert [a.slug for a in user.areas] == ["test-town"]


def test_users_create_refuses_weak_password_and_unknown_role(runner, app):
    weak = runner.invoke(args=["users", "create", "a@b.org", "--role", "officer", "--password-stdin"],
                         input="short\n")
    assert weak.exit_code != 0
    assert "at least 12" in weak.output
    bad_role = runner.invoke(args=["users", "create", "a@b.org", "--role", "chief"])
    assert bad_role.exit_code != 0
    assert User.by_email("a@b.org") is None


def test_areas_import(runner, tmp_path, app):
    path = tmp_path / "area.json"
    path.write_text(json.dumps({"name": "Hove", "places": ["Hove"], "postcode_districts": ["BN3"]}))
    result = runner.invoke(args=["areas", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert Area.by_slug("hove").profile["postcode_districts"] == {"BN3": 1.0}
    path.write_text("{broken")
    result = runner.invoke(args=["areas", "import", str(path)])
    assert result.exit_code != 0
    assert "area.json" in result.output


def test_demo_loads_users_communities_and_contacts(runner, db_session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "officer@example.org" in result.output
    for role in ("officer", "supervisor", "researcher", "admin", "auditor"):
        assert db_session.query(User).filter_by(role=role).count() >= 1
    assert db_session.query(Community).count() >= 5
    assert db_session.query(OutreachContact).count() >= 5
    assert db_session.query(StageChange).filter(StageChange.evidence_contact_id.isnot(None)).count() >= 5
    area = Area.by_slug("lewes")
    assert "BN7" in area.profile["postcode_districts"]
    users_before = db_session.query(User).count()  # 6 demo users + the research sample's 3 officers
    communities_before = db_session.query(Community).count()
    again = runner.invoke(args=["demo"])
    assert "already loaded" in again.output
    assert db_session.query(User).count() == users_before == 9
    assert db_session.query(Community).count() == communities_before


def test_a_second_demo_run_says_how_to_get_the_logins(runner):
    """`make run` a second time (issue 23, finding 9): the accounts and how to get passwords."""
    from portal.demo import DEMO_USERS

    assert runner.invoke(args=["demo"]).exit_code == 0
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    for email, _, role in DEMO_USERS:
        assert email in again.output
        assert role in again.output
    assert "flask --app wsgi demo --reset" in again.output


def test_demo_reset_gives_the_demo_accounts_new_passwords_and_keeps_their_records(runner, db_session):
    import re

    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    old = dict(re.findall(r"^\s+(\S+@example\.org)\s+(\S+)$", first.output, re.M))
    officer = db_session.query(User).filter_by(email="officer@example.org").one()
    officer_id, contacts, token = officer.id, db_session.query(OutreachContact).count(), officer.session_token
    officer.failed_logins, officer.active = 4, False
    db_session.commit()
    reset = runner.invoke(args=["demo", "--reset"])
    assert reset.exit_code == 0, reset.output
    new = dict(re.findall(r"^\s+(\S+@example\.org)\s+(\S+)$", reset.output, re.M))
    assert set(new) == set(old)
    assert len(new) == 6
    assert all(new[e] != old[e] for e in new)
    db_session.expire_all()
    officer = db_session.get(User, officer_id)
    assert officer.check_password(new["officer@example.org"])
    assert not officer.check_password(old["officer@example.org"])
    assert officer.active
    assert officer.failed_logins == 0
    assert officer.session_token != token
    assert db_session.query(OutreachContact).count() == contacts
    assert db_session.query(User).count() == 9


def test_init_db_brings_shipped_message_check_rules_up_to_date_and_leaves_edited_ones(runner, db_session):
    """An upgrade runs init-db: shipped rules that changed reach installs without a separate `guidance seed`,
    while a rule a person edited stays theirs."""
    from sqlalchemy import select

    from portal.guidance.check import default_rules
    from portal.guidance.rules import save_rule, seed_rules
    from portal.models import GuidanceRule

    seed_rules()
    stale = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.phone"))
    stale.explanation = "An older release's wording."  # as an older release shipped it, changed by nobody
    edited = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.email"))
    owner = User(email="rules-owner@example.org", role="admin", display_name="Rules owner")
    db_session.add(owner)
    db_session.flush()
    save_rule(edited, {"explanation": "Our force's own wording."}, owner)
    missing = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.nhs_number"))
    db_session.delete(missing)
    db_session.commit()

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Message-check rules: 1 added" in result.output
    shipped = {rule.code: rule for rule in default_rules()}
    db_session.expire_all()
    rules = {rule.code: rule for rule in db_session.scalars(select(GuidanceRule))}
    assert rules["personal.phone"].explanation == shipped["personal.phone"].explanation
    assert rules["personal.email"].explanation == "Our force's own wording."
    assert "personal.nhs_number" in rules
