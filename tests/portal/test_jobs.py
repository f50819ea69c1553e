"""Background jobs in-process: records, retries, progress, fan-out/fan-in, recovery."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import jobs, jobs_recovery
from portal.extensions import db
from portal.models import Candidate, Job, utcnow

DUMMY = "tests.portal.jobs_dummy"


def _job(job_id: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_inline_job_is_recorded_with_its_result(app):
    job_id = jobs.enqueue(f"{DUMMY}:add", 2, 3, kind="sum")
    job = _job(job_id)
    assert (job.status, job.kind, job.attempts) == ("done", "sum", 1)
    assert job.result == {"sum": 5, "job_id": job_id}
    assert (job.progress, job.total, job.message) == (1, 1, "added")
    assert job.payload["args"] == [2, 3]
    assert job.finished_at is not None


def test_arguments_must_be_json(app):
    with pytest.raises(TypeError, match="JSON"):
        jobs.enqueue(f"{DUMMY}:add", object(), 1)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_failing_job_is_retried_then_marked_failed(app):
    with pytest.raises(RuntimeError, match="boom"):
        jobs.enqueue(f"{DUMMY}:always_fails", "boom", max_attempts=2)
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.attempts) == ("failed", 2)
    assert job.message == "RuntimeError: boom"


def test_a_flaky_job_succeeds_on_its_second_attempt(app):
    job = _job(jobs.enqueue(f"{DUMMY}:fails_first_attempt"))
    assert (job.status, job.attempts, job.result) == ("done", 2, {"attempt": 2})


def test_thread_pool_runs_jobs_when_not_inline(app):
    app.config["JOBS_INLINE"] = False
    job_id = jobs.enqueue(f"{DUMMY}:add", 40, 2)
    deadline = time.monotonic() + 20
    while _job(job_id).status != "done" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _job(job_id).result["sum"] == 42
    app.extensions[jobs.EXECUTOR_KEY].shutdown(wait=True)


def test_a_job_is_claimed_once(app):
    job_id = jobs.enqueue(f"{DUMMY}:add", 1, 1)
    # A second delivery of the same job (e.g. RQ retrying an abandoned job) is skipped.
    assert jobs._execute(app, job_id) == ("skipped", None, None)
    assert _job(job_id).attempts == 1


def test_shard_is_stable_and_disjoint():
    sites = [f"site{n}.example" for n in range(200)]
    groups = jobs.shard(sites, 4)
    assert len(groups) == 4
    assert sorted(s for g in groups for s in g) == sorted(sites)
    assert groups == jobs.shard(list(sites), 4)
    assert jobs.shard(["one"], 8) == [["one"]]
    assert jobs.shard([], 3) == []


def test_fan_out_and_fan_in_without_duplicates(app, area):
    sites = [f"s{n}.example" for n in range(30)]
    # Overlapping parts (as when a crawl is split by seed and two seeds reach one site).
    parts = [[area.id, group + sites[:5]] for group in jobs.shard(sites, 3)]
    parent_id = jobs.enqueue_many(f"{DUMMY}:upsert_sites", parts, kind="crawl-part",
                                  then=(f"{DUMMY}:count_sites", [area.id]))
    parent = _job(parent_id)
    assert (parent.status, parent.progress, parent.total) == ("done", 3, 3)
    assert parent.result == {"parts": 3, "failed": 0}
    children = db.session.scalars(select(Job).where(Job.parent_id == parent_id)).all()
    assert len(children) == 3
    assert {c.status for c in children} == {"done"}
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 30
    finals = db.session.scalars(select(Job).where(Job.payload["func"].as_string() == f"{DUMMY}:count_sites")).all()
    assert len(finals) == 1
    assert finals[0].result == {"candidates": 30, "parts_done": 3, "parent_status": "done"}


def test_fan_out_parent_fails_when_a_part_fails(app):
    with pytest.raises(RuntimeError):
        jobs.enqueue_many(f"{DUMMY}:always_fails", [["x"]], kind="part", max_attempts=1)
    db.session.expire_all()
    parent = db.session.scalars(select(Job).where(Job.parent_id.is_(None))).one()
    assert (parent.status, parent.message) == ("failed", "1 of 1 parts failed")


def test_empty_fan_out_closes_at_once(app, area):
    parent_id = jobs.enqueue_many(f"{DUMMY}:upsert_sites", [], kind="part",
                                  then=(f"{DUMMY}:count_sites", [area.id]))
    assert _job(parent_id).status == "done"


def _interrupted_job(attempts: int, max_attempts: int = 3) -> str:
    """A job whose worker died mid-run: running, with an old heartbeat."""
    old = utcnow() - timedelta(minutes=30)
    job = Job(id=f"dead{attempts}", kind="add", status="running", attempts=attempts, max_attempts=max_attempts,
              payload={"func": f"{DUMMY}:add", "args": [1, 2], "kwargs": {}}, started_at=old,
              heartbeat_at=old, result={})
    db.session.add(job)
    db.session.commit()
    return job.id


def test_recover_requeues_a_job_whose_worker_died(app):
    job_id = _interrupted_job(attempts=1)
    fresh = jobs.enqueue(f"{DUMMY}:add", 5, 5)  # done: never touched
    assert jobs_recovery.recover_stale(stale_after=300) == [job_id]
    job = _job(job_id)
    assert (job.status, job.attempts, job.result["sum"]) == ("done", 2, 3)
    assert _job(fresh).attempts == 1


def test_recover_marks_a_job_out_of_attempts_failed(app):
    job_id = _interrupted_job(attempts=3)
    assert jobs_recovery.recover_stale(stale_after=300) == []
    job = _job(job_id)
    assert job.status == "failed"
    assert "no attempts left" in job.message


def test_recover_leaves_a_live_job_alone(app):
    job_id = _interrupted_job(attempts=1)
    db.session.get(Job, job_id).heartbeat_at = utcnow()
    db.session.commit()
    assert jobs_recovery.recover_stale(stale_after=300) == []
    assert _job(job_id).status == "running"


def test_jobs_cli_lists_and_recovers(app, runner):
    _interrupted_job(attempts=1)
    result = runner.invoke(args=["jobs", "recover", "--stale-after", "60"])
    assert "Re-queued 1 job(s). dead1" in result.output
    listing = runner.invoke(args=["jobs", "list"]).output
    assert "dead1" in listing
    assert "done" in listing
    assert "attempt 2/3" in listing


def test_run_job_accepts_a_function_path_for_cron(app):
    # rq cron (portal/auditor/cron.py) puts run_job("module.function", *args) on the queue.
    assert jobs.run_job(f"{DUMMY}.add", 4, 5)["result"]["sum"] == 9
    db.session.expire_all()
    job = db.session.scalars(select(Job)).one()
    assert (job.status, job.kind, job.attempts) == ("done", "add", 1)


def test_a_lost_attempt_is_recorded_for_a_retry_then_as_failed(app, caplog):
    """What RQ's failure callback does for a job whose worker died (the row still says running)."""
    job_id = _interrupted_job(attempts=1, max_attempts=2)
    with caplog.at_level("WARNING", logger="portal.jobs"):
        assert jobs.attempt_lost(app, job_id, "the worker stopped mid-run") == "retrying"
    assert (_job(job_id).status, _job(job_id).message) == ("retrying", "the worker stopped mid-run")
    assert [r.getMessage() for r in caplog.records] == [f"job {job_id}: the worker stopped mid-run; now retrying"]
    assert jobs.attempt_lost(app, job_id, "again") is None  # only a running row is changed
    db.session.get(Job, job_id).status, db.session.get(Job, job_id).attempts = "running", 2
    db.session.commit()
    assert jobs.attempt_lost(app, job_id, "the worker stopped mid-run") == "failed"
    assert _job(job_id).finished_at is not None


