"""`flask notify run` (cron, daily): queue the digest, retry failed notices; `flask notify list`."""
from __future__ import annotations

from datetime import date

import click
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Notification
from portal.notices import bp
from portal.notices.delivery import retry_failed
from portal.notices.digest import queue_digests
from portal.notices.services import dispatch_queued, enabled

@bp.cli.command("run")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day whose digest to send (default: today). Each user gets one digest a day.")
@click.option("--no-digest", is_flag=True, help="Only retry notices that failed.")
def run_command(day, no_digest: bool) -> None:
    """Queue today's digest of due and overdue follow-ups, and retry notices that failed."""
    if not enabled():
        raise click.ClickException("No mail service is configured: set NOTIFY_BACKEND to smtp or govuk_notify.")
    digests = 0 if no_digest else queue_digests(day.date() if day else date.today())
    retried = retry_failed()
    started = dispatch_queued()
    click.echo(f"Queued {digests} digests and {retried} retries; started {started} deliveries.")


@bp.cli.command("list")
def list_command() -> None:
    """Count notices by kind and state."""
    rows = db.session.execute(select(Notification.kind, Notification.status, func.count())
                              .group_by(Notification.kind, Notification.status).order_by(Notification.kind))
    for kind, status, count in rows:
        click.echo(f"{kind:16} {status:10} {count}")

