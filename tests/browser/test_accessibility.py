"""axe-core (WCAG 2.2 A and AA rules) on every page, for every role that can open it, in the
states htmx swaps in and in each form's error state: no serious or critical violation.

One browser, one signed-in context per role for the whole module. axe-core comes bundled in
axe-playwright-python (nothing is fetched at run time). The header, navigation and footer are
the same on every page of a role: axe checks the whole document the first time a role is seen
at a width, and then each page's main content (its part that differs), to keep CI time down;
a main content exactly like one already checked at that width (another role's same page,
CSRF tokens aside) has the same result and is counted without running axe again.
"""
from __future__ import annotations

import hashlib
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = pytest.mark.browser

ROLES = ("officer", "supervisor", "researcher", "admin", "auditor")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING = {"serious", "critical"}
RISKY = "A man has been arrested after the burglaries on the seafront."
# Pages that are not HTML to look at (JSON, CSV) or that need a one-off token.
PROGRESS_SEED = "http://127.0.0.1:9/"
MAIN_WITHOUT_TOKENS_JS = """() => { const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('input[name=csrf_token]').forEach(i => i.removeAttribute('value'));
  return main.outerHTML; }"""
NOT_PAGES = {"main.healthz", "main.index", "research.table_download", "auth.accept_invite", "static"}


class AxeWalk:
    """Run axe on pages and collect what it finds."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.pages: list[str] = []
        self.layouts_seen: set[tuple[str, int]] = set()
        self.mains_seen: set[tuple[int, str]] = set()
        self.same_as_checked = 0
        self.axe_seconds = 0.0
        self.rules: set[str] = set()
        self.problems: list[str] = []

    def check(self, page, label: str) -> None:
        width = page.viewport_size["width"]
        layout = (label.split(" ")[0], width)
        context = None if layout not in self.layouts_seen else "main"
        self.layouts_seen.add(layout)
        main = (width, hashlib.sha256(page.evaluate(MAIN_WITHOUT_TOKENS_JS).encode()).hexdigest())
        if context == "main" and main in self.mains_seen:
            self.pages.append(label)
            self.same_as_checked += 1
            return
        self.mains_seen.add(main)
        started = time.perf_counter()
        results = self.axe.run(page, context=context, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                              "resultTypes": ["violations"]})
        response = results.response
        self.axe_seconds += time.perf_counter() - started
        for kind in ("violations", "passes", "incomplete", "inapplicable"):
            self.rules.update(rule["id"] for rule in response.get(kind, []))
        self.pages.append(label)
        for violation in response["violations"]:
            if violation.get("impact") in BLOCKING:
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
                self.problems.append(f"{label}: {violation['id']} ({violation['impact']}) at {targets}")


@pytest.fixture(scope="module")
def walk(live_app):
    yield AxeWalk()
    from portal.extensions import db
    from portal.models import CrawlRun

    with live_app.app_context():  # the pretend crawl ends, so later tests' pages do not poll it
        for run in db.session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            if run.seeds == [PROGRESS_SEED]:
                run.status = "interrupted"
        db.session.commit()
        db.session.remove()


@pytest.fixture(scope="module")
def as_role(browser, live_server):
    """One signed-in page per role (desktop), reused by every check in the module."""
    contexts, pages = [], {}

    def page_for(role: str, viewport: dict = DESKTOP):
        key = (role, viewport["width"])
        if key not in pages:
            context = browser.new_context(viewport=viewport, base_url=live_server.url)
            contexts.append(context)
            pages[key] = context.new_page()
            if role != "visitor":
                sign_in(pages[key], f"{role}@example.org")
        return pages[key]

    yield page_for
    for context in contexts:
        context.close()


def _sample_ids(app) -> dict[str, object]:
    """Ids of demo records of the officer's area for every id parameter, and a running crawl."""
    from portal.extensions import db
    from portal.models import (
        Area, Community, CrawlRun, GuidanceRule, MessageReview, OutreachContact, SupportFlag, User, utcnow,
    )

    with app.app_context():
        officer = db.session.scalar(select(User).where(User.email == "officer@example.org"))
        contact = db.session.scalar(select(OutreachContact).where(OutreachContact.officer_id == officer.id,
                                                                  OutreachContact.follow_up_on.is_not(None))
                                    .order_by(OutreachContact.id))
        area = db.session.scalar(select(Area).where(Area.slug == "lewes"))
        running = db.session.scalars(select(CrawlRun).where(CrawlRun.status == "running"))
        run = next((r for r in running if r.seeds == [PROGRESS_SEED]), None)
        if run is None:  # one running crawl (a row only, no job) shows the progress bar
            run = CrawlRun(area_id=area.id, seeds=[PROGRESS_SEED], status="running", pages_fetched=12,
                           pages_planned=40, sites_found=3, started_at=utcnow(), heartbeat_at=utcnow())
            db.session.add(run)
        run.heartbeat_at = utcnow()
        db.session.commit()
        flag = db.session.scalar(select(SupportFlag).order_by(SupportFlag.id))
        ids = {
            "community_id": db.session.scalar(select(Community.id).where(Community.area_id == area.id,
                                                                         Community.status == "active")
                                              .order_by(Community.id)),
            "contact_id": contact.id, "review_id": db.session.scalar(select(MessageReview.id)),
            "flag_id": flag.id if flag else None, "run_id": run.id, "area_id": area.id,
            "rule_id": db.session.scalar(select(GuidanceRule.id)), "user_id": officer.id,
        }
        from portal.guidance.library import search_pages

        ids["slug"] = search_pages("")[0].slug
        db.session.remove()
    return ids


