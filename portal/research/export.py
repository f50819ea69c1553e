"""Write the pseudonymised Frictionless Data Package: to a folder (CLI) or a zip file (the web's job).

Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL) and written as they
arrive, so memory stays flat however many contacts there are; per-community facts are
kept in memory (they grow with communities, not with contacts). Each CSV is hashed as it
is written, and the hashes go into datapackage.json.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TextIO

from sqlalchemy import Select, func, select

from portal import audit
from portal.extensions import db
from portal.models import Area, Community, ResearchProject, User, utcnow
from portal.params import to_date
from portal.research import export_rows
from portal.research.codebook import RESOURCES, Shape
from portal.research.export_panel import panel
from portal.research.package_docs import application_version, descriptor, readme
from portal.research.pseudonyms import Pseudonymiser
from portal.research.filters import scope_for

FLUSH_EVERY = 2000
PRODUCERS = {"events": export_rows.events, "communities": export_rows.communities,
             "activity": export_rows.activity, "panel": panel}
Progress = Callable[[dict[str, int]], None]


@dataclass(frozen=True)
class ExportOptions:
    """What to export: area, period and precision, within what the requester may see."""

    area: str | None = None
    since: date | None = None
    until: date | None = None
    coarsen_weeks: bool = False
    scope_area_ids: frozenset[int] | None = None
    area_id: int | None = None
    requested_by_id: int | None = None
    banded: bool = False
    project_id: int | None = None

    @property
    def start(self) -> datetime | None:
        return None if self.since is None else datetime.combine(self.since, datetime.min.time())

    @property
    def end(self) -> datetime:
        """Exclusive end: the day after `until`, or now."""
        if self.until is None:
            return utcnow()
        return datetime.combine(self.until + timedelta(days=1), datetime.min.time())

    @property
    def as_of(self) -> bool:
        return self.until is not None

    @property
    def shape(self) -> Shape:
        return Shape(weeks=self.coarsen_weeks, banded=self.banded, as_of=self.as_of)

    @property
    def level(self) -> str:
        return "standard" if self.banded else "detailed"

    @property
    def package_name(self) -> str:
        return f"local-reach-export-{utcnow():%Y%m%d-%H%M%S}"

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {"area": self.area, "since": self.since and self.since.isoformat(),
               "until": self.until and self.until.isoformat()}
        out = {k: v for k, v in out.items() if v}
        if self.coarsen_weeks:
            out["coarsen_weeks"] = True
        if self.project_id is not None:
            out["project_id"] = self.project_id
            out["level"] = self.level
        return out

    def to_json(self) -> dict[str, Any]:
        """The options as JSON values (a job's arguments)."""
        values = asdict(self)
        values["since"] = self.since and self.since.isoformat()
        values["until"] = self.until and self.until.isoformat()
        values["scope_area_ids"] = None if self.scope_area_ids is None else sorted(self.scope_area_ids)
        return values

    @classmethod
    def from_json(cls, values: dict[str, Any]) -> ExportOptions:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in values.items() if k in known}
        for name in ("since", "until"):
            values[name] = date.fromisoformat(values[name]) if values.get(name) else None
        if values.get("scope_area_ids") is not None:
            values["scope_area_ids"] = frozenset(values["scope_area_ids"])
        return cls(**values)

    @classmethod
    def from_form(cls, form: Any, user: User | None,
                  project: ResearchProject | None) -> tuple[ExportOptions, list[str]]:
        """Read the web form's choices (dates as YYYY-MM-DD)."""
        problems: list[str] = []
        dates: dict[str, date | None] = {}
        for name in ("since", "until"):
            raw = (form.get(name) or "").strip()[:20]
            dates[name] = to_date(raw)  # bounded to real, sensible dates in one place (portal/params.py)
            if raw and dates[name] is None:
                problems.append(f"Enter a real {'start' if name == 'since' else 'end'} date, for example 2025-03-31")
        options, more = cls.build((form.get("area") or "").strip()[:80], dates["since"], dates["until"],
                                  form.get("coarsen_weeks") in {"y", "on", "true", "1"}, user, project)
        return options, problems + more

    @classmethod
    def build(cls, area: str | None, since: date | None, until: date | None, coarsen_weeks: bool,
              user: User | None, project: ResearchProject | None = None) -> tuple[ExportOptions, list[str]]:
        """Check the choices; return the options and any problems in words.

        A standard-level project always gets weeks and banded counts, whatever was ticked.
        """
        problems = []
        scope = scope_for(user)
        area_id = None
        if area:
            found = Area.by_slug(area)
            if found is None or (scope is not None and found.id not in scope):
                problems.append(f"There is no area “{area}” you can export")
            else:
                area_id = found.id
        if since and until and since > until:
            problems.append("The end date must be on or after the start date")
        if until and until >= utcnow().date():
            problems.append("The end date of an “as of” export must be in the past: leave it empty for today")
        standard = project is not None and project.level != "detailed"
        return cls(area or None, since, until, coarsen_weeks or standard, scope, area_id,
                   user.id if user is not None else None, standard,
                   project.id if project is not None else None), problems


def pseudonymiser_for(options: ExportOptions) -> Pseudonymiser:
    """The project's own key, or the server's key for an operator's export without a project."""
    if options.project_id is None:
        return Pseudonymiser.for_app()
    project = db.session.get(ResearchProject, options.project_id)
    if project is None:
        raise LookupError(f"research project {options.project_id} does not exist")
    return Pseudonymiser.for_project(project.key_salt)


