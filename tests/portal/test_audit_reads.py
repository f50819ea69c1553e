"""Audit of reads: every response that shows personal or message data writes one audit row.

Records are made with marker text (``zq…``) in every personal column of docs/PRIVACY.md; then every
route of the URL map is opened by every role its rule allows, as a page and as each htmx fragment the
page offers, and also posted to with an empty form. A response that shows a marker must have written
exactly one ``view`` audit row by the user; this does not rely on the ``@audited`` declarations, so a
view that shows such data without one fails here.
"""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.access import PUBLIC, rule_for
from portal.audit_reads import declaration_for
from portal.models import (
    ROLES, Assessment, AuditEvent, Candidate, Community, ContactRevision, CrawlRun, Feed, GuidanceFlagMark, Meeting,
    MessageReview, Notification,
    OutreachContact, RetentionDecision, StageChange, SupportFlag, SupportNote, Task, User, utcnow,
)
from tests.conftest import PASSWORD, ROLE_EMAILS
from tests.portal.test_privacy_inventory import inventory

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Every marker is "zq" and at least four letters (the shortest, zqcomm…): a shorter match is a random token
# (a CSRF token or nonce once held "zqo" and failed the walk on a page that shows nothing personal).
MARKER = re.compile(rb"zq[a-z]{4,}")
# A random token can still hold "zq" and four letters (z-q-r-t-k-x-r once, under xdist): a match counts only
# when its first six characters begin one of the markers this file writes (read from its own source, so a
# new marker is covered without a list to keep), and a shown marker cut short still counts.
MARKER_STARTS = frozenset(m[:6] for m in re.findall(r"zq[a-z]{4,}", Path(__file__).read_text()))
# A flash message repeats, on the next page, what the user just did to a record (a change audited
# as such): "Follow-up with <community> marked done". It is left out of the search for markers.
FLASH = re.compile(rb'<p class="govuk-notification-banner__heading">.*?</p>', re.S)

# Personal columns that no page shows as such: derived copies of other columns, and the audit
# columns the marker user's audit event carries through the auditor's pages (checked there).
NOT_SHOWN = {
    "communities.search_text": "a lower-cased copy of name and url, for the search",
    "communities.url_key": "a normalised copy of url, for duplicate detection",
    "candidates.site_key": "a normalised copy of site, for duplicate detection",
    "sign_in_throttles.key": "a keyed hash of an address or client, read only by the sign-in throttle",
    "sign_in_throttles.last_failure_at": "read only by the sign-in throttle",
    "notifications.facts": "goes only into the digest e-mail; no page shows it",
}
# Staff columns a page may show, beyond display names (shown to every signed-in user).
STAFF_SHOWN = {"users.email"}


