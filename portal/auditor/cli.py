"""flask retention …: run retention now (cron calls this), or list what is due for review."""
from __future__ import annotations

import click

from portal.auditor import bp, retention


@bp.cli.command("run")
@click.option("--dry-run", is_flag=True, help="Count what would be disposed of; change nothing.")
def run_command(dry_run: bool) -> None:
    """Delete or anonymise every record whose retention period has run out (idempotent)."""
    results = retention.run(dry_run=dry_run)
    verb = "would dispose of" if dry_run else "disposed of"
    for result in results:
        click.echo(f"{result.policy.key:18} {verb} {result.disposed:6}  "
                   f"({result.policy.action}, older than {result.days} days)")
    click.echo(f"Total: {sum(r.disposed for r in results)} records {'due' if dry_run else 'disposed of'}.")


@bp.cli.command("due")
def due_command() -> None:
    """List records expired or expiring within the review window."""
    for policy, items, total in retention.due_for_review():
        if total:
            click.echo(f"{policy.key}: {total} due")
            for item in items:
                click.echo(f"  {item.policy.object_type} {item.object_id}  due {item.due_on:%Y-%m-%d}")
