"""Helpers for the research package tests: exports through the CLI, reading and validating packages."""
from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

from portal.extensions import db
from portal.models import utcnow

TABLES = ("events", "communities", "activity", "panel")


def areas_and_officers(n_areas: int, n_officers: int) -> tuple[list, list]:
    """n areas and n officers working all of them (enough officers that no figure is about one person), flushed."""
    from portal.models import Area, User

    areas = [Area(slug=f"area-{i}", name=f"Area {i}", profile={}) for i in range(n_areas)]
    officers = [User(email=f"officer{n}@example.org", display_name=f"Officer {n}", role="officer", areas=areas)
                for n in range(n_officers)]
    db.session.add_all([*officers, *areas])
    db.session.flush()
    return areas, officers


def make_project(*members, name="Outreach study", level="standard", days=90, **extra):
    from portal.models import ResearchProject

    project = ResearchProject(name=name, purpose="Study how relationships develop.", level=level,
                              expires_on=(utcnow() + timedelta(days=days)).date(), **extra)
    project.members = list(members)
    db.session.add(project)
    db.session.commit()
    return project


def export(runner, out: Path, *args: str) -> Path:
    result = runner.invoke(args=["research", "export", "--out", str(out), *args])
    assert result.exit_code == 0, result.output
    return out


def rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def validate(descriptor_path: Path) -> None:
    from frictionless import validate as frictionless_validate

    report = frictionless_validate(str(descriptor_path))
    problems = [error.message for task in report.tasks for error in task.errors] + [e.message for e in report.errors]
    assert report.valid, problems[:10]
    assert {task.name for task in report.tasks} == set(TABLES)
