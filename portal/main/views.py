"""Dashboard, health, accessibility and privacy pages."""
from __future__ import annotations

from flask import current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import text

from portal.access import ANY_USER, allow, public
from portal.audit_reads import audited
from portal.extensions import db
from portal.main import bp
from portal.main.dashboard import dashboard_summary


@bp.get("/")
@public
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return redirect(url_for("auth.login"))


@bp.get("/home")
@allow(ANY_USER)
@audited("Viewed home")
def dashboard():
    return render_template("main/dashboard.html", summary=dashboard_summary(current_user))


@bp.get("/healthz")
@public
def healthz():
    """Report whether the database answers; load balancers poll this."""
    # Says so when the portal runs as the owner of its audit trail (portal.db_roles.check_role).
    warning = current_app.extensions.get("audit_role_warning")
    try:
        db.session.execute(text("SELECT 1"))
        return jsonify(status="ok", database="ok", **({"warnings": [warning]} if warning else {}))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        db.session.rollback()
        return jsonify(status="error", database="unreachable"), 503


@bp.get("/accessibility")
@public
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@public
def privacy():
    return render_template("main/privacy.html")