def _make(db_session, area, users) -> tuple[dict[str, int], set[str]]:
    """Add one record of each kind with markers in its personal columns; return URL ids and columns marked."""
    officer, supervisor = users["officer"], users["supervisor"]
    area.notes = "zqareanotes"
    person = User(email="zqemail@tests.example.org", display_name="Marked colleague", role="officer",
                  sso_subject="https://idp.example/ subject-1")  # listed on the SSO groups page
    db_session.add(person)
    person.areas.append(area)
    community = Community(area_id=area.id, name="zqcommname Residents", url="https://zqcommurl.example/",
                          description="zqcommdesc", gatekeeper_role="zqgatekeeper", house_rules="zqhouserules",
                          platform="forum", stage="approached", owner_id=officer.id,
                          last_contact_at=utcnow() - timedelta(days=90))
    run = CrawlRun(area_id=area.id, seeds=["https://example.org/"], status="done")
    db_session.add_all([community, run])
    db_session.flush()
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, channel="group_post",
                              purpose="inform", outcome="pending", message_text="zqcontactmsg hello",
                              link="https://zqcontactlink.example/p/1", occurred_at=utcnow() - timedelta(days=90),
                              follow_up_on=(utcnow() - timedelta(days=1)).date(), review_status="held")
    flag = SupportFlag(community_id=community.id, raised_by_id=officer.id, reason="hostile_thread",
                       thread_link="https://zqflaglink.example/t/1", note="zqflagnote")
    db_session.add_all([contact, flag, Feed(community_id=community.id, url="https://zqfeedurl.example/feed",
                                            title="zqfeedtitle", kind="rss")])
    db_session.flush()
    finding = {"rule_code": "personal.name", "category": "personal", "severity": "needs_supervisor",
               "start": 0, "end": 12, "matched_text": "zqfindingquote", "explanation": "A name."}
    held = MessageReview(contact_id=contact.id, author_id=officer.id, area_id=area.id, status="held",
                         message_text="zqreviewmsg", findings=[finding], highest_severity="needs_supervisor")
    decided = MessageReview(contact_id=contact.id, author_id=officer.id, area_id=area.id,
                            status="changes_requested", message_text="zqreviewmsg", decided_by_id=supervisor.id,
                            decided_at=utcnow(), comment="zqreviewcomment")
    candidate = Candidate(area_id=area.id, crawl_run_id=run.id, site="https://zqcandsite.example/",
                          site_key="zqcandsite.example", title="zqcandtitle", description="zqcanddesc",
                          feeds=[{"url": "https://zqcandfeed.example/feed", "title": "zqcandfeedtitle"}],
                          found_via="https://zqfoundvia.example/", locality_score=0.9)
    meeting = Meeting(area_id=area.id, title="PACT meeting", held_at=utcnow() - timedelta(days=2),
                      notes="zqmeetingnotes", created_by_id=officer.id, communities=[community])
    db_session.add_all([held, decided])
    db_session.flush()
    db_session.add_all([
        GuidanceFlagMark(review_id=held.id, rule_code="personal.name", category="personal", start_offset=0,
                         end_offset=12, note="zqflagmarknote", marked_by_id=supervisor.id),
        candidate, meeting,
        ContactRevision(contact_id=contact.id, changed_by_id=officer.id, changes={"outcome": ["zqrevold", "x"]}),
        StageChange(community_id=community.id, to_stage="approached", changed_by_id=officer.id, note="zqstagenote"),
        Assessment(community_id=community.id, assessed_by_id=officer.id, trust=3, reciprocity=3, reach=3,
                   note="zqassessnote"),
        Task(community_id=community.id, assignee_id=officer.id, title="zqtasktitle", note="zqtasknote",
             due_on=utcnow().date()),
        SupportNote(flag_id=flag.id, author_id=supervisor.id, kind="support", body="zqsupportnote"),
        RetentionDecision(object_type="Community", object_id=str(community.id), reason="zqretention",
                          decided_by_id=users["auditor"].id),
        Notification(user_id=person.id, kind="digest", status="failed", tries=3, last_error="zqnoticeerror",
                     facts={"items": [{"community": "zqnoticefacts"}]}),
        AuditEvent(actor_id=person.id, action="change", object_type="Community", object_id=str(community.id),
                   summary="zqauditsummary", details={"note": "zqauditdetails"}, justification="zqauditjust",
                   ip="203.0.113.9"),
    ])
    db_session.commit()
    ids = {"community_id": community.id, "contact_id": contact.id, "flag_id": flag.id, "review_id": held.id,
           "run_id": run.id, "candidate_id": candidate.id, "user_id": person.id, "area_id": area.id,
           "object_type": "Community", "object_id": community.id, "slug": "funnel", "number": 1}
    marked = {"areas.notes", "users.email", "communities.name", "communities.url", "communities.description",
              "communities.gatekeeper_role", "communities.house_rules", "feeds.url", "feeds.title",
              "outreach_contacts.message_text", "outreach_contacts.link", "support_flags.thread_link",
              "support_flags.note", "message_reviews.message_text", "message_reviews.findings",
              "message_reviews.comment", "candidates.site", "candidates.title", "candidates.description",
              "candidates.feeds", "candidates.found_via", "meetings.notes", "contact_revisions.changes",
              "stage_changes.note", "assessments.note", "tasks.title", "tasks.note", "support_notes.body",
              "retention_decisions.reason", "audit_events.summary", "audit_events.details",
              "audit_events.justification", "guidance_flag_marks.note"}
    return ids, marked


def test_every_personal_column_of_the_inventory_carries_a_marker(app, db_session, area, users):
    _, marked = _make(db_session, area, users)
    personal = {column for column, (cls, _) in inventory().items() if cls == "personal"}
    assert personal - marked - set(NOT_SHOWN) == set(), "give these personal columns a marker in _make"


def _fragment_targets() -> set[str]:
    """Every element id that some template's hx-target names (the fragments pages offer)."""
    found: set[str] = set()
    for template in TEMPLATES.rglob("*.html"):
        for name in re.findall(r'hx-target="#([A-Za-z0-9_\-{} .]+)"', template.read_text(encoding="utf-8")):
            found.add(re.sub(r"\{\{.*?\}\}", "1", name).replace(" ", ""))
    return found


