"""Walk every route of the portal: its URL filled with real records, and the roles that may use it.

Shared by the tests that must cover every route (redirect targets, bad parameters): the
routes come from the app's URL map, so a new page is walked as soon as it is registered.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from portal.access import PUBLIC
from portal.models import ROLES
from tests.conftest import PASSWORD, ROLE_EMAILS

MISSING_ID = 999_999


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    methods: tuple[str, ...]
    roles: tuple[str | None, ...]  # None: anonymous (public routes)


def routes(app, skip_prefixes: tuple[str, ...] = ()) -> Iterator[Route]:
    """Every route except static files, with the roles allowed to reach it."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.rule.startswith(skip_prefixes):
            continue
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        roles: tuple[str | None, ...] = (None,) if allowed == PUBLIC else tuple(r for r in ROLES if r in allowed)
        methods = tuple(sorted(rule.methods - {"HEAD", "OPTIONS"}))
        yield Route(rule.rule, rule.endpoint, methods, roles)


def make_records(db_session, area, users) -> dict[str, object]:
    """One record of each kind a URL names, in the officer's area, owned by the officer."""
    from portal.models import (
        Candidate, Community, CrawlRun, GuidancePage, GuidanceRule, MessageReview, OutreachContact, SupportFlag,
        Task, User,
    )

    officer = users["officer"]
    community = Community(area_id=area.id, name="Walked forum", platform="forum", status="active")
    db_session.add(community)
    db_session.flush()
    contact = OutreachContact(community_id=community.id, officer_id=officer.id, channel="email",
                              purpose="introduce", outcome="pending", direction="outbound",
                              message_text="Hello from the team")
    candidate = Candidate(area_id=area.id, site="https://walked.example/", site_key="walked.example")
    run = CrawlRun(area_id=area.id, created_by_id=officer.id, seeds=["https://walked.example/"],
                   status="finished")
    rule = GuidanceRule(code="walked-rule", category="other", severity="advice", pattern="zzz",
                        explanation="A rule for the walk")
    page = GuidancePage(slug="walked-page", title="Walked page", body="Some guidance.")
    spare = User(email="spare@tests.example.org", display_name="Spare", role="officer")  # for admin actions
    db_session.add_all([contact, candidate, run, rule, page, spare])
    db_session.flush()
    task = Task(community_id=community.id, assignee_id=officer.id, title="Introduce yourself")
    review = MessageReview(contact_id=contact.id, author_id=officer.id, area_id=area.id, status="held",
                           message_text="Hello from the team")
    flag = SupportFlag(community_id=community.id, raised_by_id=officer.id, reason="other", note="Walked")
    db_session.add_all([task, review, flag])
    db_session.commit()
    return {"area_id": area.id, "community_id": community.id, "contact_id": contact.id,
            "candidate_id": candidate.id, "run_id": run.id, "rule_id": rule.id, "slug": page.slug,
            "task_id": task.id, "review_id": review.id, "flag_id": flag.id, "user_id": spare.id,
            "object_type": "Community", "object_id": community.id, "filename": "communities.csv",
            "number": 1, "token": "x" * 43}


def fill(rule: str, records: dict[str, object]) -> str:
    """The rule's URL with each part naming a record of the walk (or a missing one)."""
    def value(match: re.Match) -> str:
        return str(records.get(match.group("name"), MISSING_ID))
    return re.sub(r"<(?:[a-z]+:)?(?P<name>[^>]+)>", value, rule)


def signed_in(app, role: str | None):
    """A test client signed in as ``role`` (anonymous for None)."""
    client = app.test_client()
    if role is not None:
        response = client.post("/login", data={"email": ROLE_EMAILS[role], "password": PASSWORD})
        assert response.status_code == 302, f"could not sign in as {role}"
    return client
