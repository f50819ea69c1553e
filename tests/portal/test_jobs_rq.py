"""Jobs through a REAL `rq worker` process on the local Redis, sharing the test database."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import jobs, jobs_recovery
from portal.extensions import db
from portal.models import Candidate, Job

pytestmark = [pytest.mark.redis, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]
RQ = str(Path(sys.executable).with_name("rq"))
DUMMY = "tests.portal.jobs_dummy"


@pytest.fixture
def rq_app(app, app_config, redis_url):
    """The app fixture, sending jobs to a queue of this test's own on the test Redis."""
    name = f"local-reach-test-{uuid.uuid4().hex[:10]}"
    app.config.update(REDIS_URL=redis_url, JOBS_INLINE=False, RQ_QUEUE=name)
    app.extensions["test_rq_env"] = {
        **os.environ, "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"], "REDIS_URL": redis_url,
        "RQ_QUEUE": name, "SECRET_KEY": "test-secret-key", "JOBS_HEARTBEAT_SECONDS": "1",
        "PYTHONPATH": str(ROOT),
    }
    yield app
    conn = jobs.redis_connection(app)
    ids = list(db.session.scalars(select(Job.id)))
    patterns = [f"*{name}*"] + [f"rq:*{job_id}*" for job_id in ids]
    for pattern in patterns:
        keys = list(conn.scan_iter(match=pattern, count=1000))
        if keys:
            conn.delete(*keys)
    for index in ("rq:queues", "rq:workers"):
        stale = [m for m in conn.smembers(index) if name.encode() in m]
        if stale:
            conn.srem(index, *stale)


def _worker(app, burst: bool = True, **kwargs) -> subprocess.Popen:
    env = app.extensions["test_rq_env"]
    worker_name = f"{env['RQ_QUEUE']}-{uuid.uuid4().hex[:6]}"  # found by the clean-up
    args = [RQ, "worker", "--url", env["REDIS_URL"], "--path", str(ROOT), "--logging_level", "WARNING",
            "--name", worker_name]
    if burst:
        args.append("--burst")
    return subprocess.Popen([*args, env["RQ_QUEUE"]], cwd=ROOT, env=env, **kwargs)


def _run_burst(app) -> None:
    proc = _worker(app)
    assert proc.wait(timeout=120) == 0


