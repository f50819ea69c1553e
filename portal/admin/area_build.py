"""Admin: build an area profile from official open data — upload, choose, preview, save.

The files are streamed to the instance folder (each under AREA_DATA_MAX_BYTES), built in
a background job (ONSPD is 1.3 GB: minutes, not a request), and deleted when the build
ends. The preview shows places, districts, the ambiguous names and the attribution;
nothing is saved until the admin saves it.
"""
from __future__ import annotations

import logging
import shutil
import time
import uuid
from pathlib import Path
from typing import Any

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import secure_filename

from portal import audit, htmx, jobs
from portal.access import allow
from portal.admin import bp
from portal.admin.forms import BuildAreaForm, SaveBuiltAreaForm
from portal.areabuild import ATTRIBUTION, LICENCE_URL, AreaChoice, AreaDataError, build_profile
from portal.areas import ProfileError, validate_profile
from portal.errors import render_error
from portal.extensions import db
from portal.models import Area, Job

logger = logging.getLogger(__name__)

JOB = "portal.admin.area_build.run_build"
KIND = "area_build"
#: Largest file accepted per upload (the ONSPD UK CSV is about 1.4 GB).
DEFAULT_MAX_BYTES = 2 * 1024**3
CHUNK = 1024 * 1024
#: Upload folders older than this are removed (a build that never ran, a crash).
STALE_SECONDS = 24 * 3600
#: An ambiguous name the admin keeps counts half: it may mean the place elsewhere.
KEPT_AMBIGUOUS_WEIGHT = 0.5


def max_bytes() -> int:
    return int(current_app.config.get("AREA_DATA_MAX_BYTES") or DEFAULT_MAX_BYTES)


def uploads_root() -> Path:
    return Path(current_app.config.get("AREA_DATA_DIR") or Path(current_app.instance_path) / "area-data")


@bp.url_value_preprocessor
def _bound_uploads(endpoint: str | None, values: dict | None) -> None:
    """Refuse an oversized upload before its body is read (this runs before the CSRF check)."""
    if endpoint == "admin.build_area" and request.method == "POST":
        request.max_content_length = 2 * max_bytes() + CHUNK


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_exc):
    if request.endpoint != "admin.build_area":
        return render_error(413)
    form = BuildAreaForm(formdata=None)
    form.onspd.errors = [f"The files are larger than {max_bytes() // 1024**2} MB each; "
                         "upload the CSV or zip as published"]
    return _build_page(form, 413)


def _save_upload(storage: FileStorage, folder: Path, name: str) -> Path:
    """Copy an upload to ``folder`` in chunks, refusing it past the size limit."""
    suffix = ".zip" if (storage.filename or "").lower().endswith(".zip") else ".csv"
    target, written, limit = folder / f"{name}{suffix}", 0, max_bytes()
    with target.open("wb") as out:
        while chunk := storage.stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise AreaDataError(f"{storage.filename}: larger than {limit // 1024**2} MB")
            out.write(chunk)
    return target


def _clear_stale() -> None:
    root = uploads_root()
    if root.is_dir():
        for folder in root.iterdir():
            if folder.is_dir() and time.time() - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


def run_build(token: str, lad: str, wards: list[str], name: str | None,
              filenames: list[str] | None = None) -> dict[str, Any]:
    """Background job: build the profile from the uploaded files, then delete them."""
    folder = uploads_root() / token
    try:
        onspd, names = next(folder.glob("onspd.*")), next(folder.glob("names.*"))
        built = build_profile(onspd, names, AreaChoice(lad, tuple(wards), name))
    except (AreaDataError, StopIteration) as exc:
        logger.warning("area build for %s failed: %s", lad[:20], exc.__class__.__name__)
        return {"error": str(exc) or "The uploaded files are gone; upload them again"}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for key, filename in zip(("onspd", "names"), filenames or (), strict=False):
        built.profile["source"][key] = secure_filename(filename)[:200] or key  # as the admin knows the file
    return {"profile": built.profile, "ambiguous": built.ambiguous, "postcodes": built.postcodes,
            "names_kind": built.names_kind}


