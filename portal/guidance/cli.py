"""flask guidance check / seed / feedback-export."""
from __future__ import annotations

import json

import click
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.guidance import bp, feedback
from portal.guidance.check import CheckContext, check_message, default_rules, highest_severity
from portal.guidance.library import seed_library
from portal.guidance.rules import active_rules, refresh_shipped_rules, seed_rules


@bp.cli.command("check")
@click.argument("text", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@click.option("--audience", type=int, default=None, help="Members of the community it is posted to.")
@click.option("--access", type=click.Choice(["public", "closed", "invite"]), default=None)
@click.option("--channel", default=None, help="e.g. group_post, comment, direct_message.")
def check_command(text: tuple[str, ...], as_json: bool, audience: int | None, access: str | None,
                  channel: str | None) -> None:
    """Check a message against the guidance rules and print the findings."""
    message = " ".join(text)
    try:
        rules = active_rules()
    except SQLAlchemyError:  # no database yet: the shipped rules still answer
        db.session.rollback()
        rules = default_rules()
    findings = check_message(message, rules, CheckContext(audience, access, channel))
    if as_json:
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
        return
    overall = highest_severity(findings)
    if overall is None:
        click.echo("No findings.")
    else:
        click.echo(f"Overall: {overall.replace('_', ' ')}")
    for finding in findings:
        click.echo(f"{finding.severity:17} {finding.category:17} {finding.matched_text!r}: {finding.explanation}")


@bp.cli.command("seed")
def seed_command() -> None:
    """Add the missing default rules, pages and templates; update shipped rules nobody has edited."""
    rules = seed_rules()
    refreshed = refresh_shipped_rules()
    pages, templates = seed_library()
    db.session.commit()
    click.echo(f"Added {rules} rules, {pages} guidance pages and {templates} message templates; "
               f"brought {refreshed} shipped rules that nobody had edited up to date.")


@bp.cli.command("feedback-export")
@click.option("--format", "fmt", type=click.Choice(feedback.EXPORT_FORMATS), default="jsonl", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output).")
def feedback_export_command(fmt: str, out: str | None) -> None:
    """Export supervisors' "wrong here" marks as labelled examples for the evaluation set."""
    body = feedback.export(None, fmt)
    db.session.commit()
    if out is None:
        click.echo(body, nl=False)
        return
    with open(out, "w", encoding="utf-8", newline="") as handle:
        handle.write(body)
    click.echo(f"Wrote {body.count(chr(10)) - (1 if fmt == 'csv' else 0)} examples to {out}.", err=True)
