"""Admin views for research projects: approve, change members and expiry, revoke."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import audit
from portal.access import allow
from portal.admin import bp
from portal.admin.forms import ResearchProjectForm
from portal.extensions import db
from portal.models import ResearchProject, User, utcnow
from portal.research.pages import RESEARCH_ROLES
from portal.research import export_job
from portal.research.pseudonyms import Pseudonymiser


def _member_choices() -> list[tuple[int, str]]:
    users = db.session.scalars(select(User).where(User.role.in_(RESEARCH_ROLES), User.active.is_(True))
                               .order_by(User.display_name))
    return [(u.id, f"{u.display_name} ({u.email}, {u.role})") for u in users]


def _save(form: ResearchProjectForm, project: ResearchProject) -> None:
    project.name, project.purpose = form.name.data.strip(), form.purpose.data.strip()
    project.expires_on, project.level = form.expires_on.data, form.level.data
    chosen = set(form.members.data or [])
    project.members = list(db.session.scalars(select(User).where(User.id.in_(chosen)))) if chosen else []


def _name_taken(name: str, other_than: int | None = None) -> bool:
    query = select(ResearchProject.id).where(ResearchProject.name == name)
    if other_than is not None:
        query = query.where(ResearchProject.id != other_than)
    return db.session.scalar(query) is not None


def _details(project: ResearchProject) -> dict:
    return {"name": project.name, "level": project.level, "expires_on": project.expires_on.isoformat(),
            "members": sorted(u.id for u in project.members), "purpose": project.purpose[:500]}


@bp.route("/projects", methods=["GET", "POST"])
@allow("admin")
def projects():
    """The projects, and the form approving a new one."""
    form = ResearchProjectForm()
    form.members.choices = _member_choices()
    if form.validate_on_submit():
        if _name_taken(form.name.data.strip()):
            form.name.errors.append("A project with that name exists already")
        else:
            project = ResearchProject(approved_by_id=current_user.id, approved_at=utcnow())
            _save(form, project)
            db.session.add(project)
            db.session.flush()
            audit.record("create", f"Approved research project {project.name}", project, details=_details(project))
            db.session.commit()
            flash(f"Research project “{project.name}” approved.", "success")
            return redirect(url_for("admin.project", project_id=project.id), code=303)
    return render_template("admin/projects.html", form=form, projects=ResearchProject.ordered()), (
        422 if form.errors else 200)


@bp.route("/projects/<int:project_id>", methods=["GET", "POST"])
@allow("admin")
def project(project_id: int):
    """Change a project's members, expiry, level or purpose."""
    found = db.session.get(ResearchProject, project_id) or abort(404)
    form = ResearchProjectForm(obj=found)
    form.members.choices = _member_choices()
    form.submit.label.text = "Save project"
    if not form.is_submitted():
        form.members.data = [u.id for u in found.members]
    if form.validate_on_submit() and _name_taken(form.name.data.strip(), found.id):
        form.name.errors.append("Another project has that name")
    elif form.validate_on_submit():
        _save(form, found)
        audit.record("change", f"Changed research project {found.name}", found, details=_details(found))
        db.session.commit()
        flash("Project saved.", "success")
        return redirect(url_for("admin.project", project_id=found.id), code=303)
    key_id = Pseudonymiser.for_project(found.key_salt).key_id
    return render_template("admin/project.html", form=form, project=found, key_id=key_id), (
        422 if form.errors else 200)


@bp.post("/projects/<int:project_id>/revoke")
@allow("admin")
def revoke_project(project_id: int):
    """End a project's approval now: no more packages are built or downloaded for it."""
    found = db.session.get(ResearchProject, project_id) or abort(404)
    if found.revoked_at is None:
        found.revoked_at = utcnow()
        export_job.remove_project_files(found.id)
        audit.record("revoke", f"Revoked research project {found.name}", found, details=_details(found))
        db.session.commit()
        flash(f"Research project “{found.name}” revoked.", "success")
    return redirect(url_for("admin.project", project_id=found.id), code=303)
