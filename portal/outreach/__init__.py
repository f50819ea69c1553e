"""Outreach contacts, follow-ups, stages, assessments, meetings and handover."""
from flask import Blueprint

bp = Blueprint("outreach", __name__)

from portal.outreach import relationships, views  # noqa: E402,F401
