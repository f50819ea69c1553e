"""The auditor's view, retention and disposal."""
from flask import Blueprint

bp = Blueprint("audit", __name__, cli_group="retention")

from portal.auditor import cli, views, words  # noqa: E402,F401

bp.record_once(lambda state: state.app.cli.add_command(cli.audit_cli))