class _Hashing(io.RawIOBase):
    """Pass bytes through to a binary stream, keeping their SHA-256 and length."""

    def __init__(self, target: IO[bytes]) -> None:
        self._target, self.sha256, self.size = target, hashlib.sha256(), 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.sha256.update(data)
        self.size += len(data)
        return self._target.write(data) or len(data)

    def close(self) -> None:
        if not self.closed:
            self._target.close()
        super().close()


def _csv_rows(out: TextIO, columns: list[str], rows: Iterator[dict[str, Any]]) -> Iterator[int]:
    """Write rows as CSV; yield the running count every FLUSH_EVERY rows and at the end.

    A row with a key the codebook does not list is a bug: refuse it rather than drop it.
    """
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    known = frozenset(columns)
    n = 0
    for row in rows:
        if n == 0 and row.keys() != known:
            raise ValueError(f"columns not in the codebook: {sorted(row.keys() ^ known)}")
        writer.writerow([row[name] for name in columns])
        n += 1
        if n % FLUSH_EVERY == 0:
            yield n
    yield n


def _write_tables(open_binary: Callable[[str], AbstractContextManager[IO[bytes]]], options: ExportOptions,
                  pseudonymise: Pseudonymiser, counts: dict[str, int], hashes: dict[str, dict[str, Any]],
                  progress: Progress | None) -> None:
    """Write every CSV through open_binary(name), hashing it; report counts as they grow."""
    context = export_rows.ExportContext.load(options, pseudonymise)
    for name, _, schema in RESOURCES:
        columns = [f["name"] for f in schema(options.shape)["fields"]]
        with open_binary(f"{name}.csv") as raw:
            hashing = _Hashing(raw)
            buffered = io.BufferedWriter(hashing, buffer_size=1 << 16)
            out = io.TextIOWrapper(buffered, encoding="utf-8", newline="")
            for written in _csv_rows(out, columns, PRODUCERS[name](context)):
                counts[name] = written
                if progress is not None:
                    progress(counts)
            out.flush()
            out.detach()
            buffered.detach()
        hashes[name] = {"hash": f"sha256:{hashing.sha256.hexdigest()}", "bytes": hashing.size}


def _provenance(options: ExportOptions, pseudonymise: Pseudonymiser) -> dict[str, Any]:
    version, commit = application_version()
    project = db.session.get(ResearchProject, options.project_id) if options.project_id else None
    return {"created": utcnow().replace(microsecond=0).isoformat() + "Z", "package": options.package_name,
            "application": {"name": "Local Reach", "version": version, "commit": commit},
            "filters": options.summary(), "level": options.level, "key_id": pseudonymise.key_id,
            "project": None if project is None else {"id": project.id, "name": project.name,
                                                     "expires_on": project.expires_on.isoformat()}}


def _metadata(options: ExportOptions, pseudonymise: Pseudonymiser, counts: dict[str, int],
              hashes: dict[str, dict[str, Any]]) -> dict[str, str]:
    provenance = _provenance(options, pseudonymise)
    package = descriptor(provenance, options.shape, hashes)
    return {"datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n",
            "README.md": readme(provenance, options.shape, counts)}


def write_package(out_dir: Path, options: ExportOptions, progress: Progress | None = None) -> dict[str, int]:
    """Write the package into out_dir; return the row count of each table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    hashes: dict[str, dict[str, Any]] = {}
    pseudonymise = pseudonymiser_for(options)
    _write_tables(lambda name: (out_dir / name).open("wb"), options, pseudonymise, counts, hashes, progress)
    for name, text in _metadata(options, pseudonymise, counts, hashes).items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return counts


def write_zip(path: Path, options: ExportOptions, progress: Progress | None = None) -> dict[str, int]:
    """Write the package as a zip at `path`, atomically: the file appears only once it is complete."""
    partial = path.with_name(path.name + ".part")
    counts: dict[str, int] = {}
    hashes: dict[str, dict[str, Any]] = {}
    pseudonymise = pseudonymiser_for(options)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _write_tables(lambda name: archive.open(name, "w", force_zip64=True), options, pseudonymise, counts,
                          hashes, progress)
            for name, text in _metadata(options, pseudonymise, counts, hashes).items():
                archive.writestr(name, text)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return counts


def planned_counts(options: ExportOptions) -> dict[str, int]:
    """Row counts the export will have (the progress bar's total)."""
    def count(query: Select) -> int:
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0

    context = export_rows.ExportContext.load(options, None)
    months = 0
    last = options.end - timedelta(microseconds=1)
    for (created_at,) in db.session.execute(select(Community.created_at).where(*context.catalogued())):
        first = max(created_at, options.start) if options.start else created_at
        months += max(0, (last.year - first.year) * 12 + last.month - first.month + 1)
    return {"events": sum(count(q) for q in export_rows.event_queries(context).values()),
            "communities": count(export_rows.community_query(context)),
            "activity": count(export_rows.activity_query(context)), "panel": months}


def audit_export(options: ExportOptions, via: str, counts: dict[str, int], actor_id: int | None = None,
                 **details: Any) -> None:
    """Record a complete export in the audit log: who, when, project, filters, row counts (and the file)."""
    audit.record("export", f"Research export ({via}): " + ", ".join(f"{k} {v}" for k, v in counts.items()),
                 object_type="research_export", object_id=options.project_id,
                 details={"filters": options.summary(), "row_counts": counts, "via": via, **details},
                 actor_id=actor_id)
