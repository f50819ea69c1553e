"""flask research export: write the pseudonymised Data Package to a folder; flask research drop-releases."""
from __future__ import annotations

import getpass
from datetime import datetime
from pathlib import Path

import click

from portal import audit
from portal.extensions import db
from portal.models import ResearchProject
from portal.research import bp
from portal.research import releases
from portal.research.export import ExportOptions, audit_export, write_package


@bp.cli.command("export")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write datapackage.json, README.md and the CSV tables into.")
@click.option("--area", default=None, help="Only this area (its slug).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="First day (YYYY-MM-DD).")
@click.option("--until", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Last day (YYYY-MM-DD): the package states everything as it was at the end of that day.")
@click.option("--coarsen-weeks", is_flag=True, help="Give dates as ISO weeks only.")
@click.option("--project", "project_id", type=int, default=None,
              help="For this approved research project (its id): its pseudonym key and approved level.")
def export_command(out_dir: Path, area: str | None, since: datetime | None, until: datetime | None,
                   coarsen_weeks: bool, project_id: int | None) -> None:
    """Export a pseudonymised Frictionless Data Package for research."""
    project = None
    if project_id is not None:
        project = db.session.get(ResearchProject, project_id)
        if project is None or not project.is_open():
            raise click.UsageError(f"There is no open research project {project_id} (approved, not expired)")
    options, problems = ExportOptions.build(area, since and since.date(), until and until.date(),
                                            coarsen_weeks, None, project)
    if problems:
        raise click.UsageError("; ".join(problems))
    counts = write_package(out_dir, options)
    audit_export(options, via=f"cli ({_os_user()})", counts=counts)
    db.session.commit()
    click.echo(f"Wrote {out_dir}: " + ", ".join(f"{name}.csv {n} rows" for name, n in counts.items()))


def _os_user() -> str:
    """Who ran the command, for the audit record (the CLI has no signed-in user)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


@bp.cli.command("drop-releases")
@click.option("--before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Drop the kept releases whose month-end is before this day (YYYY-MM-DD).")
@click.option("--year", type=int, default=None, help="Only releases of this year.")
def drop_releases_command(before: datetime, year: int | None) -> None:
    """Delete kept research releases (retention); audited. A dropped family is counted again when next viewed,
    as a new release: figures a researcher saw before may then differ by records entered since."""
    n = releases.drop(before.date(), year)
    audit.record("dispose", f"Deleted {n} kept research releases (month-end before {before.date():%Y-%m-%d})",
                 object_type="research_release", actor_id=None,
                 details={"before": before.date().isoformat(), "year": year, "releases": n, "via": f"cli ({_os_user()})"})
    db.session.commit()
    click.echo(f"Dropped {n} kept releases.")
