"""Research views and the pseudonymised export."""
from flask import Blueprint

bp = Blueprint("research", __name__, cli_group="research")

from portal.research import cli, export_views, views  # noqa: E402,F401
