"""The quick contact log, contact edits and "My follow-ups"."""
from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, request, url_for
from flask_login import current_user

from portal import htmx
from portal.access import allow, get_in_area
from portal.audit_reads import audited
from portal.extensions import db
from portal.guidance.services import MessageRefused, deciders_told
from portal.models import MessageReview, MessageTemplate, OutreachContact
from portal.outreach import bp, queries, services
from portal.outreach.forms import OUTCOME_BUTTONS, ContactEditForm, QuickContactForm
from portal.params import arg_int
from portal.templating import safe_url


def _form_context(form: QuickContactForm, link: str = "") -> dict:
    chosen = queries.community_by_id(current_user, form.community_id.data or arg_int(request.args, "community"))
    shared = queries.community_for_link(current_user, link) if link else None
    chosen = chosen or shared
    recent = queries.recent_communities(current_user)
    if chosen and chosen.id not in {c.id for c in recent}:
        recent = [chosen, *recent]
    return {"form": form, "recent": recent, "chosen": chosen, "link": link, "shared": shared,
            "outcomes": OUTCOME_BUTTONS}


def _prefill(form: QuickContactForm, link: str) -> None:
    """Pre-fill from a shared link (?link=) or a guidance message template (?template=)."""
    if link and safe_url(link) != "#":
        form.link.data = link
    template_id = arg_int(request.args, "template")
    template = db.session.get(MessageTemplate, template_id) if template_id else None
    if template is not None and template.active:
        form.message_text.data, form.purpose.data = template.body, template.purpose
        form.template_id.data = template.id


def _template_id(form: QuickContactForm) -> int | None:
    template = db.session.get(MessageTemplate, form.template_id.data) if form.template_id.data else None
    return template.id if template is not None else None


def _saved_message(contact: OutreachContact, held: MessageReview | None, name: str) -> tuple[str, str]:
    """The flash message (and its category) for a logged contact (``held``: the review holding it, if any).

    Built before the commit: the commit expires the contact and the community, and reading them
    after it cost two more SELECTs a quick-log POST.
    """
    if contact.review_status == "held":
        who = deciders_told(held) if held is not None else None  # asked once, when it was held
        by = f" ({who.names} will decide)" if who is not None and who.users else ""
        return (f"Contact with {name} logged. The message is held for a supervisor's sign-off{by}: "
                "do not send it until it is approved.", "info")
    return f"Contact with {name} logged.", "success"


@bp.route("/contacts/new", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Opened the contact log")
def new_contact():
    form = QuickContactForm()
    link = (request.args.get("link") or "").strip()[:1000]
    if request.method == "GET":
        _prefill(form, link)
    if form.validate_on_submit():
        community = queries.community_by_id(current_user, form.community_id.data, with_rule_set_stamp=True)
        if community is None:
            form.community_id.errors.append("Choose a community from your areas")
        else:
            data = form.details_data() | {"community_id": community.id, "channel": form.channel.data,
                                          "outcome": form.outcome.data, "template_id": _template_id(form)}
            try:
                contact, held = services.log_contact(data, current_user)
            except MessageRefused as refused:
                db.session.rollback()
                form.message_text.errors.append(str(refused))
            else:
                message, category = _saved_message(contact, held, community.name)
                shown = url_for("communities.community_detail", community_id=community.id,
                                logged=contact.id) + "#suggestion"
                db.session.commit()
                flash(message, category)
                return htmx.redirect(shown)
    response = htmx.render("outreach/new_contact.html", **_form_context(form, link or form.link.data or ""))
    if form.errors:
        response.status_code = 422
    return response


@bp.get("/contacts/communities")
@allow("officer", "supervisor")
@audited("Searched communities to log a contact")
def community_options():
    matches = queries.community_matches(current_user, request.args.get("community_q", ""))
    return htmx.render("outreach/community_options.html", block="options", matches=matches,
                       q=request.args.get("community_q", ""))


def _editable_contact(contact_id: int) -> OutreachContact:
    contact = get_in_area(OutreachContact, contact_id, lambda c: c.community.area_id)
    if current_user.role == "officer" and contact.officer_id != current_user.id:
        abort(403)
    return contact


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Viewed contact {contact_id} for editing", "OutreachContact", "contact_id")
def edit_contact(contact_id: int):
    contact = _editable_contact(contact_id)
    form = ContactEditForm(obj=contact)
    if form.validate_on_submit():
        data = form.details_data() | {"channel": form.channel.data, "outcome": form.outcome.data}
        try:
            revision = services.edit_contact(contact, data, current_user)
        except MessageRefused as refused:
            db.session.rollback()
            form.message_text.errors.append(str(refused))
        else:
            db.session.commit()
            flash("Contact updated." if revision else "Nothing changed.", "success")
            return htmx.redirect(url_for("communities.community_detail", community_id=contact.community_id))
    response = htmx.render("outreach/edit_contact.html", form=form, contact=contact)
    if form.errors:
        response.status_code = 422
    return response


def _follow_up_row(contact: OutreachContact, state: str, focus: bool = False):
    return htmx.render("outreach/follow_up.html", block="follow_up_row", contact=contact, state=state, focus=focus)


@bp.get("/contacts/<int:contact_id>/follow-up")
@allow("officer", "supervisor")
@audited("Viewed the follow-up of contact {contact_id}", "OutreachContact", "contact_id")
def follow_up(contact_id: int):
    contact = _editable_contact(contact_id)
    if contact.follow_up_on is None:
        return _follow_up_row(contact, "none")
    closed_state = "done" if htmx.is_fragment_request() else "reopenable"  # the row settles after its Undo
    return _follow_up_row(contact, closed_state if contact.follow_up_closed_at else "open")


def _change_follow_up(contact_id: int, change: Callable[[OutreachContact], bool], row_state: str, done: str,
                      focus: bool = False):
    """Apply ``change`` to the caller's contact, then return its row (htmx) or go back to My follow-ups.

    ``change`` returns False when the contact has no follow-up to change (404); ``done``
    is the flash for a full page, with ``{name}`` for the community.
    """
    contact = _editable_contact(contact_id)
    if not change(contact):
        abort(404)
    db.session.commit()
    if htmx.is_fragment_request():
        return _follow_up_row(contact, row_state, focus=focus)
    flash(done.format(name=contact.community.name), "success")
    return htmx.redirect(url_for("outreach.follow_ups"))


@bp.post("/contacts/<int:contact_id>/follow-up-done")
@allow("officer", "supervisor")
@audited("Closed the follow-up of contact {contact_id}", "OutreachContact", "contact_id")
def close_follow_up(contact_id: int):
    # The row becomes "marked done" with an Undo.
    return _change_follow_up(contact_id, services.close_follow_up, "undo",
                             "Follow-up with {name} marked done. Changed your mind? Reopen it under “Recently done”.")


@bp.post("/contacts/<int:contact_id>/follow-up-reopen")
@allow("officer", "supervisor")
@audited("Reopened the follow-up of contact {contact_id}", "OutreachContact", "contact_id")
def reopen_follow_up(contact_id: int):
    return _change_follow_up(contact_id, services.reopen_follow_up, "open", "Follow-up with {name} reopened.",
                             focus=True)


@bp.get("/follow-ups")
@allow("officer", "supervisor")
@audited("Viewed follow-ups")
def follow_ups():
    return htmx.render("outreach/follow_ups.html", due=queries.open_follow_ups(current_user),
                       recently_done=queries.recently_done_follow_ups(current_user))