def _url(rule, ids) -> str | None:
    url = rule.rule
    for name in rule.arguments:
        if name not in ids:
            return None
        url = re.sub(rf"<(?:[^>:]+:)?{name}>", str(ids[name]), url)
    return url


def _views(db_session, user_id) -> int:
    return db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "view", AuditEvent.actor_id == user_id))


class Walk:
    """Open URLs as one user and check each response that shows a marker wrote one audit row."""

    def __init__(self, client, db_session, user):
        self.client, self.db_session, self.user = client, db_session, user
        self.responses = self.audited = 0
        self.problems: list[str] = []
        self.showing: set[str] = set()  # endpoints seen showing personal data

    def open(self, method: str, url: str, endpoint: str, headers: dict | None = None, data: dict | None = None):
        before = _views(self.db_session, self.user.id)
        response = self.client.open(url, method=method, headers=headers or {}, data=data or {})
        written = _views(self.db_session, self.user.id) - before
        found = {m.decode() for m in MARKER.findall(FLASH.sub(b"", response.data))}
        shown = sorted(m for m in found if m[:6] in MARKER_STARTS)
        self.responses += 1
        where = f"{method} {url} {headers or ''} ({endpoint}) as {self.user.role}"
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
        elif shown and written != 1:
            self.problems.append(f"{where} shows {shown} and wrote {written} audit rows")
        elif written > 1:
            self.problems.append(f"{where} wrote {written} audit rows for one response")
        self.audited += bool(shown)
        if shown:
            self.showing.add(endpoint)
        return response


def _routes(app, role):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        allowed = rule_for(app, rule.endpoint)
        if rule.endpoint in {"static", "auth.logout"} or allowed == PUBLIC or role not in allowed:
            continue
        yield rule


# Query strings a page needs before it shows anything (a type-ahead shows nothing until typed in).
QUERIES = {"outreach.community_options": "?community_q=zqcomm"}
# Forms filled in rather than empty (the stored facts of a site crawled today are shown, not fetched).
POST_DATA = {"discovery.inspect": lambda ids: {"url": "https://zqcandsite.example/", "area": ids["area_id"]}}
# Posts that would end the session or start work outside the request; each has tests of its own.
POSTS_LEFT_OUT = {"discovery.rerun", "discovery.start", "research.download_export"}


def _signed_in(app, role):
    client = app.test_client()
    assert client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD}).status_code == 302
    return client


def _walk_pages(walk: Walk, app, role, ids) -> None:
    targets = _fragment_targets()
    for rule in _routes(app, role):
        url = _url(rule, ids)
        if url is None or "GET" not in rule.methods:
            continue
        url += QUERIES.get(rule.endpoint, "")
        page = walk.open("GET", url, rule.endpoint)
        walk.open("GET", url, rule.endpoint, {"HX-Request": "true"})
        for target in sorted(targets):
            if f'id="{target}"'.encode() in page.data:
                walk.open("GET", url, rule.endpoint, {"HX-Request": "true", "HX-Target": target})


def _walk_posts(walk: Walk, app, role, ids) -> None:
    """An empty form to every route: a form shown again with its errors, or a fragment, is a read too."""
    for rule in _routes(app, role):
        url = _url(rule, ids)
        if url is None or "POST" not in rule.methods or rule.endpoint in POSTS_LEFT_OUT:
            continue
        data = POST_DATA[rule.endpoint](ids) if rule.endpoint in POST_DATA else {}
        walk.open("POST", url, rule.endpoint, data=data)
        walk.open("POST", url, rule.endpoint, {"HX-Request": "true"}, data=data)


def test_every_response_that_shows_personal_data_is_audited_once(app, db_session, area, users):
    ids, _ = _make(db_session, area, users)
    problems, showing = [], set()
    # The auditor first: the marked audit event is the oldest, and the log shows the newest 50.
    for role in reversed(ROLES):
        walk = Walk(_signed_in(app, role), db_session, users[role])
        _walk_pages(walk, app, role, ids)
        print(f"{role}: {walk.responses} pages and fragments, {walk.audited} showed personal data")
        assert walk.audited >= (0 if role == "researcher" else 3), role
        problems += walk.problems
        showing |= walk.showing
    for role in reversed(ROLES):  # after the pages: these change records
        walk = Walk(_signed_in(app, role), db_session, users[role])
        _walk_posts(walk, app, role, ids)
        print(f"{role}: {walk.responses} posts, {walk.audited} showed personal data")
        problems += walk.problems
        showing |= walk.showing
    assert not problems, "\n".join(problems)
    # A declaration on a view that never shows anything personal would only fill the trail.
    declared = {rule.endpoint for rule in app.url_map.iter_rules() if declaration_for(app, rule.endpoint)}
    assert declared - showing == set(), "declared, but showed no personal data"


