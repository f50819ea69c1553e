"""Shared column helpers and the domain's fixed vocabularies."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import Base, db

if TYPE_CHECKING:
    # mypy types db.Model as a variable, so it cannot check a class derived from it. At run
    # time db.Model is the class Flask-SQLAlchemy 3.1 builds from Base: Base's namespace (its
    # metadata and registry) on DeclarativeBase, plus the query property, bind keys and table
    # names from class names. portal/ uses none of those (every model names its table; queries
    # are select()), so checking the models as subclasses of Base is exact for portal/.
    # tests/portal/test_model_base.py checks that db.Model shares Base's registry and metadata.
    Model = Base
else:
    Model = db.Model


def utcnow() -> datetime:
    """Return the current time as naive UTC (the storage convention on every database)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Timestamped:
    """Mixin adding created/updated times."""

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


ROLES = ("officer", "supervisor", "researcher", "admin", "auditor")
ROLE_LABELS = {
    "officer": "Officer / PCSO",
    "supervisor": "Supervisor",
    "researcher": "Researcher",
    "admin": "Admin",
    "auditor": "Auditor",
}

PLATFORMS = (
    "blog", "forum", "website", "residents_association", "facebook_group", "facebook_page",
    "nextdoor", "reddit", "whatsapp", "mailing_list", "meetup", "x", "instagram", "other",
)
CLOSED_PLATFORMS = frozenset({"facebook_group", "facebook_page", "nextdoor", "whatsapp", "meetup", "x", "instagram"})
ACCESS_ROUTES = ("public", "closed", "invite")
POLICE_WELCOME = ("unknown", "yes", "no")

# Relationship stages. The main path moves forward; the branches can be entered from anywhere.
STAGE_PATH = ("identified", "approached", "acknowledged", "two_way", "partner")
STAGE_BRANCHES = ("declined", "hostile", "dormant")
STAGES = STAGE_PATH + STAGE_BRANCHES
STAGE_LABELS = {
    "identified": "Identified", "approached": "Approached", "acknowledged": "Acknowledged",
    "two_way": "Two-way", "partner": "Partner", "declined": "Declined", "hostile": "Hostile",
    "dormant": "Dormant",
}

CHANNELS = ("group_post", "comment", "direct_message", "email", "phone", "meeting", "event")
DIRECTIONS = ("outbound", "inbound")
# Never "intelligence": the tool is for engagement, not surveillance.
PURPOSES = ("introduce", "inform", "appeal", "reassure", "consult", "invite", "respond")
OUTCOMES = ("pending", "no_response", "acknowledged", "positive", "negative", "hostile")
SEVERITIES = ("advice", "needs_supervisor", "do_not_send")
GUIDANCE_CATEGORIES = (
    "personal_data", "live_proceedings", "political", "discriminatory", "operational", "reach_risk",
)
DISMISS_REASONS = ("not_local", "commercial", "official", "inactive", "duplicate")


def label(value: str | None) -> str:
    """Turn a stored vocabulary value into words for people."""
    if not value:
        return ""
    return STAGE_LABELS.get(value) or ROLE_LABELS.get(value) or value.replace("_", " ").capitalize()


__all__ = ["db", "Model", "utcnow", "Timestamped", "label"]
