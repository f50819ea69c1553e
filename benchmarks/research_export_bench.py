"""Benchmark the research package: time and peak memory through the CLI and through the web's job.

Usage:
    python benchmarks/research_export_bench.py [--scale 10000 100000] [--database-url postgresql+psycopg://…/db]
                                               [--modes cli web]

For each scale N it builds a fresh database with the migrations (SQLite in a temporary folder
unless a PostgreSQL URL is given; that database is emptied first) and fills it with
``flask demo --scale N`` data (portal/scale.py: N communities, about 10 outreach contacts
each, so 10,000 -> 100,000 contacts and 100,000 -> 1,000,000), then runs the export in a
fresh child process per mode:

- cli: ``write_package`` into a folder, as ``flask research export --out DIR`` does;
- web: a signed-in project member POSTs /research/export (Flask test client, jobs inline)
  so the real view, job (claim, heartbeat, progress), zip writer and audit run; the child
  checks the job is done and audited once.

It prints the wall time, the CPU time (user + system: on a shared machine the wall time
includes waiting for a core), the RSS just before the export began, the highest RSS sampled
(every 20 ms) while it ran, the child's peak RSS since exec (VmHWM; ru_maxrss would also count
the parent's pages the child held between fork and exec), rows written and output size.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "bench-password-1"  # noqa: S105 - a throwaway account in a throwaway database


def _app(database_url: str, instance: Path, **extra):
    from portal import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "PSEUDONYM_KEY": "bench-key", "TESTING": True,
                       "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False,
                       "SESSION_COOKIE_SECURE": False, "EXPORT_FOLDER": str(instance / "exports"), **extra})


def populate(database_url: str, communities: int, instance: Path) -> dict[str, int]:
    """Migrate an empty database and fill it with the scale generator's data."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from portal.extensions import db
    from portal.scale import generate

    app = _app(database_url, instance)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(ROOT / "migrations"))
        return generate(communities).counts


def current_rss_kb(field: str = "VmRSS") -> int:
    """Resident set size of this process now (VmRSS), or its peak since exec (VmHWM), in kB (Linux /proc)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


class RssSampler(threading.Thread):
    """Sample this process's RSS every 20 ms; keep the highest value seen."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = current_rss_kb()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(0.02):
            self.peak_kb = max(self.peak_kb, current_rss_kb())

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return max(self.peak_kb, current_rss_kb())


def _member(app) -> int:
    """A researcher with a password, member of an open standard-level project; returns the project id."""
    from werkzeug.security import generate_password_hash

    from portal.extensions import db
    from portal.models import ResearchProject, User, utcnow

    from sqlalchemy import delete, select

    from portal.models import Job

    with app.app_context():  # a second run on the same database starts from the same state
        db.session.execute(delete(Job).where(Job.kind == "research_export"))
        project = db.session.scalar(select(ResearchProject).where(ResearchProject.name == "Benchmark"))
        if project is None:
            user = User(email="bench.researcher@bench.example", display_name="Bench researcher", role="researcher",
                        password_hash=generate_password_hash(PASSWORD))
            project = ResearchProject(name="Benchmark", purpose="Benchmark", level="standard",
                                      expires_on=(utcnow() + timedelta(days=1)).date(), members=[user])
            db.session.add(project)
        db.session.commit()
        return project.id


def _web_export(app, project_id: int) -> tuple[dict[str, int], int]:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.models import AuditEvent, Job

    client = app.test_client()
    client.post("/login", data={"email": "bench.researcher@bench.example", "password": PASSWORD})
    response = client.post("/research/export", data={"project": str(project_id)})  # the job runs inline
    assert response.status_code == 303, response.status_code
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "research_export"))
        audits = db.session.scalar(select(func.count()).select_from(AuditEvent)
                                   .where(AuditEvent.action == "export",
                                          AuditEvent.details["job_id"].as_string() == job.id)) or 0
        assert job.status == "done", (job.status, job.message, audits)
        assert audits == 1, (job.status, job.message, audits)
        return job.result["counts"], job.result["bytes"]


def run_export(database_url: str, mode: str, instance: Path, out: Path) -> dict:
    """Run one export in this (fresh) process and report time, rows and memory."""
    from portal.research.export import ExportOptions, write_package

    app = _app(database_url, instance, JOBS_INLINE=True)
    project_id = _member(app) if mode == "web" else None
    with app.app_context():
        options, _ = ExportOptions.build(None, None, None, False, None)
    baseline = current_rss_kb()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    sampler = RssSampler()
    sampler.start()
    began = time.perf_counter()
    if mode == "cli":
        with app.app_context():
            counts = write_package(out, options)
        size = sum(p.stat().st_size for p in out.iterdir())
    else:
        counts, size = _web_export(app, project_id)
    seconds = time.perf_counter() - began
    peak = sampler.stop()
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    cpu_seconds = cpu.ru_utime + cpu.ru_stime - cpu_before.ru_utime - cpu_before.ru_stime
    return {"mode": mode, "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2), "baseline_rss_mb": round(baseline / 1024, 1),
            "peak_rss_mb": round(peak / 1024, 1), "max_rss_mb": round(current_rss_kb("VmHWM") / 1024, 1),
            "bytes": size, "rows": counts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, nargs="+", default=[10_000, 100_000],
                        help="communities (about 10 contacts each)")
    parser.add_argument("--modes", nargs="+", default=["cli", "web"], choices=["cli", "web"])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--child", nargs=3, metavar=("URL", "MODE", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lr-bench-"))
    try:
        if args.child:
            url, mode, out = args.child
            print(json.dumps(run_export(url, mode, work, Path(out))))
        else:
            _measure(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # databases, packages: gigabytes at 1M


def _measure(args: argparse.Namespace, work: Path) -> None:
    print(f"{'communities':>11} {'contacts':>9} {'mode':>4} {'seconds':>8} {'CPU s':>7} {'rows':>9} {'RSS before':>11} "
          f"{'peak during':>12} {'VmHWM':>10} {'output':>9}")
    for size in args.scale:
        url = args.database_url or f"sqlite:///{work / f'bench-{size}.sqlite'}"
        began = time.perf_counter()
        counts = populate(url, size, work)
        contacts = counts.get("outreach_contacts", 0)
        print(f"# populated {size} communities, {contacts} contacts in {time.perf_counter() - began:.1f}s",
              flush=True)
        for mode in args.modes:
            out = work / f"out-{size}-{mode}"
            result = subprocess.run([sys.executable, __file__, "--child", url, mode, str(out)], check=True,
                                    capture_output=True, text=True, cwd=ROOT, env={**os.environ})
            figures = json.loads(result.stdout.strip().splitlines()[-1])
            print(f"{size:>11} {contacts:>9} {mode:>4} {figures['seconds']:>8} {figures['cpu_seconds']:>7} "
                  f"{sum(figures['rows'].values()):>9} "
                  f"{figures['baseline_rss_mb']:>9}MB {figures['peak_rss_mb']:>10}MB {figures['max_rss_mb']:>8}MB "
                  f"{figures['bytes'] / 1e6:>7.1f}MB", flush=True)


if __name__ == "__main__":
    main()
