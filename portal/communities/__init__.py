"""The catalogue of communities."""
from flask import Blueprint

bp = Blueprint("communities", __name__)

from portal.communities import edit, views  # noqa: E402,F401
