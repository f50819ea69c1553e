"""Stored XSS: 320 payloads in crawled and typed fields, rendered on every page that shows them.

A portal of its own (its own SQLite file) is seeded with the payloads from
tests/fixtures/xss/payloads.jsonl in community, candidate, feed, contact, note, meeting,
area, user and audit fields. Each role then visits every GET page it may open (id
parameters filled with every seeded record, pagination followed). The test fails if a
payload runs (a dialog opens or the payload's ``__xss(ID)`` is called) or if any payload
became markup (an event-handler attribute, a javascript: URL, an inline script, a frame…).
"""
from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser.conftest import DEMO_PASSWORDS, DESKTOP, LiveServer, demo_app

pytestmark = pytest.mark.browser

PAYLOADS = [json.loads(line)["payload"] for line in
            (Path(__file__).resolve().parents[1] / "fixtures" / "xss" / "payloads.jsonl").read_text().splitlines()]
ROLES = ("officer@example.org", "supervisor@example.org", "admin@example.org", "auditor@example.org",
         "researcher@example.org")
# Records of one kind visited per id route: every one for the officer (whose pages show them
# all), a sample for the other roles to keep the run bounded.
MAX_PER_KIND = {"officer@example.org": 60}
SAMPLE_PER_KIND = 8
MAX_FOLLOW = 6     # "next page" links followed per list

# Installed before any page script: records calls instead of showing dialogs.
HOOKS = """
window.__xss_hits = [];
window.__xss = function () { window.__xss_hits.push(Array.prototype.map.call(arguments, String).join(',')); };
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (m) { window.__xss_hits.push(name + ':' + String(m)); };
}
"""

# True once no htmx request is in flight. htmx marks the requesting element (or its indicator)
# htmx-request from sending until the answer is swapped in, and requests that a page triggers on
# load start before the load event, so this waits for exactly those. (Waiting for "networkidle"
# instead cost half a second of quiet network per such page and a round trip per page to find them.)
IDLE = "() => !document.querySelector('.htmx-request')"

# Markup that must never appear in a rendered page of ours, whatever a record contains.
CHECK = """
() => {
  const problems = [...window.__xss_hits.map(h => 'ran: ' + h)];
  const bad = /^\\s*(javascript|vbscript|data\\s*:\\s*text\\/html)/i;
  for (const el of document.querySelectorAll('*')) {
    const tag = el.tagName.toLowerCase();
    if (['iframe', 'frame', 'object', 'embed', 'base', 'applet', 'portal'].includes(tag)) problems.push('element ' + tag);
    if (tag === 'script' && (!el.src || new URL(el.src).origin !== location.origin)) problems.push('script ' + el.outerHTML.slice(0, 120));
    if (tag === 'meta' && el.httpEquiv && el.httpEquiv.toLowerCase() === 'refresh') problems.push('meta refresh');
    for (const attr of el.attributes) {
      const name = attr.name.toLowerCase();
      if (name.startsWith('on')) problems.push(tag + ' has ' + name);
      if (['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'srcdoc', 'background', 'poster'].includes(name)
          && (bad.test(attr.value) || name === 'srcdoc')) problems.push(tag + ' ' + name + '=' + attr.value.slice(0, 80));
      if (name.startsWith('hx-') && /__xss|javascript|js:/i.test(attr.value)) problems.push(tag + ' ' + name);
    }
  }
  return problems;
}
"""


