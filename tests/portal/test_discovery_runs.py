"""Crawl runs from the portal: start, progress, cancel, interrupted, re-run, the command line."""
# ruff: noqa: F811  (fixtures imported from tests.discovery_support are parameters by name)
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.discovery import jobs as discovery_jobs
from portal.models import AuditEvent, Candidate, CrawlRun, utcnow
from portal.urlkeys import url_key
from tests.discovery_support import TEST_MAX_PAGES, crawl_config, lewes_area, sample_web  # noqa: F401

pytestmark = pytest.mark.usefixtures("crawl_config")


def _start(client, area, seeds, **extra):
    data = {"area": area.id, "seeds": "\n".join(seeds), "max_pages": TEST_MAX_PAGES, "max_depth": 2,
            "max_site_hops": 3, **extra}
    return client.post("/discovery/runs", data=data)


def _candidates(db_session, area_id):
    return db_session.scalar(select(func.count(Candidate.id)).where(Candidate.area_id == area_id))


def test_start_page_offers_the_form_with_configured_limits(client, auth):
    auth.login("officer")
    page = client.get("/discovery")
    assert page.status_code == 200
    assert b'name="seeds"' in page.data
    assert f'value="{TEST_MAX_PAGES}"'.encode() in page.data


def test_a_crawl_started_from_the_form_runs_and_stores_ranked_candidates(client, auth, lewes_area, sample_web,
                                                                         db_session):
    auth.login("officer")
    response = _start(client, lewes_area, sample_web.seeds)
    assert response.status_code == 303
    run = db_session.scalars(select(CrawlRun)).one()
    assert response.headers["Location"].endswith(f"/discovery/runs/{run.id}")
    assert run.status == "done"
    assert run.started_at
    assert run.finished_at
    assert run.heartbeat_at
    assert 0 < run.pages_fetched <= TEST_MAX_PAGES
    assert run.sites_found > 5
    assert run.feeds_found > 0
    assert run.settings["allow_private"] == [sample_web.allow_private]
    stored = db_session.scalars(select(Candidate).order_by(Candidate.locality_score.desc())).all()
    # Every site found is a candidate except the seeds' own sites: sources, not candidates (issue 23.5).
    assert run.sites_found - len(sample_web.seeds) <= len(stored) < run.sites_found
    assert all(c.crawl_run_id == run.id and c.status == "new" for c in stored)
    assert stored[0].locality_score >= 0.5
    assert stored[0].locality_evidence
    assert {"Facebook", "Nextdoor"} & {c.platform for c in stored}, "closed-platform links are candidates"
    assert db_session.scalar(select(AuditEvent).where(AuditEvent.object_type == "CrawlRun"))


def test_run_goes_queued_then_running_then_done(client, auth, lewes_area, sample_web, db_session, monkeypatch):
    queued = []
    monkeypatch.setattr("portal.jobs.enqueue", lambda path, *args, **kw: queued.append((path, args)) or "job-1")
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds)
    run = db_session.scalars(select(CrawlRun)).one()
    assert run.status == "queued"
    assert queued == [("portal.discovery.jobs.run_crawl", (run.id,))]
    seen = []
    real_progress = discovery_jobs.RunTracker.progress

    def spy(tracker, progress):
        real_progress(tracker, progress)
        seen.append(db_session.scalar(select(CrawlRun.status).where(CrawlRun.id == run.id)))
        db_session.commit()

    monkeypatch.setattr(discovery_jobs.RunTracker, "progress", spy)
    assert discovery_jobs.run_crawl(run.id) == "done"
    assert seen
    assert set(seen) == {"running"}
    db_session.refresh(run)
    assert run.status == "done"
    # Running the job again (a retry, a duplicate enqueue) changes nothing.
    count = _candidates(db_session, lewes_area.id)
    assert discovery_jobs.run_crawl(run.id) == "done"
    assert _candidates(db_session, lewes_area.id) == count


