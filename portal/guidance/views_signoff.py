"""Sign-off: the supervisor's queue, a held message and its decision, and the team view."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user

from portal import audit_reads, htmx
from portal.access import allow
from portal.audit_reads import audited
from portal.extensions import db
from portal.guidance import bp, services
from portal.guidance.deciders import deciders
from portal.guidance.forms import DecisionForm
from portal.guidance.queries import supervisor_queue, team_view
from portal.models import MessageReview
from portal.params import arg_bounded


@bp.get("/guidance/queue")
@allow("supervisor", "admin")
@audited("Viewed the supervisor queue")
def queue():
    return htmx.render("guidance/queue.html", block="queue_items", **supervisor_queue(current_user))


def _review_or_404(review_id: int) -> MessageReview:
    """The review, if the user wrote it, supervises its area, may decide it or is an admin."""
    review = db.session.get(MessageReview, review_id) or abort(404)
    if review.author_id == current_user.id or current_user.role == "admin":
        return review
    if current_user.role == "supervisor" and (review.area_id in current_user.area_ids
                                              or current_user in deciders(review)):
        return review
    abort(403)


@bp.get("/guidance/reviews/<int:review_id>")
@allow("officer", "supervisor", "admin")
@audited("Viewed message review {review_id}", "MessageReview", "review_id")
def review(review_id: int):
    held = _review_or_404(review_id)
    return _render_review(held, DecisionForm())


def _render_review(held: MessageReview, form: DecisionForm, status: int = 200):
    response = htmx.render("guidance/review.html", review=held, form=form, deciders=deciders(held),
                           refusal=services.can_decide(held, current_user))
    response.status_code = status
    return response


@bp.post("/guidance/reviews/<int:review_id>/decide")
@allow("supervisor", "admin")
@audited("Viewed message review {review_id}", "MessageReview", "review_id")
def decide(review_id: int):
    held = _review_or_404(review_id)
    form = DecisionForm()
    refusal = services.can_decide(held, current_user)
    if refusal:
        flash(refusal, "error")
        audit_reads.shown_despite_status()  # the refusal still shows the review to someone who may view it
        return _render_review(held, form, status=403)
    if not form.validate_on_submit():
        return _render_review(held, form, status=422)
    services.decide(held, current_user, form.decision.data, form.comment.data)
    db.session.commit()
    flash(f"Decision recorded: {held.status.replace('_', ' ')}.", "success")
    return htmx.redirect(url_for("guidance.queue"))


@bp.get("/guidance/team")
@allow("supervisor", "admin")
@audited("Viewed the team view")
def team():
    weeks = arg_bounded(request.args, "weeks", 8, 1, 52)
    return htmx.render("guidance/team.html", block="team_tables", **team_view(current_user, weeks))
