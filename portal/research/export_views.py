"""The row-level package for approved research projects: ask for it, watch it build, download it."""
from __future__ import annotations

from flask import abort, flash, request, send_file, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow
from portal.extensions import db
from portal.models import ResearchProject
from portal.research import bp, export_job
from portal.research.export import ExportOptions
from portal.research.filters import area_choices
from portal.research.pages import RESEARCH_ROLES

FINISHED = frozenset({"done", "failed"})


def _page(status: int = 200, form: dict | None = None):
    response = htmx.render("research/export.html", projects=ResearchProject.open_for(current_user),
                           areas=area_choices(current_user), jobs=export_job.recent_jobs(current_user),
                           form=form or {})
    response.status_code = status
    return response


@bp.get("/research/export")
@allow(*RESEARCH_ROLES)
def export_page():
    return _page(form={k: request.args.get(k, "")[:80] for k in ("area", "since", "until")})


@bp.post("/research/export")
@allow(*RESEARCH_ROLES)
def start_export():
    """Check the request against the user's open projects, then build the package in a job."""
    projects = {str(p.id): p for p in ResearchProject.open_for(current_user)}
    project = projects.get(request.form.get("project", ""))
    problems = [] if project else ["Choose one of your approved research projects"]
    options, more = ExportOptions.from_form(request.form, current_user, project)
    problems += more
    if problems:
        for problem in problems:
            flash(problem, "error")
        return _page(422, request.form)
    job_id = export_job.start(options, current_user)
    return htmx.redirect(url_for("research.export_status", job_id=job_id))


@bp.get("/research/exports/<job_id>")
@allow(*RESEARCH_ROLES)
def export_status(job_id: str):
    """The build's progress; the polling fragment stops itself (286) once the job has finished."""
    job = export_job.job_of(job_id, current_user) or abort(404)
    path, why_not = export_job.downloadable(job) if job.status == "done" else (None, None)
    response = htmx.render("research/export_job.html", block="export_status", job=job,
                           finished=job.status in FINISHED, ready=path is not None, why_not=why_not)
    if job.status in FINISHED and htmx.is_fragment_request():
        htmx.stop_polling(response)
    return response


@bp.get("/research/exports/<job_id>/download")
@allow(*RESEARCH_ROLES)
def export_download(job_id: str):
    """The finished zip; every download is audited."""
    job = export_job.job_of(job_id, current_user) or abort(404)
    path, why_not = export_job.downloadable(job)
    if path is None:
        flash(why_not or "The package cannot be downloaded.", "error")
        return htmx.redirect(url_for("research.export_status", job_id=job.id))
    export_job.audit_download(job, path)
    db.session.commit()
    response = send_file(path, mimetype="application/zip", as_attachment=True,
                         download_name=f"local-reach-export-{job.created_at:%Y%m%d-%H%M%S}.zip", max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
