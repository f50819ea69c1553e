"""Write the pseudonymised Frictionless Data Package: to a folder (CLI) or as a streamed zip (download).

Rows are read with ``yield_per`` (a server-side cursor on PostgreSQL) and written as they
arrive, so memory stays flat however many rows there are. Per-community facts (first
contact, stage history) are kept in memory: they grow with communities, not with contacts.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import Select, func, select

from portal import audit
from portal.extensions import db
from portal.models import Area, User, utcnow
from portal.params import to_date
from portal.research import export_rows
from portal.research.codebook import RESOURCES, descriptor, readme
from portal.research.filters import scope_for
from portal.research.pseudonyms import Pseudonymiser

FLUSH_EVERY = 2000


@dataclass(frozen=True)
class ExportOptions:
    """What to export: area, period and date precision, within what the requester may see."""

    area: str | None = None
    since: date | None = None
    until: date | None = None
    coarsen_weeks: bool = False
    scope_area_ids: frozenset[int] | None = None
    area_id: int | None = None
    requested_by_id: int | None = None

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
    def package_name(self) -> str:
        return f"local-reach-export-{utcnow():%Y%m%d-%H%M%S}"

    def summary(self) -> dict[str, Any]:
        out = {"area": self.area, "since": self.since and self.since.isoformat(),
               "until": self.until and self.until.isoformat()}
        out = {k: v for k, v in out.items() if v}
        if self.coarsen_weeks:
            out["coarsen_weeks"] = True
        return out

    @classmethod
    def build(cls, area: str | None, since: date | None, until: date | None, coarsen_weeks: bool,
              user: User | None) -> tuple[ExportOptions, list[str]]:
        """Check the choices; return the options and any problems in words."""
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
        return cls(area or None, since, until, coarsen_weeks, scope, area_id,
                   user.id if user is not None else None), problems

    @classmethod
    def from_form(cls, form: Any, user: User | None) -> tuple[ExportOptions, list[str]]:
        problems: list[str] = []
        dates: dict[str, date | None] = {}
        for name in ("since", "until"):
            raw = (form.get(name) or "").strip()
            dates[name] = to_date(raw)
            if raw and dates[name] is None:
                problems.append(f"Enter a real {name} date, for example 2025-03-31")
        options, more = cls.build((form.get("area") or "").strip(), dates["since"], dates["until"],
                                  form.get("coarsen_weeks") in {"y", "on", "true", "1"}, user)
        return options, problems + more


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


def _write_tables(open_text: Callable[[str], AbstractContextManager[TextIO]], options: ExportOptions,
                  counts: dict[str, int]) -> Iterator[None]:
    """Write every CSV through open_text(name); yield between batches so a stream can drain."""
    context = export_rows.ExportContext.load(options, Pseudonymiser.for_app())
    producers = {"events": export_rows.events, "communities": export_rows.communities,
                 "activity": export_rows.activity}
    for name, _, schema in RESOURCES:
        columns = [f["name"] for f in schema(options.coarsen_weeks)["fields"]]
        with open_text(f"{name}.csv") as out:
            for written in _csv_rows(out, columns, producers[name](context)):
                counts[name] = written
                yield None


def _metadata(options: ExportOptions, counts: dict[str, int]) -> dict[str, str]:
    created = utcnow().replace(microsecond=0).isoformat() + "Z"
    package = descriptor(options.summary(), options.coarsen_weeks, created)
    return {"datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n",
            "README.md": readme(options.summary(), options.coarsen_weeks, created, counts)}


def write_package(out_dir: Path, options: ExportOptions) -> dict[str, int]:
    """Write the package into out_dir; return the row count of each table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def open_text(name: str) -> TextIO:
        return (out_dir / name).open("w", encoding="utf-8", newline="")

    for _ in _write_tables(open_text, options, counts):
        pass
    for name, text in _metadata(options, counts).items():
        (out_dir / name).write_text(text, encoding="utf-8")
    return counts


class _Sink(io.RawIOBase):
    """A write-only, unseekable buffer the zip writes into and the response drains."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self._position = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def drain(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def stream_zip(options: ExportOptions) -> Iterator[bytes]:
    """Yield the package as a zip, chunk by chunk (entries use data descriptors; nothing is buffered whole)."""
    sink = _Sink()
    counts: dict[str, int] = {}
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def open_text(name: str) -> TextIO:
            entry = archive.open(name, "w", force_zip64=True)
            return io.TextIOWrapper(entry, encoding="utf-8", newline="")

        for _ in _write_tables(open_text, options, counts):
            chunk = sink.drain()
            if chunk:
                yield chunk
        for name, text in _metadata(options, counts).items():
            archive.writestr(name, text)
    yield sink.drain()


def planned_counts(options: ExportOptions) -> dict[str, int]:
    """Row counts the export will have (for the audit record written before a download streams)."""
    def count(query: Select) -> int:
        return db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0

    context = export_rows.ExportContext.load(options, None)
    return {"events": sum(count(q) for q in export_rows.event_queries(context).values()),
            "communities": count(export_rows.community_query(context)),
            "activity": count(export_rows.activity_query(context))}


def audit_export(options: ExportOptions, via: str, counts: dict[str, int] | None = None,
                 actor_id: int | None = None) -> None:
    """Record the export in the audit log: who (the actor), when (the event time), filters and row counts."""
    counts = counts if counts is not None else planned_counts(options)
    audit.record("export", f"Research export ({via}): " + ", ".join(f"{k} {v}" for k, v in counts.items()),
                 object_type="research_export", details={"filters": options.summary(), "row_counts": counts,
                                                         "via": via}, actor_id=actor_id)