def test_progress_fragment_polls_while_running_and_stops_with_286_when_done(client, auth, lewes_area, db_session):
    run = CrawlRun(area_id=lewes_area.id, seeds=["http://x.example/"], settings={}, status="running",
                   pages_fetched=40, pages_planned=160, heartbeat_at=utcnow())
    db_session.add(run)
    db_session.commit()
    auth.login("officer")
    fragment = client.get(f"/discovery/runs/{run.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b"<html" not in fragment.data
    assert b'hx-trigger="every 1s"' in fragment.data
    assert b'max="160" value="40"' in fragment.data
    run.status, run.pages_fetched = "done", 150
    db_session.commit()
    finished = client.get(f"/discovery/runs/{run.id}", headers={"HX-Request": "true"})
    assert finished.status_code == 286
    assert b"hx-trigger" not in finished.data
    assert b'max="160" value="160"' in finished.data
    page = client.get(f"/discovery/runs/{run.id}")
    assert page.status_code == 200
    assert b"<html" in page.data
    assert b"Review 0 sites found" in page.data


def test_cancel_a_queued_run_stops_it_before_it_starts(client, auth, lewes_area, sample_web, db_session,
                                                       monkeypatch):
    monkeypatch.setattr("portal.jobs.enqueue", lambda *a, **k: "job-1")
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds)
    run = db_session.scalars(select(CrawlRun)).one()
    assert client.post(f"/discovery/runs/{run.id}/cancel").status_code == 303
    db_session.refresh(run)
    assert run.status == "cancelled"
    assert run.cancel_requested
    assert discovery_jobs.run_crawl(run.id) == "cancelled"
    assert _candidates(db_session, lewes_area.id) == 0


def test_cancel_a_running_crawl_stops_it_early_and_keeps_what_it_found(client, auth, lewes_area, sample_web,
                                                                       db_session, monkeypatch):
    monkeypatch.setattr("portal.jobs.enqueue", lambda *a, **k: "job-1")
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds)
    run = db_session.scalars(select(CrawlRun)).one()
    real_progress = discovery_jobs.RunTracker.progress

    def cancel_on_first_progress(tracker, progress):
        real_progress(tracker, progress)
        if progress.pages_fetched:  # the officer presses Stop while pages are coming in
            response = client.post(f"/discovery/runs/{run.id}/cancel")
            assert response.status_code == 303

    monkeypatch.setattr(discovery_jobs.RunTracker, "progress", cancel_on_first_progress)
    discovery_jobs.WRITE_EVERY, saved = 0.0, discovery_jobs.WRITE_EVERY
    try:
        assert discovery_jobs.run_crawl(run.id) == "cancelled"
    finally:
        discovery_jobs.WRITE_EVERY = saved
    db_session.refresh(run)
    assert run.status == "cancelled"
    assert run.pages_fetched < TEST_MAX_PAGES


