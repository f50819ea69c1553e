"""Sign in (rate-limited and throttled, never locked), sign out, accept an invitation."""
from __future__ import annotations

import secrets
from datetime import timedelta
from functools import cache

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.security import check_password_hash, generate_password_hash

from portal import audit
from portal.access import ANY_USER, allow, public
from portal.auth import bp, sso, throttle
from portal.auth.forms import LoginForm, SetPasswordForm
from portal.extensions import db, limiter
from portal.models import User, UserSession, utcnow
from portal.redirects import allow_offsite, local_target, next_or


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if request.method == "POST" and not sso.local_passwords():
        return _login_page(form, sso_error="Sign in with your force account: passwords are switched off here."), 403
    if form.validate_on_submit():
        user, problem = authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return throttle.remember_device(redirect(next_or(request.args.get("next"), "main.dashboard")), user)
        form.password.errors.append(problem)
    return _login_page(form)


def _login_page(form: LoginForm, sso_error: str | None = None):
    return render_template("auth/login.html", form=form, next_target=local_target(request.args.get("next")),
                           sso_on=sso.configured(), passwords_on=sso.local_passwords(), sso_error=sso_error,
                           provider_name=current_app.config["OIDC_PROVIDER_NAME"])


def _start_session(user: User) -> None:
    session.clear()  # rotate: nothing from before sign-in survives
    session[UserSession.FIELD] = UserSession.start(user)
    session.permanent = True  # the cookie expires with the session, not only with the browser
    db.session.commit()
    login_user(user)


@bp.get("/login/sso")
@public
@limiter.limit(_login_limit)
def sso_start():
    """Send the browser to the force's identity provider."""
    if not sso.configured():
        abort(404)
    next_target = local_target(request.args.get("next"))
    if next_target:
        session["sso_next"] = next_target
    try:
        return allow_offsite(sso.start(url_for("auth.sso_callback", _external=True)))
    except sso.SsoError as exc:
        return _login_page(LoginForm(formdata=None), sso_error=str(exc)), 503


@bp.get("/login/sso/callback")
@public
@limiter.limit(_login_limit)
def sso_callback():
    """The provider's answer: check it, create or update the account, and sign in."""
    if not sso.configured():
        abort(404)
    try:
        user = sso.account_for(sso.finish(request.args))
    except sso.SsoError as exc:
        db.session.rollback()
        return _login_page(LoginForm(formdata=None), sso_error=str(exc)), 400
    user.failed_logins, user.last_login_at = 0, utcnow()
    audit.record("login", "Signed in", user, actor_id=user.id, details={"via": "sso"})
    next_target = session.get("sso_next")
    _start_session(user)
    return redirect(next_or(next_target, "main.dashboard"), code=303)


@cache
def _unused_hash() -> str:
    """A hash of a random secret no one knows, made once per process."""
    return generate_password_hash(secrets.token_hex(16))


NOT_RIGHT = "Email address or password is not right."


def _wait_message(wait: timedelta) -> str:
    """The answer while this client must wait: the same for every typed address, account or not."""
    minutes = -(-int(wait.total_seconds()) // 60)
    span = f"{minutes} minute{'s' if minutes != 1 else ''}"
    return (f"Too many failed sign-ins for this email address from here. Wait {span}, then try again. "
            "If you have forgotten your password, ask an admin for a new invitation link.")


def authenticate(email: str, password: str) -> tuple[User | None, str]:
    """Check credentials, unless this client must wait after too many failures (see portal/auth/throttle.py)."""
    typed = (email or "").strip().lower()
    user = User.by_email(typed)
    known = throttle.is_known_device(user)
    wait = throttle.must_wait(typed, known)
    if wait is not None:
        _record_failure(user, typed, "throttled")
        db.session.commit()
        return None, _wait_message(wait)
    if user is None or not user.active or not user.check_password(password):
        if user is None or not user.active:
            # Spend the time a password check takes, so the answer's speed does not tell
            # an attacker which addresses have accounts.
            check_password_hash(_unused_hash(), password or "")
        reason = "no such account" if user is None else ("deactivated" if not user.active else "wrong password")
        _record_failure(user, typed, reason)
        _count_failure(typed, known, user)
        db.session.commit()
        return None, NOT_RIGHT
    throttle.record_success(typed)
    user.failed_logins = 0
    user.last_login_at = utcnow()
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


def _count_failure(typed: str, known: bool, user: User | None) -> None:
    throttle.record_failure(typed, known)
    if user is not None:
        user.failed_logins += 1
        if user.failed_logins == current_app.config["THROTTLE_FREE_TRIES"]:
            audit.record("throttle", f"Sign-in to account {user.id} slowed after {user.failed_logins} failed "
                         "attempts in a row", user, actor_id=user.id)


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
    user = User.by_invite_token(token)
    if user is None:  # unknown, used, expired or for a deactivated account: one answer for all
        return render_template("auth/invite_gone.html"), 404
    if not sso.local_passwords():  # nothing to set: the first sign-in by SSO links this account by its address
        flash(f"Sign in with {current_app.config['OIDC_PROVIDER_NAME']}: Local Reach uses no passwords here.", "info")
        return redirect(url_for("auth.login"))
    form = SetPasswordForm(email=user.email)
    if form.validate_on_submit():
        user.set_password(form.password.data)
        user.clear_invite()
        user.rotate_session()
        audit.record("change", "Accepted invitation and set a password", user, actor_id=user.id)
        db.session.commit()
        flash("Your password is set. Sign in to continue.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/invite.html", form=form, user=user)
