"""Guidance library, the live message check and the officer's notifications."""
from __future__ import annotations

from flask import abort, current_app, flash, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow
from portal.audit_reads import audited
from portal.communities.choices import community_choices
from portal.extensions import db
from portal.guidance import bp, library, services
from portal.guidance.check import MAX_TEXT_LENGTH, highest_severity
from portal.guidance.forms import CheckForm
from portal.guidance.queries import my_reviews, supervisor_queue
from portal.guidance.support import flags_for
from portal.models import Community, MessageReview, MessageTemplate, OutreachContact
from portal.params import arg_int
from portal.redirects import next_or


@bp.app_template_global()
def guidance_live_attrs(include: str = "[name=community_id],[name=channel]") -> dict[str, str]:
    """htmx attributes for a message textarea: check it as the officer types (see _findings.html)."""
    return {"hx-post": url_for("guidance.check"), "hx-trigger": "input changed delay:400ms, load",
            "hx-target": "#guidance_findings", "hx-swap": "outerHTML", "hx-include": include,
            "hx-sync": "this:replace", "aria-describedby": "guidance_findings"}


@bp.app_template_global()
def guidance_template_url(template_id: int) -> str:
    """Where 'use this template' goes: the quick-log form once it exists, else the message check."""
    if "outreach.new_contact" in current_app.view_functions:
        return url_for("outreach.new_contact", template=template_id)
    return url_for("guidance.check", template=template_id)


@bp.app_template_global()
def guidance_notice_count() -> int:
    """How many sign-off decisions the signed-in officer has not yet seen."""
    if not current_user.is_authenticated or current_user.role not in {"officer", "supervisor"}:
        return 0
    return services.notification_count(current_user)


@bp.app_template_global()
def guidance_queue_counts() -> dict[str, int]:
    """How many backup requests and held messages wait for the signed-in supervisor or admin to decide."""
    waiting = supervisor_queue(current_user)
    mine = [r for r in waiting["reviews"] if current_user in waiting["deciders"][r.id]]
    return {"flags": len(waiting["flags"]) if current_user.role == "supervisor" else 0, "reviews": len(mine)}


@bp.get("/guidance")
@allow("officer", "supervisor", "admin")
@audited("Viewed guidance and notifications")
def index():
    q = request.args.get("q", "")
    context = {"q": q, "pages": library.search_pages(q), "templates": library.templates_by_purpose(q)}
    if current_user.role in {"officer", "supervisor"}:
        context.update(notifications=services.notifications(current_user), reviews=my_reviews(current_user),
                       flags=list(db.session.scalars(flags_for(current_user, status=None).limit(10)).unique()))
    return htmx.render("guidance/index.html", block="library", **context)


@bp.get("/guidance/pages/<slug>")
@allow("officer", "supervisor", "admin")
def page(slug: str):
    guidance_page = library.page_by_slug(slug) or abort(404)
    return htmx.render("guidance/page.html", page=guidance_page, paragraphs=library.paragraphs(guidance_page.body))


@bp.route("/guidance/check", methods=["GET", "POST"])
@allow("officer", "supervisor", "admin")
@audited("Opened the message check", pages_only=True)
def check():
    form = CheckForm(meta={"csrf": False})
    posted = arg_int(request.form, "community_id")
    form.community_id.choices = [(0, "Not chosen")] + [
        (c.id, c.name) for c in community_choices(current_user, [posted, arg_int(request.args, "community_id")])]
    template_id = arg_int(request.args, "template")
    template = db.session.get(MessageTemplate, template_id) if template_id else None
    if request.method == "GET" and template is not None:
        form.message_text.data = template.body
    text = (request.form.get("message_text") or request.form.get("text") or "")[:MAX_TEXT_LENGTH]
    findings = services.check_text(text, _community_in_context(), request.form.get("channel"))
    return htmx.render("guidance/check.html", block="guidance_findings", form=form, findings=findings,
                       severity=highest_severity(findings), checked=bool(text.strip()))


def _community_in_context() -> Community | None:
    community_id = arg_int(request.form, "community_id")
    community = db.session.get(Community, community_id) if community_id else None
    if community is None or not current_user.can_see_area(community.area_id):
        return None
    return community


@bp.post("/guidance/notifications/<int:review_id>/dismiss")
@allow("officer", "supervisor")
def dismiss(review_id: int):
    review = db.session.get(MessageReview, review_id) or abort(404)
    try:
        services.dismiss_notification(review, current_user)
    except services.SignOffError:
        abort(403)
    db.session.commit()
    return htmx.redirect(url_for("guidance.index"))


@bp.post("/guidance/contacts/<int:contact_id>/sent")
@allow("officer", "supervisor")
def mark_sent(contact_id: int):
    contact = db.session.get(OutreachContact, contact_id) or abort(404)
    if not current_user.can_see_area(contact.community.area_id):
        abort(403)
    try:
        services.mark_sent(contact, current_user)
        db.session.commit()
        flash("Message marked as sent.", "success")
    except services.SignOffError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return htmx.redirect(next_or(request.form.get("next_url"), "guidance.index"))


from portal.guidance import cli, views_feedback, views_rules, views_signoff, views_support  # noqa: E402,F401


