"""Sign in (rate-limited, with lockout), sign out, accept an invitation."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.access import ANY_USER, allow, public
from portal.auth import bp
from portal.auth.forms import LoginForm, SetPasswordForm
from portal.extensions import db, limiter
from portal.models import User, UserSession, utcnow


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only follow same-site relative paths after sign-in (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user, problem = authenticate(form.email.data, form.password.data)
        if user is not None:
            session.clear()  # rotate: nothing from before sign-in survives
            session[UserSession.FIELD] = UserSession.start(user)
            session.permanent = True  # the cookie expires with the session, not only with the browser
            db.session.commit()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(problem)
    return render_template("auth/login.html", form=form)


@cache
def _unused_hash() -> str:
    """A hash of a random secret no one knows, made once per process."""
    return generate_password_hash(secrets.token_hex(16))


def _not_right() -> str:
    """The one answer to every failed sign-in: wrong address, wrong password or locked account.

    Saying "locked" only to locked accounts would tell an attacker, after a few tries,
    that an address has an account; so the lockout rule is stated to everyone.
    """
    config = current_app.config
    return (f"Email address or password is not right. After {config['LOCKOUT_THRESHOLD']} failed attempts "
            f"in a row an account is locked for {config['LOCKOUT_MINUTES']} minutes; an admin can unlock it sooner.")


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """Check credentials, counting failures and locking the account after too many."""
    user = User.by_email(email or "")
    now = utcnow()
    if user is None or not user.active or user.is_locked(now):
        # Spend the time a password check takes, so the answer's speed does not tell
        # an attacker which addresses have accounts, or which are locked.
        check_password_hash(_unused_hash(), password or "")
        reason = "no such account" if user is None else ("deactivated" if not user.active else "locked")
        _record_failure(user, email, reason)
        db.session.commit()
        return None, _not_right()
    if not user.check_password(password):
        _record_failure(user, email, "wrong password")
        user.failed_logins += 1
        if user.failed_logins >= current_app.config["LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
            user.failed_logins = 0
            audit.record("lockout", f"Account {user.id} locked after failed sign-ins", user, actor_id=user.id)
        db.session.commit()
        return None, _not_right()
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login", "Signed in", user, actor_id=user.id)
    db.session.commit()
    return user, ""


def _record_failure(user: User | None, email: str | None, reason: str) -> None:
    """Audit one failed sign-in: the account (or the address tried) and why, never the password."""
    tried = (email or "").strip().lower()[:254]
    details = {"reason": reason}
    if user is None and "@" in tried:  # an address, not a password typed in the wrong box
        details["email"] = tried
    # No actor: whoever typed it has not shown who they are.
    audit.record("login_failed", f"Failed sign-in ({reason})", user, object_type="User", details=details)


@bp.post("/logout")
@allow(ANY_USER)
def logout():
    """Sign out this device; with ``everywhere``, every device the account is signed in on."""
    everywhere = request.form.get("everywhere") == "1"
    if everywhere:
        current_user.rotate_session()
        audit.record("logout", "Signed out on every device", current_user, actor_id=current_user.id)
    else:
        UserSession.end(session.get(UserSession.FIELD))  # the cookie's key opens nothing any more
    db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out on every device." if everywhere else "You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
def accept_invite(token: str):
    user = db.session.scalar(select(User).where(User.invite_token == token))
    if user is None or not user.active or len(token) < 20:
        abort(404)
    form = SetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        user.invite_token = None
        user.rotate_session()
        audit.record("change", "Accepted invitation and set a password", user, actor_id=user.id)
        db.session.commit()
        flash("Your password is set. Sign in to continue.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/invite.html", form=form, user=user)