# --- the rows themselves, and the writes issue 27 found unaudited ----------------------------------

def _events(db_session, action: str) -> list[AuditEvent]:
    """The rows of one action, less the marked row _make writes."""
    return list(db_session.scalars(select(AuditEvent).where(
        AuditEvent.action == action, AuditEvent.summary != "zqauditsummary").order_by(AuditEvent.id)))


def test_an_older_timeline_page_is_audited_with_its_fragment(client, auth, db_session, area, users):
    """The finding: GET /communities/<id> with HX-Target: timeline returned message texts unaudited."""
    ids, _ = _make(db_session, area, users)
    auth.login("officer")
    fragment = client.get(f"/communities/{ids['community_id']}?before=x",
                          headers={"HX-Request": "true", "HX-Target": "timeline"})
    assert fragment.status_code == 200
    assert b"zqcontactmsg" in fragment.data
    assert b"<html" not in fragment.data
    (row,) = _events(db_session, "view")
    assert (row.actor_id, row.object_type, row.object_id) == (users["officer"].id, "Community",
                                                              str(ids["community_id"]))
    assert row.summary == f"Viewed community {ids['community_id']}"
    assert row.details == {"community_id": str(ids["community_id"]), "query": {"before": "x"},
                           "fragment": "timeline"}


def test_a_list_writes_one_row_however_many_records_it_shows(client, auth, db_session, area, users):
    _make(db_session, area, users)
    for n in range(30):
        db_session.add(Community(area_id=area.id, name=f"Group {n}", platform="forum"))
    db_session.commit()
    auth.login("officer")
    assert client.get("/communities?q=group").status_code == 200
    (row,) = _events(db_session, "view")
    assert row.summary == "Viewed the community list"
    assert row.details == {"query": {"q": "group"}}


def test_a_redirect_or_a_refusal_writes_no_read_row(client, auth, db_session, area, users):
    ids, _ = _make(db_session, area, users)
    auth.login("researcher")
    assert client.get(f"/communities/{ids['community_id']}").status_code == 403
    assert client.get("/communities/999999").status_code == 403
    assert _events(db_session, "view") == []


@pytest.mark.parametrize(("email", "password", "reason"), [
    (ROLE_EMAILS["officer"], "not-the-password-1", "wrong password"),
    ("nobody@tests.example.org", PASSWORD, "no such account"),
])
def test_each_failed_sign_in_is_audited(client, db_session, users, email, password, reason):
    for _ in range(2):
        response = client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 200
    rows = _events(db_session, "login_failed")
    assert len(rows) == 2
    assert {row.details["reason"] for row in rows} == {reason}
    assert all(row.actor_id is None and password not in str(row.details) for row in rows)
    if reason == "wrong password":
        assert {row.object_id for row in rows} == {str(users["officer"].id)}
    else:
        assert rows[0].details["email"] == email


def test_marking_a_follow_up_done_is_audited(client, auth, db_session, area, users):
    ids, _ = _make(db_session, area, users)
    auth.login("officer")
    assert client.post(f"/contacts/{ids['contact_id']}/follow-up-done").status_code == 303
    (row,) = _events(db_session, "change")
    assert (row.object_type, row.object_id, row.actor_id) == ("OutreachContact", str(ids["contact_id"]),
                                                              users["officer"].id)
    client.post(f"/contacts/{ids['contact_id']}/follow-up-done")  # already done: nothing changes
    assert len(_events(db_session, "change")) == 1
    assert client.post(f"/contacts/{ids['contact_id']}/follow-up-reopen").status_code == 303
    assert [row.summary for row in _events(db_session, "change")][-1] == (
        f"Reopened the follow-up of contact {ids['contact_id']}")
    client.post(f"/contacts/{ids['contact_id']}/follow-up-reopen")  # already open: nothing changes
    assert len(_events(db_session, "change")) == 2