def _pages_for(app, role: str, ids: dict[str, object]) -> list[str]:
    """Every GET page the role may open, with demo ids filled in."""
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES or not allowed or isinstance(allowed, str):
            continue
        if role not in allowed or any(ids.get(arg) is None for arg in rule.arguments):
            continue
        with app.test_request_context():
            from flask import url_for

            paths.append(url_for(rule.endpoint, **{arg: ids[arg] for arg in rule.arguments}))
    return paths


def _found_links(page, path: str, pattern: str, limit: int = 1) -> list[str]:
    page.goto(path)
    hrefs = page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [h for h in hrefs if re.match(pattern, h)][:limit]


def test_every_page_for_every_role_has_no_serious_violations(walk, as_role, live_app):
    ids = _sample_ids(live_app)
    visitor = as_role("visitor")
    for path in ("/login", "/accessibility", "/privacy", "/no-such-page"):
        visitor.goto(path)
        walk.check(visitor, f"signed out {path}")
    for role in ROLES:
        page = as_role(role)
        paths = _pages_for(live_app, role, ids)
        if role in {"admin", "auditor"}:  # records and retention decisions are reached from the trail
            paths += _found_links(page, "/audit", r"^/audit/[^/?]+/[^/?]+$")
            paths += _found_links(page, "/audit/retention", r"^/audit/retention/keep\?")
        for path in paths:
            response = page.goto(path)
            assert response.status < 500, f"{role} {path}: {response.status}"
            walk.check(page, f"{role} {path}")
    assert len(walk.pages) > 60
    assert walk.problems == [], "\n".join(walk.problems)


