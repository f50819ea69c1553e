"""Supervisors' "wrong here" marks: who may mark, counts per rule, exports as labelled examples (audited)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from portal.guidance import feedback
from portal.guidance.rules import seed_rules
from portal.models import AuditEvent, GuidanceFlagMark
from tests.portal.guidance_factories import make_forum, make_held, make_staff

# Two findings that need a supervisor: an arrest (live proceedings) and a home address (personal data).
TEXT = "=A man has been arrested after the break-in at 14 Station Road."


@pytest.fixture
def community(db_session, area):
    return make_forum(area)


@pytest.fixture
def review(db_session, users, community):
    return make_held(community, users["officer"], TEXT)


def _address(review):
    return next(f for f in review.findings if f["rule_code"] == "personal.home_address")


def _mark(client, review, finding, **extra):
    return client.post(f"/guidance/reviews/{review.id}/findings",
                       data={"rule_code": finding["rule_code"], "start": finding["start"], **extra})


def test_supervisor_marks_a_finding_wrong_and_can_take_it_back(client, auth, review, db_session):
    auth.login("supervisor")
    page = client.get(f"/guidance/reviews/{review.id}")
    assert page.status_code == 200
    assert page.data.count(b'data-testid="mark-finding"') == len(review.findings)
    response = _mark(client, review, _address(review), note="it is the venue")
    assert response.status_code == 303
    mark = db_session.scalar(select(GuidanceFlagMark))
    assert (mark.rule_code, mark.category, mark.note) == ("personal.home_address", "personal_data", "it is the venue")
    assert _mark(client, review, _address(review)).status_code == 303  # twice is once
    assert db_session.scalar(select(func.count()).select_from(GuidanceFlagMark)) == 1
    page = client.get(f"/guidance/reviews/{review.id}").get_data(as_text=True)
    assert "Marked wrong here" in page
    assert "it is the venue" in page
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == "feedback")) is not None
    _mark(client, review, _address(review), action="unmark")
    assert db_session.scalar(select(func.count()).select_from(GuidanceFlagMark)) == 0


@pytest.mark.parametrize("role", ["officer", "admin", "researcher", "auditor"])
def test_only_supervisors_mark(client, auth, review, role):
    auth.login(role)
    assert _mark(client, review, _address(review)).status_code == 403


def test_a_supervisor_cannot_mark_their_own_message_or_another_area(db_session, users, review, area):
    review.author_id = users["supervisor"].id
    with pytest.raises(feedback.MarkRefused, match="You wrote this message"):
        feedback.mark(review, users["supervisor"], "personal.home_address", _address(review)["start"])
    outsider = make_staff("other@tests.example.org", "supervisor", name="Other")
    with pytest.raises(feedback.MarkRefused, match="of this area"):
        feedback.mark(review, outsider, "personal.home_address", _address(review)["start"])


def test_unknown_finding_is_not_found(client, auth, review):
    auth.login("supervisor")
    assert client.post(f"/guidance/reviews/{review.id}/findings",
                       data={"rule_code": "personal.home_address", "start": 9999}).status_code == 404
    assert client.post("/guidance/reviews/999999/findings", data={"rule_code": "x", "start": 0}).status_code == 404


def test_rules_page_counts_marks_per_rule(client, auth, review, users, db_session):
    seed_rules()
    feedback.mark(review, users["supervisor"], "personal.home_address", _address(review)["start"])
    db_session.commit()
    auth.login("supervisor")
    page = client.get("/guidance/rules").get_data(as_text=True)
    assert 'data-testid="marks-personal.home_address">1<' in page
    assert 'data-testid="marks-proceedings.status">0<' in page


def test_export_labels_what_is_still_flagged(client, auth, review, users, db_session):
    feedback.mark(review, users["supervisor"], "personal.home_address", _address(review)["start"])
    db_session.commit()
    auth.login("supervisor")
    response = client.get("/guidance/feedback/export.jsonl")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    [row] = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert row["text"] == TEXT
    assert row["labels"] == ["live_proceedings"]
    assert row["not_labels"] == ["personal_data"]
    assert row["marked_rules"] == ["personal.home_address"]
    rows = list(csv.DictReader(io.StringIO(client.get("/guidance/feedback/export.csv").get_data(as_text=True))))
    assert rows[0]["labels"] == "live_proceedings"
    assert rows[0]["text"].startswith("'=")  # a spreadsheet must not run it as a formula
    exports = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 2
    assert client.get("/guidance/feedback/export.xml").status_code == 404


def test_export_is_limited_to_the_supervisors_areas(review, users, db_session):
    feedback.mark(review, users["supervisor"], "personal.home_address", _address(review)["start"])
    outsider = make_staff("other2@tests.example.org", "supervisor", name="Other")
    assert feedback.example_rows(outsider) == []
    assert len(feedback.example_rows(users["admin"])) == 1
    assert feedback.counts_per_rule(outsider) == {}


def test_cli_export_feeds_the_evaluation_script(runner, review, users, db_session, tmp_path):
    from benchmarks.guidance_eval import evaluate, load

    feedback.mark(review, users["supervisor"], "personal.home_address", _address(review)["start"])
    db_session.commit()
    out = tmp_path / "marks.jsonl"
    result = runner.invoke(args=["guidance", "feedback-export", "--format", "jsonl", "--out", str(out)])
    assert result.exit_code == 0, result.output
    report = evaluate(load(out))
    assert report.outcomes[0].labels == {"live_proceedings"}
    csv_result = runner.invoke(args=["guidance", "feedback-export", "--format", "csv"])
    assert csv_result.exit_code == 0
    assert csv_result.output.startswith("id,text,labels")
