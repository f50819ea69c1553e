"""Admin views for users: list, invite, deactivate, areas, force sign-out."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal import audit, notices
from portal.access import allow
from portal.audit_reads import audited
from portal.admin import bp
from portal.admin.forms import InviteForm, UserAreasForm
from portal.extensions import db
from portal.models import Area, User, UserSession
from portal.params import arg_page

USERS_PER_PAGE = 50


def _area_choices() -> list[tuple[int, str]]:
    return [(a.id, a.name) for a in Area.ordered()]


@bp.get("/")
@allow("admin")
def index():
    counts = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).tuples().all())
    return render_template("admin/index.html", counts=counts, areas=Area.ordered())


@bp.route("/users", methods=["GET", "POST"])
@allow("admin")
@audited("Viewed the user list")
def users():
    form = InviteForm()
    form.areas.choices = _area_choices()
    invite_link = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if User.by_email(email):
            form.email.errors.append("A user with that email address already exists")
        else:
            user, token = invite_user(email, form.display_name.data.strip(), form.role.data, form.areas.data)
            if _emailed(user):
                flash(f"Invitation e-mailed to {email}.", "success")
            else:
                invite_link = _invite_link(user, token)
                flash(f"Invitation created for {email}. Send them the link below.", "success")
            form = InviteForm(formdata=None)
            form.areas.choices = _area_choices()
    page = arg_page(request.args)
    listing = db.paginate(select(User).order_by(User.role, User.email), page=page,
                          per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", form=form, listing=listing, invite_link=invite_link)


def _emailed(user: User) -> bool:
    """E-mail the invitation when a mail service is configured (its link is made as it is sent)."""
    if notices.events.invited(user):
        db.session.commit()
        return True
    return False


def _invite_link(user: User, token: str) -> dict:
    return {"url": url_for("auth.accept_invite", token=token, _external=True), "expires_at": user.invite_expires_at,
            "email": user.email}


def invite_user(email: str, name: str, role: str, area_ids: list[int]) -> tuple[User, str]:
    """Create a user without a password and a one-time invitation; return the user and the link's token."""
    user = User(email=email, display_name=name, role=role, invited_by_id=current_user.id)
    token = user.issue_invite(current_app.config["RETENTION_INVITE_DAYS"])
    user.areas = list(db.session.scalars(select(Area).where(Area.id.in_(area_ids or [-1]))))
    db.session.add(user)
    db.session.flush()
    audit.record("create", f"Invited {role} user {user.id}", user, details={"role": role, "areas": area_ids})
    db.session.commit()
    return user, token


@bp.post("/users/<int:user_id>/invite")
@allow("admin")
def reissue_invite(user_id: int):
    """Send a new invitation link to someone who has not yet set a password (the old link stops working)."""
    user = _user_or_404(user_id)
    if not user.invite_pending or not user.active:
        flash("This account has no invitation waiting to be accepted.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
    token = user.issue_invite(current_app.config["RETENTION_INVITE_DAYS"])
    user.invited_by_id = current_user.id
    audit.record("change", f"Sent a new invitation link to user {user.id}", user)
    db.session.commit()
    if _emailed(user):
        flash(f"A new invitation is e-mailed to {user.email}; the old link no longer works.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
    flash(f"New invitation created for {user.email}. Send them the link below.", "success")
    form = UserAreasForm(data={"areas": [a.id for a in user.areas]})
    form.areas.choices = _area_choices()
    return render_template("admin/user.html", user=user, form=form, devices=UserSession.count_for(user.id),
                           invite_link=_invite_link(user, token))


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@allow("admin")
@audited("Viewed user {user_id}", "User", "user_id")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    form = UserAreasForm(data={"areas": [a.id for a in user.areas]})
    form.areas.choices = _area_choices()
    if form.validate_on_submit():
        user.areas = list(db.session.scalars(select(Area).where(Area.id.in_(form.areas.data or [-1]))))
        audit.record("change", f"Changed areas of user {user.id}", user, details={"areas": form.areas.data})
        db.session.commit()
        flash("Areas saved.", "success")
        return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
    devices = UserSession.count_for(user.id)
    return render_template("admin/user.html", user=user, form=form, devices=devices)


@bp.post("/users/<int:user_id>/active")
@allow("admin")
def set_active(user_id: int):
    user = _user_or_404(user_id)
    make_active = request.form.get("active") == "1"
    if user.id == current_user.id and not make_active:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
    user.active = make_active
    user.rotate_session()
    audit.record("change", f"{'Reactivated' if make_active else 'Deactivated'} user {user.id}", user)
    db.session.commit()
    flash(f"{user.email} is now {'active' if make_active else 'deactivated'}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/sign-out")
@allow("admin")
def force_sign_out(user_id: int):
    user = _user_or_404(user_id)
    user.rotate_session()
    audit.record("change", f"Forced sign-out of user {user.id}", user)
    db.session.commit()
    flash(f"{user.email} has been signed out everywhere.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id), code=303)
