"""Object-level access: an officer or supervisor of area A cannot open or change area B's records.

Every route with an integer URL parameter is exercised: the parameter is filled with the id
of a record that belongs to another area (made by the factory for that parameter name), and
every method must be refused (403 or 404). As a control, GET on the same kind of record in
the user's own area must not be refused, so the test cannot pass by refusing everything.
A route whose parameter has no factory here fails `test_every_id_parameter_is_covered`:
add a factory (or, for records without an area, list the name in AREALESS).
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from werkzeug.routing import IntegerConverter

from portal.models import (
    Area, Assessment, Candidate, Community, CrawlRun, Feed, Meeting, MessageReview, OutreachContact,
    StageChange, SupportFlag, SupportNote, Task, utcnow,
)
from tests.conftest import PASSWORD, ROLE_EMAILS

# Parameters naming records that belong to no area (guidance, users, jobs…): role checks cover them.
# "number" is a table's position on a research page, not a record (the page's filters scope its data).
# "mapping_id" (an SSO group's mapping) and "notice_id" (a notice to resend) are admin-only records.
AREALESS = {"user_id", "rule_id", "page_id", "template_id", "job_id", "revision_id", "version", "page", "number",
            "project_id", "mapping_id", "notice_id"}


def _community(db, area, users):
    community = Community(area_id=area.id, name=f"Community of {area.name}", platform="forum")
    db.add(community)
    db.flush()
    return community


def _contact(db, area, users):
    author = users["officer"] if area.slug == "test-town" else users["other_officer"]
    contact = OutreachContact(community_id=_community(db, area, users).id, officer_id=author.id,
                              channel="email", purpose="introduce", message_text="Hello")
    db.add(contact)
    db.flush()
    return contact


def _add(model, **fields):
    def make(db, area, users):
        community = _community(db, area, users)
        values = {key: (value(db, area, users, community) if callable(value) else value)
                  for key, value in fields.items()}
        record = model(**values)
        db.add(record)
        db.flush()
        return record
    return make


def _review(db, area, users):
    contact = _contact(db, area, users)
    review = MessageReview(contact_id=contact.id, author_id=contact.officer_id, area_id=area.id)
    db.add(review)
    db.flush()
    return review


def _run(db, area, users):
    run = CrawlRun(area_id=area.id, seeds=["https://example.org/"])
    db.add(run)
    db.flush()
    return run


def _flag(db, area, users):
    return _add(SupportFlag, community_id=lambda d, a, u, c: c.id, raised_by_id=lambda d, a, u, c: u["officer"].id,
                reason="hostile_thread")(db, area, users)


def _note(db, area, users):
    flag = _flag(db, area, users)
    note = SupportNote(flag_id=flag.id, author_id=users["supervisor"].id, body="Support")
    db.add(note)
    db.flush()
    return note


FACTORIES = {
    "community_id": _community,
    "contact_id": _contact,
    # One site per call: candidates are unique per (area, site_key) and several routes take a candidate_id.
    "candidate_id": _add(Candidate, area_id=lambda d, a, u, c: a.id, site=lambda d, a, u, c: f"https://x{c.id}.example/",
                         site_key=lambda d, a, u, c: f"x{c.id}.example"),
    "run_id": _run,
    "crawl_run_id": _run,
    "meeting_id": _add(Meeting, area_id=lambda d, a, u, c: a.id, title="PACT", held_at=utcnow() - timedelta(days=1)),
    "feed_id": _add(Feed, community_id=lambda d, a, u, c: c.id, url="https://x.example/feed", kind="rss"),
    "assessment_id": _add(Assessment, community_id=lambda d, a, u, c: c.id, trust=3, reciprocity=3, reach=3),
    "stage_change_id": _add(StageChange, community_id=lambda d, a, u, c: c.id, to_stage="approached"),
    "task_id": _add(Task, community_id=lambda d, a, u, c: c.id, assignee_id=lambda d, a, u, c: u["officer"].id,
                    title="Introduce yourself"),
    "flag_id": _flag,
    "note_id": _note,
    "review_id": _review,
    "area_id": lambda db, area, users: area,
}


def _id_routes(app):
    for rule in app.url_map.iter_rules():
        params = [name for name, conv in rule._converters.items()  # noqa: SLF001
                  if isinstance(conv, IntegerConverter)]
        if params:
            yield rule, params


@pytest.fixture
def two_areas(app, area, users, db_session):
    from portal.models import User

    other = Area(slug="other-town", name="Other Town", profile={"name": "Other Town", "places": ["Ringmer"]})
    db_session.add(other)
    other_officer = User(email="other@tests.example.org", display_name="Other officer", role="officer")
    other_officer.areas.append(other)
    db_session.add(other_officer)
    # Other Town has a supervisor of its own, so no supervisor of Test Town is a decider of its
    # held messages (portal/guidance/deciders.py would otherwise let one in, by design).
    other_supervisor = User(email="other-sgt@tests.example.org", display_name="Other supervisor", role="supervisor")
    other_supervisor.areas.append(other)
    db_session.add(other_supervisor)
    db_session.commit()
    return area, other, {**users, "other_officer": other_officer}


def _url(rule, ids):
    url = rule.rule
    for name, value in ids.items():
        url = re.sub(rf"<(?:[^>:]+:)?{name}>", str(value), url)
    return re.sub(r"<(?:[^>:]+:)?[^>]+>", "x", url)


def test_every_id_parameter_is_covered(app):
    uncovered = sorted({f"{rule.endpoint}: {name}" for rule, params in _id_routes(app)
                        for name in params if name not in FACTORIES and name not in AREALESS})
    assert uncovered == [], f"add a factory for these URL parameters: {uncovered}"


def _records_for(rule, params, db_session, area, everyone):
    ids = {}
    for name in params:
        if name in FACTORIES:
            ids[name] = FACTORIES[name](db_session, area, everyone).id
    db_session.commit()
    return ids


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_records_of_another_area_are_refused(app, two_areas, db_session, role):
    own, other, everyone = two_areas
    client = app.test_client()
    assert client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD}).status_code == 302
    checked = 0
    for rule, params in _id_routes(app):
        if not set(params) & set(FACTORIES):
            continue
        url = _url(rule, _records_for(rule, params, db_session, other, everyone))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={})
            assert response.status_code in {403, 404}, (
                f"{role} of {own.slug} got {response.status_code} for {method} {url} ({rule.endpoint}) "
                f"of {other.slug}")
            checked += 1
    assert checked >= 1


@pytest.mark.parametrize("role", ["officer", "supervisor"])
def test_control_records_of_own_area_open(app, two_areas, db_session, role):
    """The same routes open for the user's own area's records (else the refusal test proves nothing)."""
    own, _, everyone = two_areas
    client = app.test_client()
    client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD})
    opened = 0
    for rule, params in _id_routes(app):
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", frozenset())
        if "GET" not in rule.methods or role not in allowed or not set(params) <= set(FACTORIES):
            continue
        url = _url(rule, _records_for(rule, params, db_session, own, everyone))
        response = client.get(url)
        assert response.status_code not in {403, 404}, f"{role} refused own record: GET {url} ({rule.endpoint})"
        opened += 1
    assert opened >= 1
