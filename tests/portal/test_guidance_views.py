"""Guidance views: live check, library, rules admin with history, support flags, team view, CLI."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portal.guidance.check import default_rules
from portal.guidance.library import seed_library
from portal.guidance.rules import seed_rules
from portal.models import AuditEvent, Community, GuidanceRule, GuidanceRuleRevision, SupportFlag


@pytest.fixture
def community(db_session, area):
    community = Community(area_id=area.id, name="Big Town Group", platform="facebook_group", access="closed",
                          audience_size=25000)
    db_session.add(community)
    db_session.commit()
    return community


def test_live_check_returns_findings_fragment(client, auth):
    auth.login("officer")
    response = client.post("/guidance/check", data={"message_text": "Call 07700 900123"},
                           headers={"HX-Request": "true"})
    body = response.data.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="guidance_findings"')
    assert "07700 900123" in body
    assert "Needs supervisor" in body
    assert "<html" not in body


def test_live_check_uses_the_community_context(client, auth, community):
    auth.login("officer")
    response = client.post("/guidance/check", headers={"HX-Request": "true"},
                           data={"message_text": "Hello everyone", "community_id": community.id})
    assert 'data-severity="needs_supervisor"' in response.data.decode()


def test_check_page_full_and_prefilled_from_a_template(client, auth, db_session):
    seed_library()
    db_session.commit()
    auth.login("officer")
    page = client.get("/guidance/check?template=1")
    assert page.status_code == 200
    assert b"<html" in page.data
    assert b'hx-post="/guidance/check"' in page.data
    assert b"input changed delay:400ms" in page.data
    clean = client.post("/guidance/check", data={"message_text": "Hello from your team"})
    assert b"No problems found" in clean.data
    assert b"<html" in clean.data


def test_hostile_text_is_escaped_in_findings(client, auth):
    auth.login("officer")
    response = client.post("/guidance/check", headers={"HX-Request": "true"},
                           data={"message_text": "<script>x</script> scum 07700 900123"})
    assert b"<script>x" not in response.data


def test_library_lists_and_searches_pages_and_templates(client, auth, db_session):
    seed_library()
    db_session.commit()
    auth.login("officer")
    page = client.get("/guidance")
    assert b"What you cannot say" in page.data
    assert b"Appeal for information" in page.data
    assert b"Start from this template" in page.data
    fragment = client.get("/guidance?q=hostile", headers={"HX-Request": "true"}).data.decode()
    assert fragment.lstrip().startswith('<div id="library"')
    assert "When a thread turns hostile" in fragment
    assert "Introducing yourself" not in fragment
    assert client.get("/guidance/pages/hostile-threads").status_code == 200
    assert client.get("/guidance/pages/nope").status_code == 404


def _rule_form(**changes):
    data = {"code": "custom.checkpoints", "category": "operational", "severity": "needs_supervisor",
            "kind": "keywords", "pattern": "checkpoint*", "explanation": "Do not announce checkpoints.",
            "enabled": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_rule_edits_keep_their_history(client, auth, db_session):
    auth.login("supervisor")
    response = client.post("/guidance/rules/new", data=_rule_form())
    assert response.status_code == 303
    rule = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "custom.checkpoints"))
    client.post(f"/guidance/rules/{rule.id}", data=_rule_form(severity="do_not_send", code="renamed"))
    client.post(f"/guidance/rules/{rule.id}/toggle")
    db_session.refresh(rule)
    assert rule.version == 3
    assert rule.code == "custom.checkpoints"
    assert rule.enabled is False
    revisions = db_session.scalars(select(GuidanceRuleRevision).where(GuidanceRuleRevision.rule_id == rule.id)
                                   .order_by(GuidanceRuleRevision.version)).all()
    assert [(r.version, r.snapshot["severity"], r.snapshot["enabled"]) for r in revisions] == [
        (1, "needs_supervisor", True), (2, "do_not_send", True), (3, "do_not_send", False)]
    page = client.get(f"/guidance/rules/{rule.id}")
    assert page.data.count(b"<strong>Version") == 3
    assert len(db_session.scalars(select(AuditEvent).where(AuditEvent.object_type == "GuidanceRule")).all()) == 3


def test_saving_an_unchanged_rule_adds_no_version(client, auth, db_session):
    auth.login("admin")
    client.post("/guidance/rules/new", data=_rule_form())
    rule = db_session.scalar(select(GuidanceRule))
    client.post(f"/guidance/rules/{rule.id}", data=_rule_form())
    db_session.refresh(rule)
    assert rule.version == 1


def test_invalid_regex_gives_a_clear_error_and_saves_nothing(client, auth, db_session):
    auth.login("admin")
    response = client.post("/guidance/rules/new", data=_rule_form(kind="regex", pattern="(unclosed"))
    assert response.status_code == 200
    assert b"This rule cannot be used: the regular expression does not work" in response.data
    assert b"(unclosed" in response.data  # what was typed is kept
    assert db_session.scalar(select(GuidanceRule.id)) is None


def test_enabled_rules_in_the_database_drive_the_check(client, auth, db_session):
    seed_rules()
    db_session.commit()
    auth.login("supervisor")
    client.post("/guidance/rules/new", data=_rule_form())
    phone = db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.phone"))
    client.post(f"/guidance/rules/{phone.id}/toggle")
    body = client.post("/guidance/check", data={"message_text": "Checkpoints tonight, call 07700 900123"},
                       headers={"HX-Request": "true"}).data.decode()
    assert 'data-rule="custom.checkpoints"' in body
    assert 'data-rule="personal.phone"' not in body


def test_officers_cannot_edit_rules(client, auth):
    auth.login("officer")
    assert client.get("/guidance/rules").status_code == 403
    assert client.post("/guidance/rules/new", data=_rule_form()).status_code == 403


def test_support_flag_note_takeover_and_debrief(client, auth, db_session, users, community):
    community.owner_id = users["officer"].id
    db_session.commit()
    auth.login("officer")
    page = client.get(f"/communities/{community.id}").data.decode()
    assert f'href="/guidance/flags/new?community_id={community.id}" data-testid="ask-backup"' in page
    form = client.get(f"/guidance/flags/new?community_id={community.id}").data.decode()
    assert f'<option selected value="{community.id}">' in form or f'value="{community.id}" selected' in form
    response = client.post("/guidance/flags/new", data={
        "community_id": community.id, "reason": "hostile_thread", "note": "Replies turning nasty",
        "thread_link": "https://facebook.example/groups/x/posts/1"})
    assert response.status_code == 303
    flag = db_session.scalar(select(SupportFlag))
    assert flag.raised_by_id == users["officer"].id
    assert flag.status == "open"
    refused = client.post(f"/guidance/flags/{flag.id}/notes", data={"kind": "support", "body": "x"})
    assert refused.status_code == 422
    auth.logout()
    auth.login("supervisor")
    fragment = client.post(f"/guidance/flags/{flag.id}/notes", headers={"HX-Request": "true"},
                           data={"kind": "support", "body": "I'll reply in the thread."}).data.decode()
    assert fragment.lstrip().startswith('<div id="flag_notes"')
    assert "reply in the thread" in fragment
    client.post(f"/guidance/flags/{flag.id}/takeover")
    client.post(f"/guidance/flags/{flag.id}/resolve")
    db_session.refresh(community)
    db_session.refresh(flag)
    assert community.owner_id == users["supervisor"].id
    assert flag.status == "resolved"
    auth.logout()
    auth.login("officer")
    client.post(f"/guidance/flags/{flag.id}/notes", data={"kind": "debrief", "body": "Lesson: flag earlier."})
    db_session.refresh(flag)
    assert [n.kind for n in flag.notes] == ["support", "takeover", "debrief"]
    actions = set(db_session.scalars(select(AuditEvent.action)))
    assert {"flag", "support_note", "takeover", "resolve"} <= actions


def test_flag_form_errors_are_shown(client, auth, community):
    auth.login("officer")
    response = client.post("/guidance/flags/new", data={"community_id": community.id, "thread_link": "nope"})
    assert response.status_code == 200
    assert b"Say what is happening" in response.data
    assert b"Enter a web address" in response.data


def test_flag_and_check_forms_list_a_bounded_set_and_still_reach_every_community(client, auth, db_session, area,
                                                                                  monkeypatch):
    """The drop-downs hold at most LIMIT communities; one beyond them is reachable from its own page."""
    from portal.communities import choices
    from portal.models import utcnow

    monkeypatch.setattr(choices, "LIMIT", 2)
    listed = [Community(area_id=area.id, name=f"Recent group {n}", platform="forum", last_contact_at=utcnow())
              for n in range(2)]
    quiet = Community(area_id=area.id, name="Quiet Allotment Society", platform="forum")
    db_session.add_all([*listed, quiet])
    db_session.commit()
    auth.login("officer")
    for path in ("/guidance/flags/new", "/guidance/check"):
        page = client.get(path).data.decode()
        assert all(c.name in page for c in listed)
        assert "Quiet Allotment Society" not in page
        page = client.get(f"{path}?community_id={quiet.id}").data.decode()
        assert "Quiet Allotment Society" in page
    response = client.post("/guidance/flags/new", data={"community_id": quiet.id, "reason": "media_interest"})
    assert response.status_code == 303
    assert db_session.scalar(select(SupportFlag)).community_id == quiet.id


def test_team_view(client, auth, db_session, users, community):
    """Figures per officer and per area count only the chosen weeks; held messages show their age."""
    from portal.guidance import services
    from tests.portal.outreach_factories import make_contact, make_stage

    officer = users["officer"]
    make_contact(community, officer, days_ago=3, outcome="positive")
    make_contact(community, officer, days_ago=10, outcome="positive")
    evidence = make_contact(community, officer, days_ago=20, outcome="acknowledged")
    make_contact(community, officer, days_ago=60, outcome="hostile")  # outside 4 and 8 weeks
    make_stage(community, "approached", days_ago=21)  # a move in the area, by nobody in particular
    make_stage(community, "acknowledged", days_ago=20, evidence=evidence).changed_by_id = officer.id
    held = make_contact(community, officer, days_ago=0, outcome="pending",
                        message_text="A man has been arrested after the burglaries on the seafront.")
    services.review_on_save(held)
    db_session.commit()
    auth.login("supervisor")
    page = client.get("/guidance/team").data.decode()
    officers = _table_row(page, "team-officers", "Test officer")
    # contacts, positive, acknowledged, pending, no response, negative, hostile, stage moves
    assert officers == ["3", "2", "1", "0", "0", "0", "0", "1"]  # the held message has not gone out
    assert _table_row(page, "team-areas", "Test Town") == ["3", "2", "1", "0", "0", "0", "0", "2"]
    assert 'data-testid="team-held"' in page
    assert "Big Town Group</a> by Test officer, held" in page
    fragment = client.get("/guidance/team?weeks=2", headers={"HX-Request": "true"}).data.decode()
    assert fragment.lstrip().startswith('<div id="team_tables"')
    assert "last 2 weeks" in fragment
    assert _table_row(fragment, "team-officers", "Test officer") == ["2", "2", "0", "0", "0", "0", "0", "0"]
    eight = client.get("/guidance/team?weeks=13").data.decode()
    assert _table_row(eight, "team-areas", "Test Town")[0] == "4"
    auth.logout()
    auth.login("officer")
    assert client.get("/guidance/team").status_code == 403


def test_team_view_covers_the_supervisors_areas_only(client, auth, db_session, users, community):
    """A supervisor's team page lists their own areas and officers; an admin's lists every area."""
    from portal.areas import import_area
    from portal.models import User

    elsewhere, _ = import_area({"name": "Elsewhere", "places": ["Hove"]}, slug="elsewhere")
    outsider = User(email="outsider@example.org", display_name="Outside officer", role="officer")
    outsider.areas.append(elsewhere)
    db_session.add(outsider)
    db_session.commit()
    auth.login("supervisor")
    page = client.get("/guidance/team").data.decode()
    assert ">Test Town</th>" in page
    assert "Elsewhere" not in page
    assert "Outside officer" not in page
    auth.logout()
    auth.login("admin")
    page = client.get("/guidance/team").data.decode()
    assert ">Test Town</th>" in page
    assert ">Elsewhere</th>" in page
    assert ">Outside officer</th>" in page


def _table_row(page: str, testid: str, heading: str) -> list[str]:
    """The numeric cells of the row headed `heading` in the table with that data-testid."""
    import re

    table = page[page.index(f'data-testid="{testid}"'):]
    table = table[:table.index("</table>")]
    row = table[table.index(f">{heading}</th>"):]
    row = row[:row.index("</tr>")]
    return re.findall(r'govuk-table__cell--numeric">([^<]*)</td>', row)


def test_cli_check_json(runner):
    result = runner.invoke(args=["guidance", "check", "--json", "Vote for the Green Party, call 07700 900123"])
    assert result.exit_code == 0, result.output
    findings = json.loads(result.output)
    assert {f["rule_code"] for f in findings} >= {"political.party", "personal.phone"}
    assert set(findings[0]) == {"category", "severity", "rule_code", "matched_text", "start", "end", "explanation"}
    clean = runner.invoke(args=["guidance", "check", "--json", "Hello"])
    assert clean.exit_code == 0
    assert json.loads(clean.output) == []


def test_cli_seed_is_idempotent(runner, db_session):
    first = runner.invoke(args=["guidance", "seed"])
    assert first.exit_code == 0
    assert f"Added {len(default_rules())} rules" in first.output
    assert "Added 0 rules, 0 guidance pages and 0 message templates" in runner.invoke(args=["guidance", "seed"]).output
    assert db_session.scalar(select(GuidanceRule).where(GuidanceRule.code == "personal.phone")).version == 1


def test_demo_includes_guidance_records(runner, db_session):
    from portal.models import MessageReview

    assert runner.invoke(args=["demo"]).exit_code == 0
    statuses = sorted(db_session.scalars(select(MessageReview.status)))
    assert statuses == ["approved", "held"]
    assert db_session.scalar(select(SupportFlag.status)) == "open"
    assert runner.invoke(args=["demo"]).exit_code == 0  # idempotent
    assert len(db_session.scalars(select(MessageReview)).all()) == 2


def test_a_broken_stored_rule_cannot_be_switched_on(client, auth, db_session):
    rule = GuidanceRule(code="old.broken", category="political", severity="advice", kind="regex",
                        pattern="(", explanation="x", enabled=False, version=1)
    db_session.add(rule)
    db_session.commit()
    auth.login("admin")
    assert client.post(f"/guidance/rules/{rule.id}/toggle").status_code == 303
    db_session.refresh(rule)
    assert rule.enabled is False
    assert rule.version == 1
    assert b"cannot be switched on" in client.get("/guidance/rules").data


def test_rule_form_lists_the_built_in_detectors(client, auth):
    auth.login("supervisor")
    page = client.get("/guidance/rules/new").get_data(as_text=True)
    assert "group_generalisation" in page
    assert "uk_address" in page
    assert "lexicon_words" in page
