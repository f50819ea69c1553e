"""Discovery: crawl runs, the review queue, inspecting one site, feed polls."""
from flask import Blueprint

bp = Blueprint("discovery", __name__, cli_group="crawl")

from portal.discovery import views  # noqa: E402,F401
