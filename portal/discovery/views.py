"""Discovery views: the start page, starting a crawl run, watching and cancelling it."""
from __future__ import annotations

from flask import current_app, flash, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import htmx
from portal.access import allow, get_in_area
from portal.discovery import bp
from portal.discovery.candidates import status_counts
from portal.discovery.forms import CrawlRunForm
from portal.discovery.runs import ACTIVE, FINISHED, progress_fraction, recover_stale_runs, request_cancel
from portal.discovery.runs import rerun as rerun_crawl
from portal.discovery.runs import start_run, visible_runs
from portal.discovery.sample_web import sample_seeds
from portal.extensions import db
from portal.models import Area, Candidate, CrawlRun

ROLES = ("officer", "supervisor", "admin")


def areas_for(user) -> list[Area]:
    """Areas the user may crawl and review: their own, or every area for an admin."""
    return Area.ordered() if user.role == "admin" else sorted(user.areas, key=lambda a: a.name)


def run_form() -> CrawlRunForm:
    config = current_app.config
    form = CrawlRunForm()
    form.area.choices = [(a.id, a.name) for a in areas_for(current_user)]
    if not form.is_submitted():
        form.seeds.data = "\n".join(sample_seeds(current_app))
        form.max_pages.data, form.max_depth.data = config["CRAWL_MAX_PAGES"], config["CRAWL_MAX_DEPTH"]
        form.max_site_hops.data = config["CRAWL_MAX_SITE_HOPS"]
    return form


def get_run(run_id: int) -> CrawlRun:
    return get_in_area(CrawlRun, run_id)


def _index(form: CrawlRunForm, status: int = 200):
    runs = db.session.scalars(visible_runs(current_user).limit(20)).all()
    response = htmx.render("discovery/index.html", form=form, runs=runs, sample_web=bool(sample_seeds(current_app)),
                           counts=status_counts(current_user, None))
    response.status_code = status
    return response


@bp.get("/discovery")
@allow(*ROLES)
def index():
    recover_stale_runs()
    return _index(run_form())


@bp.post("/discovery/runs")
@allow(*ROLES)
def start():
    form = run_form()
    if not form.validate_on_submit():
        return _index(form, 422)
    area = db.get_or_404(Area, form.area.data)
    run = start_run(area, form.seed_list, current_user, max_pages=form.max_pages.data,
                    max_depth=form.max_depth.data, max_site_hops=form.max_site_hops.data)
    return htmx.redirect(url_for("discovery.run_detail", run_id=run.id))


@bp.get("/discovery/runs/<int:run_id>")
@allow(*ROLES)
def run_detail(run_id: int):
    run = get_run(run_id)
    if run.status in ACTIVE and recover_stale_runs():
        db.session.refresh(run)
    found = db.session.scalar(select(db.func.count(Candidate.id)).where(Candidate.crawl_run_id == run.id))
    response = htmx.render("discovery/run.html", block="progress", run=run, bar=progress_fraction(run),
                           found=found, finished=run.status in FINISHED)
    if run.status in FINISHED and htmx.is_fragment_request():
        htmx.stop_polling(response)
    return response


@bp.post("/discovery/runs/<int:run_id>/cancel")
@allow(*ROLES)
def cancel(run_id: int):
    run = get_run(run_id)
    if run.status in ACTIVE:
        request_cancel(run, current_user)
        flash("Stopping the crawl. Sites already found are kept.", "success")
    return htmx.redirect(url_for("discovery.run_detail", run_id=run.id))


@bp.post("/discovery/runs/<int:run_id>/rerun")
@allow(*ROLES)
def rerun(run_id: int):
    run = get_run(run_id)
    new_run = rerun_crawl(run, current_user)
    return htmx.redirect(url_for("discovery.run_detail", run_id=new_run.id))