def test_dismissing_a_notification_is_audited(client, auth, db_session, area, users):
    _make(db_session, area, users)
    decided = db_session.scalar(select(MessageReview).where(MessageReview.status == "changes_requested"))
    auth.login("officer")
    assert client.post(f"/guidance/notifications/{decided.id}/dismiss").status_code == 303
    (row,) = _events(db_session, "change")
    assert (row.object_type, row.object_id, row.actor_id) == ("MessageReview", str(decided.id),
                                                              users["officer"].id)


@pytest.mark.parametrize("renames", [True, False])
def test_the_read_row_does_not_commit_what_the_view_left_uncommitted(app, client, auth, db_session, area, users,
                                                                     renames):
    """A view that changed and/or recorded something, then answered without committing: nothing of it is written."""
    from portal import audit
    from portal.access import ANY_USER, allow
    from portal.audit_reads import audited
    from portal.extensions import db

    ids, _ = _make(db_session, area, users)

    @allow(ANY_USER)
    @audited("Viewed a refused form")
    def refused_form():
        community = db.session.get(Community, ids["community_id"])
        if renames:
            community.name = "Renamed"
        audit.record("change", "Renamed a community", community)
        return "the form again, with its errors", 422

    app.add_url_rule("/test-refused-form", "refused_form", refused_form, methods=["POST"])
    auth.login("officer")
    assert client.post("/test-refused-form").status_code == 422
    assert db_session.get(Community, ids["community_id"]).name == "zqcommname Residents"
    assert _events(db_session, "change") == []
    assert [row.summary for row in _events(db_session, "view")] == ["Viewed a refused form"]


@pytest.mark.parametrize("asynchronous", [False, True])
def test_a_read_row_skips_the_wait_for_the_disk_only_when_configured(app, client, auth, db_session, area, users,
                                                                     asynchronous):
    """On PostgreSQL, with AUDIT_CHAIN_EARLY_UNLOCK, the read audit's transaction unlocks the chain's head
    before its WAL flush and then waits for the disk (portal/audit_chain.py); AUDIT_READS_ASYNC_COMMIT skips
    that wait. Either way the
    row is written as a link of the chain. SQLite: neither."""
    from sqlalchemy import event

    from portal.audit_chain import FLUSH_SQL
    from portal.auditor.verify import verify
    from portal.extensions import db

    ids, _ = _make(db_session, area, users)
    app.config["AUDIT_READS_ASYNC_COMMIT"] = asynchronous
    app.config["AUDIT_CHAIN_EARLY_UNLOCK"] = True
    auth.login("officer")
    sent: list[str] = []
    settings: list[dict] = []

    def note(conn, cursor, statement, parameters, *rest):  # noqa: ARG001
        sent.append(f"{statement} {parameters}")
        if statement.startswith("SELECT set_config"):
            settings.append(parameters)

    def committed(conn):
        sent.append("COMMIT")

    event.listen(db.engine, "before_cursor_execute", note)
    event.listen(db.engine, "commit", committed)
    try:
        assert client.get(f"/communities/{ids['community_id']}").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
        event.remove(db.engine, "commit", committed)
    (row,) = _events(db_session, "view")
    assert row.summary == f"Viewed community {ids['community_id']}"
    assert verify(db_session, app.config["AUDIT_KEY"]).ok
    relaxed = [i for i, s in enumerate(sent) if s.startswith("SELECT set_config") and "synchronous_commit" in s]
    appended = next(i for i, s in enumerate(sent) if "INSERT INTO audit_events" in s)
    locked = max(i for i, s in enumerate(sent[:appended]) if s.startswith("UPDATE audit_chain"))
    commit = sent.index("COMMIT", appended)
    flushed = [i for i, s in enumerate(sent) if FLUSH_SQL in s]
    postgresql = db.engine.dialect.name == "postgresql"
    # The head's lock makes its own transaction's commit asynchronous (set_config is_local: that
    # transaction only), on PostgreSQL.
    assert ("set_config(%(set_config_1)s" in sent[locked]) is postgresql
    if asynchronous and postgresql:
        assert relaxed
        assert relaxed[-1] < appended  # in the read audit's transaction, before its row
        # set_config(name, value, is_local): local to that transaction, so the pooled connection's
        # next transaction (a change's, say) waits for the disk again.
        assert list(settings[-1].values()) == ["synchronous_commit", "off", True]
        assert flushed == []  # and nothing waits for the disk afterwards
    else:
        assert relaxed == []
        # The commit is on disk before the response: the flush follows the row's commit.
        assert flushed == ([commit + 1] if postgresql else [])
