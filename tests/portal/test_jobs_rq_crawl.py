"""A crawl of the sample web through a REAL `rq worker`, whole and split across workers."""
# ruff: noqa: F811  (fixtures imported by name)
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Candidate, CrawlRun, Job
from portal.urlkeys import url_key
from tests.discovery_support import LEWES_PROFILE, sample_web  # noqa: F401
from tests.portal.test_jobs_rq import _job, _run_burst, _worker, rq_app  # noqa: F401

pytestmark = [pytest.mark.redis, pytest.mark.slow]
MAX_PAGES = 150


@pytest.fixture
def lewes(area):
    area.profile = LEWES_PROFILE
    db.session.commit()
    return area


def _candidates(area_id: int) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Candidate.id)).where(Candidate.area_id == area_id))


def test_a_crawl_runs_on_a_real_rq_worker(rq_app, lewes, sample_web):
    from portal.discovery.runs import start_run

    run = start_run(lewes, sample_web.seeds, None, allow_private=(sample_web.allow_private,),
                    max_pages=MAX_PAGES, max_depth=2)
    run_id, job_id = run.id, run.job_id
    assert _job(job_id).status == "queued"
    assert db.session.get(CrawlRun, run_id).status == "queued"
    _run_burst(rq_app)
    db.session.expire_all()
    run = db.session.get(CrawlRun, run_id)
    job = _job(job_id)
    assert (job.status, job.kind, job.attempts) == ("done", "crawl", 1)
    assert run.status == "done"
    assert 0 < run.pages_fetched <= MAX_PAGES
    # Every site found is a candidate but the seeds' own: sources, not candidates (issue 23.5).
    assert run.sites_found > 5
    assert run.sites_found - len(sample_web.seeds) <= _candidates(lewes.id) < run.sites_found


def test_one_crawl_split_by_seed_over_two_workers_has_no_duplicates(rq_app, lewes, sample_web):
    """start_split_run fans out one run per seed group; sites reached from two parts are stored once."""
    from portal.discovery.runs import start_split_run

    seeds = [f"{base}/" for base in sorted(sample_web.urls.values())]
    runs = start_split_run(lewes, seeds, None, parts=4, allow_private=(sample_web.allow_private,),
                           max_pages=MAX_PAGES, max_depth=1)
    run_ids = [r.id for r in runs]
    assert len(runs) >= 2
    assert {r.status for r in runs} == {"queued"}
    parent_id = _job(runs[0].job_id).parent_id
    workers = [_worker(rq_app), _worker(rq_app)]
    for proc in workers:
        assert proc.wait(timeout=300) == 0
    parent = _job(parent_id)
    assert (parent.status, parent.progress, parent.total) == ("done", len(runs), len(runs))
    db.session.expire_all()
    assert {db.session.get(CrawlRun, run_id).status for run_id in run_ids} == {"done"}
    keys = db.session.scalars(select(Candidate.site_key).where(Candidate.area_id == lewes.id)).all()
    # All the crawl's seed sites are sources in every part; the links they share are stored once.
    assert len(keys) == len(set(keys)) > 0
    assert not set(keys) & {url_key(seed) for seed in seeds}
    children = db.session.scalars(select(Job).where(Job.parent_id == parent_id)).all()
    assert {c.status for c in children} == {"done"}
    assert {c.payload["args"][0] for c in children} == set(run_ids)
