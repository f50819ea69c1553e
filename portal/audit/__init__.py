"""The auditor's view, retention and disposal."""
from flask import Blueprint

bp = Blueprint("audit", __name__, cli_group="retention")

from portal.audit import views  # noqa: E402,F401