def test_a_run_with_a_stale_heartbeat_is_marked_interrupted(client, auth, lewes_area, db_session):
    stale = CrawlRun(area_id=lewes_area.id, seeds=["http://x.example/"], settings={}, status="running",
                     heartbeat_at=utcnow() - timedelta(minutes=30))
    alive = CrawlRun(area_id=lewes_area.id, seeds=["http://x.example/"], settings={}, status="running",
                     heartbeat_at=utcnow())
    db_session.add_all([stale, alive])
    db_session.commit()
    auth.login("officer")
    response = client.get(f"/discovery/runs/{stale.id}", headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert b"Interrupted" in response.data
    db_session.refresh(stale)
    db_session.refresh(alive)
    assert stale.status == "interrupted"
    assert stale.finished_at
    assert alive.status == "running"


def test_crawl_recover_command_marks_stale_runs_and_all_with_the_flag(runner, lewes_area, db_session):
    stale = CrawlRun(area_id=lewes_area.id, seeds=[], settings={}, status="running",
                     heartbeat_at=utcnow() - timedelta(hours=1))
    alive = CrawlRun(area_id=lewes_area.id, seeds=[], settings={}, status="running", heartbeat_at=utcnow())
    db_session.add_all([stale, alive])
    db_session.commit()
    result = runner.invoke(args=["crawl", "recover"])
    assert result.exit_code == 0
    assert "Marked 1 run(s) interrupted" in result.output
    result = runner.invoke(args=["crawl", "recover", "--all"])
    assert "Marked 1 run(s) interrupted" in result.output
    db_session.expire_all()
    assert {stale.status, alive.status} == {"interrupted"}


def test_running_again_updates_candidates_without_duplicates(client, auth, lewes_area, sample_web, db_session,
                                                              app):
    app.config["CRAWL_MIN_INTERVAL_HOURS"] = 0  # no re-crawl interval: the second run fetches everything again
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds)
    first = db_session.scalars(select(CrawlRun)).one()
    count = _candidates(db_session, lewes_area.id)
    response = client.post(f"/discovery/runs/{first.id}/rerun")
    assert response.status_code == 303
    second = db_session.scalars(select(CrawlRun).where(CrawlRun.id != first.id)).one()
    assert second.status == "done"
    assert second.seeds == first.seeds
    assert _candidates(db_session, lewes_area.id) == count
    rows = db_session.scalars(select(Candidate)).all()
    assert len({c.site_key for c in rows}) == len(rows)
    assert {c.crawl_run_id for c in rows} == {second.id}


def test_a_run_soon_after_another_leaves_recently_crawled_sites_alone(client, auth, lewes_area, sample_web,
                                                                     db_session, app):
    """The minimum re-crawl interval (24 h by default) holds for every crawl run, of any area."""
    assert app.config["CRAWL_MIN_INTERVAL_HOURS"] == 24
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds)
    first = db_session.scalars(select(CrawlRun)).one()
    before = {c.site_key: (c.crawl_run_id, c.updated_at) for c in db_session.scalars(select(Candidate))}
    assert first.pages_fetched > 0
    assert before
    response = _start(client, lewes_area, sample_web.seeds)
    assert response.status_code == 303
    second = db_session.scalars(select(CrawlRun).where(CrawlRun.id != first.id)).one()
    assert second.status == "done"
    assert second.pages_fetched == 0
    assert second.settings["sites_skipped_recent"] == len(sample_web.seeds)  # only the seeds were met
    db_session.expire_all()
    after = {c.site_key: (c.crawl_run_id, c.updated_at) for c in db_session.scalars(select(Candidate))}
    assert after == before
    page = client.get(f"/discovery/runs/{second.id}").data.decode()
    assert 'data-testid="sites-skipped"' in page
    assert "3 sites crawled in the last 24 hours" in page
    app.config["CRAWL_MIN_INTERVAL_HOURS"] = 0
    _start(client, lewes_area, sample_web.seeds)
    third = db_session.scalars(select(CrawlRun).order_by(CrawlRun.id.desc())).first()
    assert third.pages_fetched > 0
    assert "sites_skipped_recent" not in third.settings


def test_seeds_on_private_addresses_are_refused_unless_configured(client, auth, lewes_area, sample_web,
                                                                  db_session, app):
    app.config["CRAWL_ALLOW_PRIVATE"] = []
    auth.login("officer")
    served_before = len(sample_web.requests)
    _start(client, lewes_area, sample_web.seeds)
    run = db_session.scalars(select(CrawlRun)).one()
    assert run.status == "done"
    assert run.settings["allow_private"] == []
    assert run.pages_fetched == 0
    assert _candidates(db_session, lewes_area.id) == 0
    assert len(sample_web.requests) == served_before, "the loopback sample web was contacted"


def test_bad_seeds_are_explained_and_nothing_is_started(client, auth, lewes_area, db_session):
    auth.login("officer")
    response = _start(client, lewes_area, ["javascript:alert(1)", "ftp://x.example/"])
    assert response.status_code == 422
    assert b"not web addresses" in response.data
    assert b"ftp://x.example/" in response.data
    assert db_session.scalar(select(func.count(CrawlRun.id))) == 0


