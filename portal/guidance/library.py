"""The guidance library: short pages and approved message templates, and their seed content."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import GuidancePage, MessageTemplate, User

DEFAULT_LIBRARY = Path(__file__).with_name("default_library.json")
TEMPLATE_PURPOSES = ("introduce", "inform", "appeal", "reassure", "invite")


def _like(q: str) -> str:
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_pages(q: str = "") -> list[GuidancePage]:
    query = select(GuidancePage).order_by(GuidancePage.title)
    q = (q or "").strip()[:200]
    if q:
        like = _like(q)
        query = query.where(or_(GuidancePage.title.ilike(like, escape="\\"),
                                GuidancePage.summary.ilike(like, escape="\\"),
                                GuidancePage.body.ilike(like, escape="\\")))
    return list(db.session.scalars(query))


def templates_by_purpose(q: str = "") -> dict[str, list[MessageTemplate]]:
    query = select(MessageTemplate).where(MessageTemplate.active.is_(True)).order_by(MessageTemplate.title)
    q = (q or "").strip()[:200]
    if q:
        like = _like(q)
        query = query.where(or_(MessageTemplate.title.ilike(like, escape="\\"),
                                MessageTemplate.body.ilike(like, escape="\\")))
    grouped: dict[str, list[MessageTemplate]] = {purpose: [] for purpose in TEMPLATE_PURPOSES}
    for template in db.session.scalars(query):
        grouped.setdefault(template.purpose, []).append(template)
    return {purpose: items for purpose, items in grouped.items() if items}


def page_by_slug(slug: str) -> GuidancePage | None:
    return db.session.scalar(select(GuidancePage).where(GuidancePage.slug == slug))


def paragraphs(body: str) -> list[str]:
    """Split a page's plain-text body into paragraphs (pages never hold HTML)."""
    return [part.strip() for part in body.split("\n\n") if part.strip()]


def seed_library(approved_by: User | None = None) -> tuple[int, int]:
    """Add the shipped guidance pages and templates that are missing; return (pages, templates) added."""
    data: dict[str, Any] = json.loads(DEFAULT_LIBRARY.read_text(encoding="utf-8"))
    slugs = set(db.session.scalars(select(GuidancePage.slug)))
    titles = set(db.session.scalars(select(MessageTemplate.title)))
    pages = [GuidancePage(**page) for page in data["pages"] if page["slug"] not in slugs]
    templates = [MessageTemplate(**item, approved_by_id=approved_by.id if approved_by else None)
                 for item in data["templates"] if item["title"] not in titles]
    db.session.add_all([*pages, *templates])
    return len(pages), len(templates)
