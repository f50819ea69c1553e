"""Supervisors mark a finding "wrong here"; the marks export as labelled examples for the evaluation set."""
from __future__ import annotations

from flask import Response, abort, flash, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow
from portal.extensions import db
from portal.guidance import bp, feedback
from portal.models import MessageReview

EXPORT_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@bp.app_template_global()
def guidance_marks(review: MessageReview) -> dict:
    """What the findings panel needs to offer 'wrong here': whether this user may mark, and what is marked."""
    allowed = current_user.is_authenticated and feedback.why_not_mark(review, current_user) is None
    return {"can_mark": allowed, "marked": feedback.marks_for(review) if review.id else {}}


@bp.post("/guidance/reviews/<int:review_id>/findings")
@allow("supervisor")
def mark_finding(review_id: int):
    review = db.session.get(MessageReview, review_id) or abort(404)
    rule_code = (request.form.get("rule_code") or "")[:80]
    start = request.form.get("start", -1, type=int)
    try:
        if request.form.get("action") == "unmark":
            feedback.unmark(review, current_user, rule_code, start)
            message = f"Took back “wrong here” on {rule_code}."
        else:
            feedback.mark(review, current_user, rule_code, start, request.form.get("note"))
            message = f"Marked {rule_code} as wrong here. Thank you: it counts against the rule."
    except feedback.MarkRefused:
        abort(403)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(message, "success")
    return htmx.redirect(url_for("guidance.review", review_id=review.id) + "#guidance_findings")


@bp.get("/guidance/feedback/export.<fmt>")
@allow("supervisor", "admin")
def export_marks(fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    body = feedback.export(current_user, fmt)
    db.session.commit()
    response = Response(body, mimetype=EXPORT_TYPES[fmt].split(";")[0], content_type=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="guidance-marks.{fmt}"'
    return response
