"""Notices: e-mails that reach people (a held message, a decision, a backup request, an invitation,
an export ready, the daily digest), each user's choice of them, and the admins' view of delivery."""
from flask import Blueprint

bp = Blueprint("notices", __name__, cli_group="notify")
bp.cli.help = "Send notices: the daily digest, and retries of failed notices."

from portal.notices import cli, events, views  # noqa: E402,F401