def test_limits_cannot_exceed_the_configuration(client, auth, lewes_area, db_session, monkeypatch):
    monkeypatch.setattr("portal.jobs.enqueue", lambda *a, **k: "job-1")
    auth.login("officer")
    _start(client, lewes_area, ["https://council.example/"], max_pages=50_000)
    assert db_session.scalars(select(CrawlRun)).one().settings["max_pages"] == TEST_MAX_PAGES


def test_officers_cannot_see_or_start_runs_for_other_areas(client, auth, lewes_area, db_session):
    from portal.areas import import_area

    other, _ = import_area({"name": "Elsewhere", "places": ["Nowhere"]}, slug="elsewhere")
    run = CrawlRun(area=other, seeds=[], settings={}, status="done")
    db_session.add(run)
    db_session.commit()
    auth.login("officer")
    assert client.get(f"/discovery/runs/{run.id}").status_code == 403
    assert client.post(f"/discovery/runs/{run.id}/cancel").status_code == 403
    assert client.post(f"/discovery/runs/{run.id}/rerun").status_code == 403
    response = _start(client, other, ["https://x.example/"])
    assert response.status_code == 422
    assert db_session.scalar(select(func.count(CrawlRun.id))) == 1
    assert b"Elsewhere" not in client.get("/discovery").data
    auth.logout()
    auth.login("researcher")
    assert client.get("/discovery").status_code == 403


def test_crawl_run_command(runner, lewes_area, sample_web, db_session, app):
    app.config["CRAWL_ALLOW_PRIVATE"] = []
    result = runner.invoke(args=["crawl", "run", "--area", lewes_area.slug, "--seed", sample_web.seeds[0],
                                 "--allow-private", sample_web.allow_private, "--max-pages", "60"])
    assert result.exit_code == 0, result.output
    run = db_session.scalars(select(CrawlRun)).one()
    assert f"Crawl run {run.id}: done" in result.output
    assert run.settings["allow_private"] == [sample_web.allow_private]
    assert run.settings["max_pages"] == 60
    # Every site found but the seed's own (a source, not a candidate).
    assert run.sites_found - 1 <= _candidates(db_session, lewes_area.id) <= run.sites_found
    assert _candidates(db_session, lewes_area.id) > 0
    bad = runner.invoke(args=["crawl", "run", "--area", "nowhere", "--seed", "https://x.example/"])
    assert bad.exit_code != 0
    assert "no area" in bad.output


