"""Template globals: navigation per role, labels and display filters."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from urllib.parse import urlsplit

from flask import Flask, request, url_for
from flask_login import current_user

from crawlers.locality import LOCAL_THRESHOLD
from portal.models import ROLE_LABELS, label, utcnow

# (endpoint, text, roles, other path prefixes it stands for). Entries whose endpoint is not
# registered are left out, so a feature appears in the navigation as soon as its blueprint exists.
NAVIGATION = (
    ("main.dashboard", "Home", {"officer", "supervisor", "researcher", "admin", "auditor"}, ()),
    ("communities.list_communities", "Communities", {"officer", "supervisor", "admin"}, ("/contacts/",)),
    ("outreach.new_contact", "Log a contact", {"officer", "supervisor"}, ()),
    ("outreach.follow_ups", "Follow-ups", {"officer", "supervisor"}, ("/tasks/",)),
    ("outreach.gone_quiet", "Gone quiet", {"officer", "supervisor"}, ()),
    ("discovery.index", "Discovery", {"officer", "supervisor", "admin"}, ()),
    ("guidance.index", "Guidance", {"officer", "supervisor", "admin"}, ()),
    ("guidance.queue", "Review queue", {"supervisor", "admin"}, ("/guidance/reviews", "/guidance/team")),
    ("research.index", "Research", {"researcher", "supervisor", "admin"}, ()),
    ("admin.index", "Admin", {"admin"}, ()),
    ("audit.index", "Audit", {"auditor", "admin"}, ()),
)


def navigation(app: Flask) -> list[dict[str, Any]]:
    """Return the navigation items for the signed-in user, at most one of them active.

    The active item is the one whose address (or one of its other prefixes) is the longest
    start of the page's path: /guidance/queue is "Review queue", not also "Guidance".
    """
    if not current_user.is_authenticated:
        return []
    links = _role_links(app, current_user.role, request.script_root)
    path = request.script_root + request.path
    best, best_length = None, 0
    for index, (_, href, _, prefixes) in enumerate(links):
        for prefix in (href, *prefixes):
            matches = path == prefix or path.startswith(prefix.rstrip("/") + "/")
            if matches and len(prefix) > best_length:
                best, best_length = index, len(prefix)
    return [{"href": href, "text": text, "active": index == best}
            for index, (_, href, text, _) in enumerate(links)]


def _role_links(app: Flask, role: str, script_root: str) -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(endpoint, href, text, prefixes) of the entries a role sees, built once per role and mount point.

    Every page's layout needs them; building ten URLs per request cost more than the rest of
    the navigation (the endpoints take no arguments, so their URLs never change).
    """
    cache = app.extensions.setdefault("local_reach_navigation", {})
    key = (role, script_root)
    if key not in cache:
        cache[key] = tuple((endpoint, url_for(endpoint), text, tuple(script_root + p for p in prefixes))
                           for endpoint, text, roles, prefixes in NAVIGATION
                           if role in roles and endpoint in app.view_functions)
    return cache[key]


def safe_url(value: str | None) -> str:
    """Return the URL if it is plain http(s), else "#" (no javascript:, data: … links)."""
    if not value:
        return "#"
    cleaned = value.strip()
    try:
        scheme = urlsplit(cleaned).scheme.lower()
    except ValueError:
        return "#"
    return cleaned if scheme in {"http", "https"} else "#"


def format_datetime(value: datetime | date | None, fmt: str = "%d %b %Y %H:%M") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(fmt)
    return value.strftime("%d %b %Y")


def format_date(value: datetime | date | None) -> str:
    return "" if value is None else value.strftime("%d %b %Y")


def time_ago(value: datetime | None) -> str:
    """Say how long ago something happened, in words."""
    if value is None:
        return "never"
    seconds = (utcnow() - value).total_seconds()
    if seconds < 0:
        return "in the future"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''} ago"
    return "just now"


def init_app(app: Flask) -> None:
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["safe_url"] = safe_url
    app.jinja_env.filters["datetime"] = format_datetime
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["ago"] = time_ago
    app.jinja_env.globals["ROLE_LABELS"] = ROLE_LABELS
    app.jinja_env.globals["LOCAL_THRESHOLD"] = LOCAL_THRESHOLD

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"navigation": navigation(app), "service_name": "Local Reach"}
