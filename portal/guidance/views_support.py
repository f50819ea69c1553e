"""Support: an officer asks for backup; supervisors add notes, take over, close; debriefs after."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow
from portal.audit_reads import audited
from portal.communities.choices import community_choices
from portal.extensions import db
from portal.guidance import bp, support
from portal.guidance.forms import FlagForm, NoteForm
from portal.models import Community, SupportFlag
from portal.params import arg_int


@bp.route("/guidance/flags/new", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Opened the backup request form")
def new_flag():
    form = FlagForm()
    asked = arg_int(request.args, "community_id")
    offered = community_choices(current_user, [asked, arg_int(request.form, "community_id")])
    form.community_id.choices = [(c.id, c.name) for c in offered]
    if request.method == "GET" and asked in {c.id for c in offered}:
        form.community_id.data = asked
    if form.validate_on_submit():
        community = db.session.get(Community, form.community_id.data) or abort(404)
        flag = support.raise_flag(community, current_user, form.reason.data, form.note.data,
                                  form.thread_link.data)
        db.session.commit()
        flash("Your supervisors have been asked for backup.", "success")
        return redirect(url_for("guidance.flag", flag_id=flag.id), code=303)
    return htmx.render("guidance/flag_new.html", form=form)


def _flag_or_404(flag_id: int) -> SupportFlag:
    """Look the flag up (404), then check the user may open it (403; docs/PRIVACY.md)."""
    flag = db.session.get(SupportFlag, flag_id) or abort(404)
    if not support.may_open(flag, current_user):
        abort(403)
    return flag


@bp.get("/guidance/flags/<int:flag_id>")
@allow("officer", "supervisor", "admin")
@audited("Viewed support flag {flag_id}", "SupportFlag", "flag_id")
def flag(flag_id: int):
    found = _flag_or_404(flag_id)
    form = NoteForm(kind="support" if current_user.role == "supervisor" else "debrief")
    return htmx.render("guidance/flag.html", block="flag_notes", flag=found, form=form)


@bp.post("/guidance/flags/<int:flag_id>/notes")
@allow("officer", "supervisor")
@audited("Viewed support flag {flag_id}", "SupportFlag", "flag_id")
def add_note(flag_id: int):
    found = _flag_or_404(flag_id)
    form = NoteForm()
    if form.validate_on_submit() and not _support_note_refused(form):
        support.add_note(found, current_user, form.body.data, form.kind.data)
        db.session.commit()
        return htmx.render("guidance/flag.html", block="flag_notes", flag=found, form=NoteForm(formdata=None))
    response = htmx.render("guidance/flag.html", block="flag_notes", flag=found, form=form)
    response.status_code = 200 if htmx.is_fragment_request() else 422
    return response


def _support_note_refused(form: NoteForm) -> bool:
    if current_user.role != "supervisor" and form.kind.data == "support":
        form.kind.errors = ["Only a supervisor can add a support note; choose debrief"]
        return True
    return False


@bp.post("/guidance/flags/<int:flag_id>/takeover")
@allow("supervisor")
def take_over(flag_id: int):
    found = _flag_or_404(flag_id)
    support.take_over(found, current_user)
    db.session.commit()
    flash(f"You now own the relationship with {found.community.name}.", "success")
    return htmx.redirect(url_for("guidance.flag", flag_id=found.id))


@bp.post("/guidance/flags/<int:flag_id>/resolve")
@allow("supervisor")
def resolve_flag(flag_id: int):
    found = _flag_or_404(flag_id)
    support.resolve(found, current_user)
    db.session.commit()
    flash("Support flag closed. A debrief note can still be added.", "success")
    return htmx.redirect(url_for("guidance.flag", flag_id=found.id))


