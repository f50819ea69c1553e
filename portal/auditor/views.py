"""The auditor's view: search the audit log, one record's history, retention review."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import false

from portal import htmx
from portal.access import allow
from portal.audit_reads import audited
from portal.auditor import bp, queries, retention, verify, words
from portal.auditor.forms import AuditSearchForm, KeepForm
from portal.extensions import db
from portal.models import AuditEvent
from portal.params import arg_page

PER_PAGE = 50
CHAIN_CHECK_NEWEST = 1000  # rows of the chain the page checks each time (a few ms); the CLI checks them all


def _search_form() -> tuple[AuditSearchForm, queries.AuditFilter | None]:
    form = AuditSearchForm(request.args)
    form.action.choices = [("", "Any action")] + [
        (a, words.audit_action(a)) for a in queries.distinct_values(AuditEvent.action)]
    form.object_type.choices = [("", "Any record type")] + [
        (t, words.record_type(t)) for t in queries.distinct_values(AuditEvent.object_type)]
    if not form.validate():
        return form, None
    return form, queries.AuditFilter(
        actor=form.actor.data or "", action=form.action.data or "", object_type=form.object_type.data or "",
        object_id=(form.object_id.data or "").strip(), date_from=form.date_from.data, date_to=form.date_to.data)


@bp.get("/audit")
@allow("auditor", "admin")
@audited("Viewed the audit log", "AuditLog")
def index():
    form, filters = _search_form()
    page = arg_page(request.args)
    query = queries.search(filters) if filters else queries.search(queries.AuditFilter()).where(false())
    listing = db.paginate(query, page=page, per_page=PER_PAGE, error_out=False)
    args = filters.as_args() if filters else {}
    return htmx.render("audit/index.html", block="results", form=form, listing=listing,
                       filters=args, actors=queries.actors_by_id(listing.items), **_chain_state())


def _chain_state() -> dict:
    """The chain's newest rows checked now, and the latest full check (the page, not its search results)."""
    if htmx.is_fragment_request():
        return {}
    return {"chain": verify.verify(db.session(), current_app.config["AUDIT_KEY"], newest=CHAIN_CHECK_NEWEST),
            "last_check": verify.last_full_check(db.session())}


@bp.get("/audit/<object_type>/<path:object_id>")  # a path: research tables are "funnel/1"
@allow("auditor", "admin")
@audited(lambda args: f"Viewed the audit history of {words.record_type(args['object_type'])} {args['object_id']}",
         "AuditLog")
def record_history(object_type: str, object_id: str):
    object_type, object_id = object_type[:40], object_id[:64]
    page = arg_page(request.args)
    listing = db.paginate(queries.record_history(object_type, object_id), page=page, per_page=PER_PAGE,
                          error_out=False)
    return htmx.render("audit/record.html", block="results", listing=listing, object_type=object_type,
                       object_id=object_id, actors=queries.actors_by_id(listing.items),
                       decisions=retention.decisions_for(object_type, object_id))


@bp.get("/audit/retention")
@allow("auditor", "admin")
def retention_review():
    return htmx.render("audit/retention.html", due=retention.due_for_review())


@bp.route("/audit/retention/keep", methods=["GET", "POST"])
@allow("auditor", "admin")
def retention_keep():
    form = KeepForm(data={"object_type": request.args.get("object_type", ""),
                          "object_id": request.args.get("object_id", "")})
    policy = retention.policy_for(form.object_type.data or "", form.object_id.data or "")
    if policy is None:
        abort(404)
    if form.validate_on_submit():
        retention.keep(form.object_type.data, form.object_id.data, form.reason.data.strip(),
                       form.months.data, current_user.id)
        db.session.commit()
        flash(f"{form.object_type.data} {form.object_id.data} will be kept.", "success")
        return redirect(url_for("audit.retention_review"), code=303)
    return htmx.render("audit/keep.html", form=form, policy=policy), 422 if form.errors else 200