def _seed(app) -> dict[str, list[int]]:
    """Put every payload into the database; return the ids of seeded records by URL parameter name."""
    from portal.extensions import db
    from portal.models import (
        Area, Assessment, AuditEvent, Candidate, Community, CommunityTag, CrawlRun, Feed, Meeting, OutreachContact,
        RetentionDecision, StageChange, SupportFlag, SupportNote, Task, User, utcnow,
    )

    ids: dict[str, list[int]] = {}
    with app.app_context():
        area = db.session.scalar(db.select(Area).order_by(Area.id))
        officer = User.by_email("officer@example.org")
        supervisor = User.by_email("supervisor@example.org")
        now = utcnow()
        p = PAYLOADS
        n = len(p)
        for k in range(0, n, 8):
            w = [p[(k + j) % n] for j in range(8)]
            community = Community(area_id=area.id, name=w[0], description=w[1], house_rules=w[2],
                                  gatekeeper_role=w[3], url=w[4], platform="forum", access="closed",
                                  last_contact_at=now, created_by_id=officer.id, owner_id=officer.id)
            community.tags = [CommunityTag(tag=w[5][:60])]
            db.session.add(community)
            db.session.flush()
            ids.setdefault("community_id", []).append(community.id)
            db.session.add(Feed(community_id=community.id, url=w[6], kind="rss", title=w[7]))
            contact = OutreachContact(community_id=community.id, officer_id=officer.id, channel="email",
                                      purpose="introduce", message_text=w[1], link=w[4],
                                      follow_up_on=(now + timedelta(days=3)).date())
            db.session.add(contact)
            db.session.flush()
            ids.setdefault("contact_id", []).append(contact.id)
            db.session.add(StageChange(community_id=community.id, to_stage="approached", note=w[2],
                                       changed_by_id=officer.id, evidence_contact_id=contact.id))
            db.session.add(Assessment(community_id=community.id, trust=3, reciprocity=3, reach=3, note=w[3],
                                      assessed_by_id=officer.id))
            flag = SupportFlag(community_id=community.id, contact_id=contact.id, raised_by_id=officer.id,
                               reason="hostile_thread", thread_link=w[4], note=w[5])
            db.session.add(flag)
            db.session.flush()
            ids.setdefault("flag_id", []).append(flag.id)
            db.session.add(SupportNote(flag_id=flag.id, author_id=supervisor.id, body=w[6]))
            db.session.add(Task(community_id=community.id, assignee_id=officer.id, title=w[7][:200]))
            candidate = Candidate(area_id=area.id, site=w[4], site_key=f"xss-{k}.example", title=w[0],
                                  description=w[1], found_via=w[4], platform="blog",
                                  feeds=[{"url": w[6], "title": w[7], "kind": "rss"}],
                                  locality_evidence=[{"kind": "place", "match": w[2], "weight": 0.5}])
            db.session.add(candidate)
            db.session.flush()
            ids.setdefault("candidate_id", []).append(candidate.id)
            meeting = Meeting(area_id=area.id, title=w[3][:200], held_at=now - timedelta(days=1), place=w[5][:200],
                              notes=w[6])
            meeting.communities = [community]
            db.session.add(meeting)
            db.session.flush()
            ids.setdefault("meeting_id", []).append(meeting.id)
        for j, payload in enumerate(p[:12]):
            other = Area(slug=f"xss-area-{j}", name=payload, notes=p[-j - 1], profile={"name": "x", "places": ["x"]})
            db.session.add(other)
            user = User(email=f"xss-{j}@example.org", display_name=payload[:120], role="officer")
            user.areas.append(other)
            db.session.add(user)
            db.session.flush()
            ids.setdefault("area_id", []).append(other.id)
            ids.setdefault("user_id", []).append(user.id)
        for j, payload in enumerate(p):
            db.session.add(AuditEvent(actor_id=officer.id if j % 2 else ids["user_id"][j % 12], action="view",
                                      object_type="Community", object_id=str(ids["community_id"][0]),
                                      summary=payload[:500], details={"field": payload}, justification=p[-j - 1]))
        _seed_guidance(db.session, p, ids, officer, supervisor, area)
        run = CrawlRun(area_id=area.id, created_by_id=officer.id, seeds=p[:5], status="done", errors=p[5:25],
                       errors_count=20, settings={"note": p[25]})
        db.session.add(run)
        db.session.flush()
        ids["run_id"] = [run.id]
        for candidate_id in ids["candidate_id"]:
            db.session.get(Candidate, candidate_id).crawl_run_id = run.id
        db.session.add(RetentionDecision(object_type="Community", object_id=str(ids["community_id"][0]),
                                         reason=p[0], keep_until=now + timedelta(days=90), decided_by_id=officer.id))
        db.session.commit()
        db.session.remove()
    return ids


