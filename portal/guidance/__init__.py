"""Guidance while writing, supervisor sign-off and support."""
from flask import Blueprint

bp = Blueprint("guidance", __name__, cli_group="guidance")

from portal.guidance import views  # noqa: E402,F401