def test_before_the_first_counters_the_bar_measures_against_the_page_limit(client, auth, lewes_area, db_session):
    run = CrawlRun(area_id=lewes_area.id, seeds=["http://x.example/"], settings={"max_pages": 150},
                   status="queued")
    db_session.add(run)
    db_session.commit()
    auth.login("officer")
    fragment = client.get(f"/discovery/runs/{run.id}", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert b'max="150" value="0"' in fragment.data


def test_crawl_run_command_splits_a_crawl_by_seed_site(runner, lewes_area, sample_web, db_session, app):
    """`--split N`: seeds partitioned by site over up to N runs; sites reached twice are stored once."""
    homes = sorted(sample_web.urls.values())
    seeds = [f"{base}/" for base in homes]
    args = ["crawl", "run", "--area", lewes_area.slug, "--max-pages", "20", "--max-depth", "0", "--split", "4"]
    for seed in seeds:
        args += ["--seed", seed]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    runs = db_session.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    # 32 sites hashed into 4 groups: every group is all but certain to be used.
    assert 2 <= len(runs) <= 4
    assert result.output.count(": done;") == len(runs)
    assert sorted(seed for run in runs for seed in run.seeds) == sorted(seeds)
    assert [run.settings["split"] for run in runs] == [{"part": i, "of": len(runs)} for i in range(1, len(runs) + 1)]
    assert all(run.job_id for run in runs)
    keys = db_session.scalars(select(Candidate.site_key).where(Candidate.area_id == lewes_area.id)).all()
    # The seeds' own sites are sources, not candidates (issue 23.5); the closed-platform links they
    # point at are, each stored once although several parts met them.
    assert len(keys) == len(set(keys)) > 0
    assert not set(keys) & {url_key(seed) for seed in seeds}
    assert sum(run.sites_found for run in runs) >= len(keys)


def test_split_keeps_every_seed_of_one_site_in_one_part(runner, lewes_area, sample_web, db_session):
    base = sample_web.urls[sorted(sample_web.urls)[0]]
    args = ["crawl", "run", "--area", lewes_area.slug, "--max-pages", "5", "--max-depth", "0", "--split", "8"]
    for path in ("/", "/about", "/contact", "/news"):
        args += ["--seed", base + path]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    runs = db_session.scalars(select(CrawlRun)).all()
    assert len(runs) == 1
    assert len(runs[0].seeds) == 4
    assert runs[0].settings["split"] == {"part": 1, "of": 1}


def test_bad_seeds_among_good_ones_are_shown_on_the_run_page_and_the_crawl_goes_on(client, auth, lewes_area,
                                                                                  sample_web, db_session):
    auth.login("officer")
    bad = ["http://127.000.000.001/", "http://0177.0.0.1/"]
    _start(client, lewes_area, [bad[0], *sample_web.seeds, bad[1]])
    run = db_session.scalars(select(CrawlRun)).one()
    assert run.status == "done", run.errors
    assert run.sites_found > 5, run.errors
    assert [(r["seed"], r["reason"]) for r in run.report["refused_seeds"]] == [(seed, "private") for seed in bad]
    for headers in ({}, {"HX-Request": "true"}):
        page = client.get(f"/discovery/runs/{run.id}", headers=headers).get_data(as_text=True)
        assert 'data-testid="refused-seeds"' in page
        assert "2 seeds could not be crawled" in page
        assert all(seed in page for seed in bad)
        assert "not a public address" in page
        assert 'data-testid="sites-visited"' in page


def test_a_run_says_which_limit_left_sites_out(client, auth, lewes_area, sample_web, db_session):
    auth.login("officer")
    _start(client, lewes_area, sample_web.seeds[:1], max_site_hops=0, max_pages=5)
    run = db_session.scalars(select(CrawlRun)).one()
    assert run.settings["max_site_hops"] == 0
    assert run.report["left_out"]["hops"] > 0
    assert run.report["sites_visited"] == 1
    page = client.get(f"/discovery/runs/{run.id}").get_data(as_text=True)
    assert 'data-testid="left-out-hops"' in page
    assert "more than 0 sites away from a seed" in page
    assert "A limit of this run, not the web, left these out" in page


def test_site_hops_are_offered_and_capped_by_the_configuration(client, auth, lewes_area, db_session, monkeypatch,
                                                               app):
    monkeypatch.setattr("portal.jobs.enqueue", lambda *a, **k: "job-1")
    auth.login("officer")
    app.config["CRAWL_MAX_SITE_HOPS"] = 2
    assert 'name="max_site_hops"' in client.get("/discovery").get_data(as_text=True)
    _start(client, lewes_area, ["https://council.example/"], max_site_hops=9)
    assert db_session.scalars(select(CrawlRun)).one().settings["max_site_hops"] == 2
    response = _start(client, lewes_area, ["https://council.example/"], max_site_hops=-1)
    assert response.status_code == 422
    assert "from 0 to 10" in response.get_data(as_text=True)


def test_a_run_from_before_site_hops_shows_its_old_limits(client, auth, lewes_area, db_session):
    run = CrawlRun(area_id=lewes_area.id, seeds=["http://x.example/"], status="done",
                   settings={"max_pages": 10, "max_depth": 2, "per_host": 2})
    db_session.add(run)
    db_session.commit()
    auth.login("officer")
    page = client.get(f"/discovery/runs/{run.id}").get_data(as_text=True)
    assert "at most 10 pages, 2 links deep, 2 at a time" in page
    assert 'data-testid="sites-visited"' not in page, "an old run has no report"
