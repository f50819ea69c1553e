"""Review queue views (accept, dismiss, bulk) and inspecting one site."""
from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow, get_in_area, require_area
from portal.audit_reads import audited
from portal.discovery import bp
from portal.discovery.candidates import QUEUE_STATUSES, parts_of, review_queue, status_counts
from portal.discovery.forms import InspectForm
from portal.discovery.inspect import InspectError, inspect_url
from portal.discovery.review import ReviewError, accept, accept_with_parts, bulk, dismiss, restore
from portal.discovery.views import ROLES, areas_for
from portal.extensions import db
from portal.models import DISMISS_REASONS, Area, Candidate
from portal.params import arg_ids, arg_int, arg_page


def get_candidate(candidate_id: int) -> Candidate:
    return get_in_area(Candidate, candidate_id)


def accepted_message(name: str, created: bool, parts: int) -> str:
    plural = "" if parts == 1 else "s"
    if not created and parts:
        return f"Added {parts} part{plural} of {name} to the catalogue."
    with_parts = f" with {parts} part{plural}" if parts else ""
    return f"{name} {'added to' if created else 'is already in'} the catalogue{with_parts}."


def queue_url(area_id: int | None = None, status: str = "new") -> str:
    return url_for("discovery.review", area=area_id, status=status)


@bp.get("/discovery/review")
@allow(*ROLES)
@audited("Viewed the discovery review queue")
def review():
    area_id = arg_int(request.args, "area")
    if area_id is not None:
        require_area(area_id)
    status = request.args.get("status", "new")
    status = status if status in QUEUE_STATUSES else "new"
    page = arg_page(request.args)
    listing = db.paginate(review_queue(current_user, area_id, status), page=page, per_page=25, error_out=False)
    return htmx.render("discovery/review.html", block="queue", listing=listing, status=status, area_id=area_id,
                       parts=parts_of(listing.items),
                       areas=areas_for(current_user), counts=status_counts(current_user, area_id),
                       reasons=DISMISS_REASONS)


@bp.post("/discovery/candidates/<int:candidate_id>/accept")
@allow(*ROLES)
def accept_candidate(candidate_id: int):
    candidate = get_candidate(candidate_id)
    parts = None if request.form.get("parts") == "all" else arg_ids(request.form, "part")
    try:
        if candidate.parent_id is None:
            community, created, accepted_parts = accept_with_parts(candidate, current_user, parts)
        else:
            (community, created), accepted_parts = accept(candidate, current_user), 0
    except ReviewError as exc:
        flash(str(exc), "error")
        return htmx.redirect(queue_url(candidate.area_id))
    db.session.commit()
    flash(accepted_message(community.name, created, accepted_parts), "success")
    if request.form.get("then") == "community":
        return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    return htmx.redirect(queue_url(candidate.area_id))


@bp.post("/discovery/candidates/<int:candidate_id>/dismiss")
@allow(*ROLES)
def dismiss_candidate(candidate_id: int):
    candidate = get_candidate(candidate_id)
    reason = request.form.get(f"reason-{candidate.id}") or request.form.get("reason")
    try:
        dismiss(candidate, reason, current_user)
        db.session.commit()
        flash(f"Dismissed {candidate.title or candidate.site}.", "success")
    except ReviewError as exc:
        flash(str(exc), "error")
    return htmx.redirect(queue_url(candidate.area_id))


@bp.post("/discovery/candidates/<int:candidate_id>/restore")
@allow(*ROLES)
def restore_candidate(candidate_id: int):
    candidate = get_candidate(candidate_id)
    try:
        restore(candidate, current_user)
        db.session.commit()
        flash(f"{candidate.title or candidate.site} is back in the queue.", "success")
    except ReviewError as exc:
        flash(str(exc), "error")
    return htmx.redirect(queue_url(candidate.area_id, "dismissed"))


@bp.post("/discovery/review/bulk")
@allow(*ROLES)
def bulk_review():
    ids = arg_ids(request.form, "candidate") + arg_ids(request.form, "part")
    area_id = arg_int(request.form, "area")
    try:
        result = bulk(current_user, ids, request.form.get("action", ""), request.form.get("reason"))
        db.session.commit()
        flash(f"Accepted {result.accepted}, dismissed {result.dismissed}."
              + (f" Skipped {len(result.skipped)}: {'; '.join(result.skipped[:3])}" if result.skipped else ""),
              "success")
    except ReviewError as exc:
        flash(str(exc), "error")
    return htmx.redirect(queue_url(area_id))


@bp.route("/discovery/inspect", methods=["GET", "POST"])
@allow(*ROLES)
@audited("Inspected a site")
def inspect():
    form = InspectForm()
    form.area.choices = [(a.id, a.name) for a in areas_for(current_user)]
    candidate, status = None, 200
    if form.validate_on_submit():
        try:
            candidate = inspect_url(db.get_or_404(Area, form.area.data), form.url.data)
            db.session.commit()
        except InspectError as exc:
            form.url.errors.append(str(exc))
            status = 422
    elif form.is_submitted():
        status = 422
    response = htmx.render("discovery/inspect.html", block="inspection", form=form, candidate=candidate)
    response.status_code = status
    return response
