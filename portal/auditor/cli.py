"""flask retention …: run retention now (cron calls this), or list what is due for review; flask audit verify."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from portal import audit
from portal.auditor import bp, retention
from portal.auditor.verify import verify
from portal.extensions import db

audit_cli: AppGroup = AppGroup("audit", help="Check the audit trail.")


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


@audit_cli.command("verify")
@click.option("--newest", type=click.IntRange(min=1), default=None, help="Check only the newest N rows.")
def verify_command(newest: int | None) -> None:
    """Check every link of the audit chain; report the first broken one and exit 1."""
    report = verify(db.session(), current_app.config["AUDIT_KEY"], newest)
    scope = f"the newest {report.checked}" if report.partial else f"{report.checked}"
    if report.ok:
        click.echo(f"Audit chain intact: {scope} rows checked (rows {report.first_seq} to {report.last_seq}, "
                   f"head {report.last_hash}); {report.legacy} rows from before the chain began "
                   f"({report.started_at:%Y-%m-%d %H:%M} UTC) are not covered.")
    else:
        click.echo(f"AUDIT CHAIN BROKEN: {report.problem}. {report.checked} rows before it were intact.", err=True)
    if not report.partial:  # the auditor's page shows the latest full check
        audit.record("verify", "Checked the whole audit chain: " + ("intact" if report.ok else "BROKEN"),
                     object_type="AuditLog", details={"ok": report.ok, "checked": report.checked,
                                                      "problem": report.problem, "last_seq": report.last_seq})
        db.session.commit()
    if not report.ok:
        raise SystemExit(1)