def _build_page(form: BuildAreaForm, status: int = 200):
    response = htmx.render("admin/area_build.html", form=form, attribution=ATTRIBUTION, licence=LICENCE_URL,
                           limit_mb=max_bytes() // 1024**2)
    response.status_code = status
    return response


@bp.route("/areas/build", methods=["GET", "POST"])
@allow("admin")
def build_area():
    form = BuildAreaForm()
    if not form.validate_on_submit():
        return _build_page(form, 422 if form.is_submitted() else 200)
    _clear_stale()
    token = uuid.uuid4().hex
    folder = uploads_root() / token
    folder.mkdir(parents=True)
    try:
        _save_upload(form.onspd.data, folder, "onspd")
        _save_upload(form.names.data, folder, "names")
    except AreaDataError as exc:
        shutil.rmtree(folder, ignore_errors=True)
        form.onspd.errors = [str(exc)]
        return _build_page(form, 422)
    filenames = [form.onspd.data.filename or "", form.names.data.filename or ""]
    job_id = jobs.enqueue(JOB, token, form.lad.data.strip(), form.ward_list, (form.name.data or "").strip() or None,
                          filenames, kind=KIND, max_attempts=1, requested_by_id=current_user.id)
    return redirect(url_for("admin.built_area", job_id=job_id), code=303)


def _built_job(job_id: str) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or job.kind != KIND:
        abort(404)
    return job


def _save_form(job: Job) -> SaveBuiltAreaForm:
    result = job.result or {}
    form = SaveBuiltAreaForm()
    form.area.choices = [(0, "A new area"), *((a.id, f"Replace the profile of {a.name}") for a in Area.ordered())]
    form.keep.choices = [(name, f"{name} (also in {', '.join(where)})")
                         for name, where in (result.get("ambiguous") or {}).items()]
    if not form.is_submitted():
        form.name.data = (result.get("profile") or {}).get("name")
    return form


@bp.get("/areas/build/<job_id>")
@allow("admin")
def built_area(job_id: str):
    job = _built_job(job_id)
    finished = job.status in ("done", "failed")
    if finished and htmx.is_fragment_request():
        return htmx.redirect(url_for("admin.built_area", job_id=job.id))  # the preview is a full page
    return htmx.render("admin/area_built.html", block="build_status", job=job, finished=finished,
                       result=job.result or {}, form=_save_form(job) if finished else None, attribution=ATTRIBUTION,
                       licence=LICENCE_URL)


@bp.post("/areas/build/<job_id>/save")
@allow("admin")
def save_built_area(job_id: str):
    job = _built_job(job_id)
    result = job.result or {}
    if job.status != "done" or "profile" not in result:
        abort(404)
    form = _save_form(job)
    area = None
    if form.validate_on_submit():
        try:
            area = _store(result["profile"], form)
        except ProfileError as exc:
            form.name.errors.append(str(exc))
    if area is None:
        response = htmx.render("admin/area_built.html", job=job, finished=True, result=result, form=form,
                               attribution=ATTRIBUTION, licence=LICENCE_URL)
        response.status_code = 422
        return response
    db.session.commit()
    flash(f"Area profile of {area.name} saved from open data.", "success")
    return redirect(url_for("admin.edit_area", area_id=area.id), code=303)


def _store(built: dict[str, Any], form: SaveBuiltAreaForm) -> Area | None:
    """Apply the admin's choices to the built profile and save it (None: the form has an error)."""
    keep = set(form.keep.data or [])
    profile = {**built, "name": form.name.data.strip(),
               "places": [*built["places"], *({"name": n, "aliases": [], "weight": KEPT_AMBIGUOUS_WEIGHT}
                                              for n in sorted(keep))],
               "exclude_places": [n for n in built.get("exclude_places", []) if n not in keep]}
    profile = validate_profile(profile, allow_empty=True)
    if form.area.data:
        area = db.session.get(Area, form.area.data) or abort(404)
        area.profile = profile
        audit.record("change", f"Replaced profile of area {area.slug} from open data", area,
                     details={"source": profile.get("source", {})})
        return area
    slug = Area.slugify(profile["name"])
    if Area.by_slug(slug) is not None:
        form.name.errors.append("An area with that name already exists; choose it under 'Save as' or rename")
        return None
    area = Area(slug=slug, name=profile["name"], profile=profile)
    db.session.add(area)
    db.session.flush()
    audit.record("create", f"Created area {area.slug} from open data", area,
                 details={"source": profile.get("source", {})})
    return area
