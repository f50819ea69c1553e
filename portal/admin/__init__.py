"""Admin: users (invite, deactivate, areas, force sign-out) and area profiles."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from portal.admin import area_build, areas, projects, sso, users  # noqa: E402,F401