def test_states_htmx_swaps_in_have_no_serious_violations(walk, as_role, live_app, monkeypatch):
    page = as_role("officer")
    page.goto("/contacts/new")                                   # type-ahead results
    page.fill("#community_q", "Lewes")
    expect(page.locator("#community-matches input[type=radio]").first).to_be_visible()
    walk.check(page, "officer type-ahead results")
    page.click("[data-testid=more-details] summary")           # live guidance flags
    page.fill("#message_text", RISKY)
    expect(page.locator("#guidance_findings")).to_contain_text("supervisor")
    walk.check(page, "officer live guidance flags")
    page.goto("/home")                                          # Mark done, then Undo
    row = page.locator("[data-testid=dashboard-due] [data-testid=follow-up]").first
    row_id = row.get_attribute("id")
    row.locator("[data-testid=follow-up-done]").click()
    expect(page.locator(f"#{row_id} [data-testid=follow-up-undo]")).to_be_visible()
    walk.check(page, "officer follow-up undo")
    page.locator(f"#{row_id} [data-testid=follow-up-undo]").click()
    expect(page.locator(f"#{row_id} [data-testid=follow-up-done]")).to_be_visible()
    run_id = _sample_ids(live_app)["run_id"]                   # a crawl's progress bar
    page.goto(f"/discovery/runs/{run_id}")
    expect(page.locator("[data-testid=run-bar]")).to_be_visible()
    walk.check(page, "officer crawl progress bar")
    from portal.research import views

    monkeypatch.setattr(views, "TABLE_ROWS", 3)                 # "show all rows" of a cut research table
    researcher = as_role("researcher")
    researcher.goto("/research/contacts")  # every area: one area of the demo has too few officers
    truncated = researcher.locator("[data-testid=table-truncated]")
    before = truncated.count()
    assert before >= 1
    researcher.locator("[data-testid=table-all-rows]").first.click()
    expect(truncated).to_have_count(before - 1)
    walk.check(researcher, "researcher research table, all rows shown")
    researcher.goto("/research/responses?area=lewes")          # filters that would single out: a message
    expect(researcher.locator("[data-testid=refused]")).to_be_visible()
    walk.check(researcher, "researcher research page refused for singling out")
    assert walk.problems == [], "\n".join(walk.problems)


def _submit_empty(page, path: str, fills: tuple[tuple[str, str], ...] = (),
                  button: str = "main form[method=post] [type=submit]"):
    page.goto(path)
    for selector, value in fills:
        page.fill(selector, value) if value is not None else page.check(selector)
    page.locator(button).first.click()
    expect(page.locator(".govuk-error-summary, .govuk-error-message").first).to_be_visible()


def test_every_form_in_its_error_state_has_no_serious_violations(walk, as_role, live_app):
    ids = _sample_ids(live_app)
    community, contact = ids["community_id"], ids["contact_id"]
    forms = {
        "officer": [("/contacts/new", (), "[data-testid=outcome-pending]"),
                    ("/communities/new", (), None), ("/meetings/new", (), None),
                    (f"/communities/{community}/stage", (), None), (f"/communities/{community}/assess", (), None),
                    (f"/communities/{community}/edit", (("#name", ""),), None), ("/guidance/flags/new", (), None),
                    ("/discovery/inspect", (), None), (f"/contacts/{contact}/edit", (("#link", "javascript:x"),), None)],
        "supervisor": [("/guidance/rules/new", (), None), ("/handover", (), None),
                       (f"/guidance/reviews/{ids['review_id']}", (("#decision-2", None),),
                        "form[action$='/decide'] [type=submit]")],
        "admin": [("/admin/users", (), None), ("/admin/areas/new", (), None)],
    }
    for role, entries in forms.items():
        page = as_role(role)
        for path, clear, button in entries:
            _submit_empty(page, path, clear, *([button] if button else []))
            walk.check(page, f"{role} {path} with errors")
    visitor = as_role("visitor")
    visitor.goto("/login")
    visitor.fill("#email", "nobody@example.org")
    visitor.fill("#password", "wrong password")
    visitor.click("button[type=submit]")
    expect(visitor.locator(".govuk-error-summary")).to_be_visible()
    walk.check(visitor, "signed out /login with errors")
    assert walk.problems == [], "\n".join(walk.problems)


def test_phone_width_pages_have_no_serious_violations(walk, as_role, live_app):
    ids = _sample_ids(live_app)
    page = as_role("officer", PHONE)
    for path in ("/home", "/contacts/new", f"/communities/{ids['community_id']}", "/follow-ups", "/gone-quiet"):
        page.goto(path)
        walk.check(page, f"officer phone {path}")
    assert walk.problems == [], "\n".join(walk.problems)
    print(f"\naxe-core: {len(walk.pages)} pages and states checked ({walk.same_as_checked} of them with main content "
          f"identical to one already checked) against {len(walk.rules)} WCAG 2.2 A/AA rules; "
          f"serious or critical violations: {len(walk.problems)}; {walk.axe_seconds:.0f} s in axe")