def _seed_guidance(session, p, ids, officer, supervisor, area) -> None:
    """Message reviews (text, findings, comments), rules, library pages and templates."""
    from portal.models import GuidancePage, GuidanceRule, MessageReview, MessageTemplate

    for j, contact_id in enumerate(ids["contact_id"]):
        review = MessageReview(contact_id=contact_id, author_id=officer.id, area_id=area.id, status="held",
                               message_text=p[j], comment=p[-j - 1], highest_severity="needs_supervisor",
                               findings=[{"category": "personal_data", "severity": "needs_supervisor",
                                          "rule_code": p[j + 1][:80], "matched_text": p[j + 2], "start": 0,
                                          "end": 5, "explanation": p[j + 3]}])
        session.add(review)
        session.flush()
        ids.setdefault("review_id", []).append(review.id)
    for j in range(20):
        rule = GuidanceRule(code=f"xss-rule-{j}", category="personal_data", severity="advice", kind="keywords",
                            pattern=p[j + 40], explanation=p[j + 60], updated_by_id=supervisor.id)
        session.add(rule)
        session.add(GuidancePage(slug=f"xss-page-{j}", title=p[j + 80][:200], summary=p[j + 100][:500],
                                 body=p[j + 120]))
        session.add(MessageTemplate(purpose="introduce", title=p[j + 140][:200], body=p[j + 160]))
        session.flush()
        ids.setdefault("rule_id", []).append(rule.id)
        ids.setdefault("slug", []).append(f"xss-page-{j}")


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory, browser_available):
    app = demo_app(tmp_path_factory.mktemp("xss"), "xss")
    ids = _seed(app)
    server = LiveServer(app).start()
    yield server, ids
    server.stop()


def _urls_for(app, email, ids) -> list[str]:
    from portal.models import User

    with app.app_context():
        role = User.by_email(email).role
    urls = []
    for rule in app.url_map.iter_rules():
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", ())
        if "GET" not in rule.methods or rule.endpoint == "static" or role not in allowed:
            continue
        if rule.endpoint in {"auth.logout", "main.healthz"}:
            continue
        params = list(rule.arguments)
        if not params:
            urls.append(rule.rule)
        elif rule.endpoint == "audit.record_history":
            urls.append(f"/audit/Community/{ids['community_id'][0]}")
        elif len(params) == 1 and params[0] in ids:
            urls += [re.sub(r"<[^>]+>", str(i), rule.rule) for i in ids[params[0]][:MAX_PER_KIND.get(email, SAMPLE_PER_KIND)]]
    # Reflected input: search boxes echo what was typed.
    urls += [f"/communities?q={quote(p)}" for p in PAYLOADS[:10]]
    urls += [f"/audit?actor={quote(p)}" for p in PAYLOADS[:5]]
    return urls


def _visit(page, url, failures, seen):
    if url in seen:
        return
    seen.add(url)
    response = page.goto(url, wait_until="load")
    # What a page fetches as it loads (hx-trigger "load") is swapped in before the check runs.
    page.wait_for_function(IDLE, timeout=5000)
    status = response.status if response else 0
    assert status < 500, f"{url} answered {status}"
    problems = page.evaluate(CHECK)
    if problems:
        failures.append((url, problems[:5]))


@pytest.mark.parametrize("email", ROLES)
def test_no_payload_runs_on_any_page(browser, xss_server, email):
    server, ids = xss_server
    context = browser.new_context(viewport=DESKTOP, base_url=server.url)
    context.add_init_script(HOOKS)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", DEMO_PASSWORDS[email])
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/home")

    failures: list = []
    seen: set[str] = set()
    urls = _urls_for(server.app, email, ids)
    for url in urls:
        _visit(page, url, failures, seen)
        for _ in range(MAX_FOLLOW):
            following = page.locator("a[rel=next]")
            if not following.count():
                break
            _visit(page, following.first.get_attribute("href"), failures, seen)
    context.close()
    assert len(seen) >= 5, f"only visited {sorted(seen)}"
    assert dialogs == [], f"dialogs opened: {dialogs[:5]}"
    assert failures == [], f"{len(failures)} pages ran or rendered a payload: {failures[:5]}"


def test_the_corpus_is_big_enough_and_the_check_can_fail(browser, xss_server):
    """At least 200 payloads, shown as text; and the same check flags a payload inserted as markup."""
    assert len(PAYLOADS) >= 200
    server, ids = xss_server
    context = browser.new_context(viewport=DESKTOP, base_url=server.url)
    context.add_init_script(HOOKS)
    page = context.new_page()
    page.goto("/login")
    page.fill("#email", "officer@example.org")
    page.fill("#password", DEMO_PASSWORDS["officer@example.org"])
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url("**/home")
    page.goto(f"/communities/{ids['community_id'][0]}")
    assert page.evaluate("(p) => document.body.textContent.includes(p)", PAYLOADS[0]), "payload not shown as text"
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"__xss(1)\">')")
    # insertAdjacentHTML is synchronous, so the check sees the markup at once: no wait needed.
    # (The handler itself never runs: the page's Content-Security-Policy refuses inline handlers.)
    problems = page.evaluate(CHECK)
    context.close()
    assert "img has onerror" in problems
