"""The web's export: the package is built as a zip file by a background job, then offered for download.

The job writes the zip under a temporary name and renames it when it is complete; only then
is the export recorded in the audit log (a failed or interrupted build records nothing and
leaves no file). Each download of the finished file is audited again, as a download.
Files are kept for EXPORT_KEEP_HOURS (default 24) and never past the project's expiry.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal import audit, jobs
from portal.extensions import db
from portal.models import Job, ResearchProject, User
from portal.research.export import ExportOptions, audit_export, planned_counts, write_zip

logger = logging.getLogger(__name__)
KIND = "research_export"
FOLDER = "research_exports"
PROGRESS_SECONDS = 1.0


def folder() -> Path:
    """Where finished packages wait for download (EXPORT_FOLDER; default: the instance folder's research_exports).

    With RQ the workers and the web must share it.
    """
    path = Path(current_app.config.get("EXPORT_FOLDER") or Path(current_app.instance_path) / FOLDER)
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_for(job_id: str) -> Path:
    return folder() / f"{job_id}.zip"


def start(options: ExportOptions, user: User) -> str:
    """Queue the build of a project's package; return the job id."""
    return jobs.enqueue("portal.research.export_job:build", options.to_json(), kind=KIND,
                        requested_by_id=user.id, max_attempts=2,
                        job_timeout=int(current_app.config.get("EXPORT_JOB_TIMEOUT", 4 * 3600)))


def _reporter(total: int):
    """A progress callback that writes to the job row at most once a second."""
    last = [0.0]

    def report(counts: dict[str, int]) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            done = sum(counts.values())
            jobs.progress(min(done, total), total, f"{done:,} of about {total:,} rows written")

    return report


def build(options_json: dict[str, Any]) -> dict[str, Any]:
    """Job: write the zip, then (and only then) audit the export."""
    options = ExportOptions.from_json(options_json)
    project = db.session.get(ResearchProject, options.project_id) if options.project_id else None
    if project is None or not project.is_open():
        logger.warning("research package for project %s refused: the project is not open", options.project_id)
        raise PermissionError("the research project is not open (revoked, expired or deleted)")
    job_id, started = jobs.current_job_id() or "adhoc", time.monotonic()
    remove_stale_files()
    total = max(1, sum(planned_counts(options).values()))
    jobs.progress(0, total, "Starting")
    path = file_for(job_id)
    counts = write_zip(path, options, _reporter(total))
    done = sum(counts.values())
    jobs.progress(done, max(total, done), "Complete")
    audit_export(options, via="download", counts=counts, actor_id=options.requested_by_id, job_id=job_id,
                 project=project.name, bytes=path.stat().st_size)
    from portal.notices import events, services as notices

    events.export_ready(job_id, options.requested_by_id)
    db.session.commit()
    notices.dispatch_queued()
    logger.info("research package %s written: %d rows, %d bytes in %.1f s", job_id, done, path.stat().st_size,
                time.monotonic() - started)
    return {"counts": counts, "file": path.name, "bytes": path.stat().st_size}


def remove_stale_files() -> int:
    """Delete finished packages older than EXPORT_KEEP_HOURS (and stray partial files)."""
    keep = timedelta(hours=float(current_app.config.get("EXPORT_KEEP_HOURS", 24)))
    cutoff = time.time() - keep.total_seconds()
    removed = 0
    for path in folder().glob("*.zip*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def remove_project_files(project_id: int) -> int:
    """Delete every built package of a project (when its approval is revoked)."""
    removed = 0
    for job in db.session.scalars(select(Job).where(Job.kind == KIND)):
        if _options(job).project_id == project_id:
            for path in (file_for(job.id), file_for(job.id).with_name(f"{job.id}.zip.part")):
                if path.exists():
                    path.unlink()
                    removed += 1
    return removed


def _options(job: Job) -> ExportOptions:
    return ExportOptions.from_json(((job.payload or {}).get("args") or [{}])[0])


def job_of(job_id: str, user: User) -> Job | None:
    """The user's own export job (None for anyone else's, or any other kind of job)."""
    return db.session.scalar(select(Job).where(Job.id == job_id, Job.kind == KIND,
                                               Job.requested_by_id == user.id))


def recent_jobs(user: User, limit: int = 10) -> list[Job]:
    return list(db.session.scalars(select(Job).where(Job.kind == KIND, Job.requested_by_id == user.id)
                                   .order_by(Job.created_at.desc()).limit(limit)))


def downloadable(job: Job) -> tuple[Path | None, str | None]:
    """The finished file, or why it cannot be had."""
    if job.status != "done":
        return None, "The package is not ready."
    options = _options(job)
    project = db.session.get(ResearchProject, options.project_id) if options.project_id else None
    if project is None or not project.is_open():
        return None, "The research project has expired or was revoked: its packages can no longer be downloaded."
    path = file_for(job.id)
    if not path.exists():
        return None, "This package has been deleted (packages are kept for a day). Build it again."
    return path, None


def audit_download(job: Job, path: Path) -> None:
    options = _options(job)
    audit.record("download", f"Research package downloaded ({path.stat().st_size} bytes)",
                 object_type="research_export", object_id=options.project_id,
                 details={"job_id": job.id, "filters": options.summary(), "row_counts": (job.result or {}).get("counts")})