def test_the_failure_callback_never_raises(app, caplog, monkeypatch):
    class Lost:
        id = "no-such-job"

    jobs.record_failed_attempt(Lost(), None, RuntimeError, RuntimeError("x"), None)  # no row: nothing to do

    def database_down(*args):
        raise ConnectionError("database down")

    monkeypatch.setattr(jobs, "attempt_lost", database_down)
    with caplog.at_level("ERROR", logger="portal.jobs"):
        jobs.record_failed_attempt(Lost(), None, RuntimeError, RuntimeError("x"), None)
    assert [r.getMessage() for r in caplog.records] == ["could not record the failed attempt of job no-such-job"]


def test_a_failing_job_is_logged_without_its_arguments(app, caplog):
    with caplog.at_level("ERROR", logger="portal.jobs"), pytest.raises(RuntimeError):
        jobs.enqueue(f"{DUMMY}:always_fails", "secret-argument", max_attempts=1)
    record = caplog.records[-1]
    first, *frames = record.getMessage().splitlines()
    assert (record.levelname, first) == (
        "ERROR", f"job {db.session.scalars(select(Job.id)).one()} ({DUMMY}:always_fails) failed: RuntimeError")
    assert any("raise RuntimeError(reason)" in line for line in frames)  # where it failed, for the reader
    assert "secret-argument" not in caplog.text  # what it failed with may be personal: the row keeps it
    assert db.session.scalars(select(Job.message)).one() == "RuntimeError: secret-argument"


def test_recovery_logs_what_it_re_queued(app, caplog):
    job_id = _interrupted_job(attempts=3)
    with caplog.at_level("WARNING", logger="portal.jobs_recovery"):
        jobs_recovery.recover_stale(stale_after=300)
    assert f"job {job_id} (add) was interrupted while running; no attempts left" in caplog.text