def _promote_scheduled(app) -> list[str]:
    """Queue RQ's scheduled retries now instead of after their interval (burst workers have no scheduler)."""
    from rq.registry import ScheduledJobRegistry

    queue = jobs.queue(app)
    registry = ScheduledJobRegistry(queue=queue)
    ids = registry.get_job_ids()
    for job_id in ids:
        queue.enqueue_job(queue.fetch_job(job_id))
        registry.remove(job_id)
    return ids


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _job(job_id: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_real_rq_worker_runs_a_job(rq_app):
    job_id = jobs.enqueue(f"{DUMMY}:add", 20, 22, kind="sum")
    assert _job(job_id).status == "queued"  # nothing ran in this process
    assert jobs.queue(rq_app).count == 1
    _run_burst(rq_app)
    job = _job(job_id)
    assert (job.status, job.attempts, job.result) == ("done", 1, {"sum": 42, "job_id": job_id})
    assert job.progress == 1
    assert job.message == "added"


def test_rq_retries_a_failing_job(rq_app):
    job_id = jobs.enqueue(f"{DUMMY}:fails_first_attempt")
    _run_burst(rq_app)  # attempt 1 fails; RQ schedules the retry (10 s interval)
    assert _job(job_id).status == "retrying"
    assert _promote_scheduled(rq_app) == [job_id]
    _run_burst(rq_app)
    job = _job(job_id)
    assert (job.status, job.attempts, job.result) == ("done", 2, {"attempt": 2})


def test_fan_out_over_real_workers_without_duplicates(rq_app, area):
    sites = [f"w{n}.example" for n in range(40)]
    parts = [[area.id, group + sites[:6]] for group in jobs.shard(sites, 4)]
    parent_id = jobs.enqueue_many(f"{DUMMY}:upsert_sites", parts, kind="crawl-part",
                                  then=(f"{DUMMY}:count_sites", [area.id]))
    # Two workers drain the queue concurrently; overlapping sites may collide on the unique
    # (area_id, site_key) constraint, and the retried part then skips what is already there.
    workers = [_worker(rq_app), _worker(rq_app)]
    for proc in workers:
        assert proc.wait(timeout=120) == 0
    deadline = time.monotonic() + 60
    while _job(parent_id).status == "waiting" and time.monotonic() < deadline:
        _promote_scheduled(rq_app)  # a part that collided was scheduled for a retry
        _run_burst(rq_app)
    parent = _job(parent_id)
    assert (parent.status, parent.progress) == ("done", len(parts))
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 40
    _run_burst(rq_app)  # the fan-in job
    final = db.session.scalars(select(Job).where(Job.kind == "crawl-part", Job.parent_id.is_(None),
                                                 Job.id != parent_id)).one()
    assert final.result == {"candidates": 40, "parts_done": len(parts), "parent_status": "done"}


def test_a_job_whose_worker_was_killed_is_retried_by_rq(rq_app):
    from rq.registry import StartedJobRegistry

    job_id = jobs.enqueue(f"{DUMMY}:hangs_first_attempt", 90)
    proc = _worker(rq_app, burst=False, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while _job(job_id).status != "running" and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _job(job_id).status == "running"
    finally:
        # Kill the worker and its work horse (RQ puts the horse in a session of its own), mid-job.
        for pid in [*_children(proc.pid), proc.pid]:
            os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=30)
    # RQ counts the job as started until the dead worker's heartbeat expires, so recovery
    # leaves it to RQ rather than sending it a second time.
    assert jobs_recovery.recover_stale(stale_after=0) == []
    assert _job(job_id).status == "running"
    # RQ's registry clean-up, as a live worker's maintenance runs it once that heartbeat has
    # expired (an hour ahead here instead of waiting): the failure callback records the lost
    # attempt and RQ schedules its retry.
    StartedJobRegistry(queue=jobs.queue(rq_app)).cleanup(timestamp=time.time() + 3600)
    job = _job(job_id)
    assert (job.status, job.message) == ("retrying", "the worker stopped mid-run (AbandonedJobError)")
    assert _promote_scheduled(rq_app) == [job_id]
    _run_burst(rq_app)
    job = _job(job_id)
    assert (job.status, job.attempts, job.result) == ("done", 2, {"attempt": 2})


def test_recovery_re_sends_a_job_that_redis_lost(rq_app):
    from datetime import timedelta

    from portal.models import utcnow

    old = utcnow() - timedelta(minutes=30)
    db.session.add(Job(id=uuid.uuid4().hex, kind="add", status="running", attempts=1, max_attempts=3,
                       payload={"func": f"{DUMMY}:add", "args": [1, 2], "kwargs": {}}, started_at=old,
                       heartbeat_at=old, result={}))
    db.session.commit()
    job_id = db.session.scalars(select(Job.id)).one()
    assert jobs_recovery.recover_stale(stale_after=300) == [job_id]
    assert jobs.queue(rq_app).count == 1
    assert jobs_recovery.recover_stale(stale_after=0) == []  # queued on RQ now: left to RQ
    _run_burst(rq_app)
    job = _job(job_id)
    assert (job.status, job.attempts, job.result["sum"]) == ("done", 2, 3)


def test_the_research_package_builds_on_an_rq_worker_and_is_audited_once(rq_app, area, users, tmp_path):
    """The web's export job, delivered through Redis to a real worker process."""
    from portal.models import AuditEvent
    from portal.research import export_job
    from portal.research.export import ExportOptions
    from tests.portal.outreach_factories import make_community, make_contact
    from tests.portal.research_support import make_project

    folder = tmp_path / "exports"
    rq_app.config["EXPORT_FOLDER"] = str(folder)
    rq_app.extensions["test_rq_env"].update(EXPORT_FOLDER=str(folder), PSEUDONYM_KEY="test-pseudonym-key")
    community = make_community(area)
    make_contact(community, users["officer"], days_ago=3)
    project = make_project(users["researcher"])
    options, problems = ExportOptions.build(None, None, None, False, users["researcher"], project)
    assert problems == []
    with rq_app.test_request_context():
        job_id = export_job.start(options, users["researcher"])
    _run_burst(rq_app)
    db.session.expire_all()
    job = db.session.get(Job, job_id)
    assert job.status == "done", job.message
    assert job.result["counts"]["communities"] == 1
    assert (folder / f"{job_id}.zip").exists()
    audits = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")))
    assert len(audits) == 1
    assert audits[0].actor_id == users["researcher"].id
