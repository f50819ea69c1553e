"""Stage moves, assessments, meetings, tasks, gone-quiet lists and beat handover."""
from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import htmx
from portal.access import allow, get_in_area, require_area
from portal.audit_reads import audited
from portal.communities.choices import community_choices
from portal.extensions import db
from portal.models import Community, Meeting, OutreachContact, Task, User, label
from portal.outreach import bp, queries, services
from portal.outreach.forms import AssessmentForm, HandoverForm, MeetingForm, StageMoveForm
from portal.outreach.handover import hand_over
from portal.params import arg_bounded, arg_ids, arg_int
from portal.redirects import next_or


def _community(community_id: int) -> Community:
    community = db.session.get(Community, community_id)
    if community is None or community.status == "merged":
        abort(404)
    require_area(community.area_id)
    return community


def _evidence_choices(community: Community) -> list[tuple[int, str]]:
    contacts = db.session.scalars(select(OutreachContact).where(OutreachContact.community_id == community.id)
                                  .order_by(OutreachContact.occurred_at.desc()).limit(30))
    return [(0, "No evidence (backward moves and branches only)")] + [
        (c.id, f"{c.occurred_at:%d %b %Y}: {label(c.channel)}, {label(c.direction)}, {label(c.outcome)}")
        for c in contacts]


@bp.route("/communities/<int:community_id>/stage", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Opened the stage of community {community_id}", "Community", "community_id")
def move_stage(community_id: int):
    community = _community(community_id)
    form = StageMoveForm()
    form.offer_stages_from(community.stage)
    form.evidence_contact_id.choices = _evidence_choices(community)
    if request.method == "GET":
        form.to_stage.data = request.args.get("to") if request.args.get("to") != community.stage else ""
    if form.validate_on_submit():
        try:
            services.move_stage(community, form.to_stage.data, current_user,
                                evidence_contact_id=form.evidence_contact_id.data or None, note=form.note.data)
        except services.StageMoveRefused as refused:
            form.to_stage.errors.append(str(refused))
        else:
            db.session.commit()
            flash(f"{community.name} is now at stage “{label(form.to_stage.data)}”.", "success")
            return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    response = htmx.render("outreach/stage_move.html", form=form, community=community)
    response.status_code = 422 if form.errors else 200
    return response


@bp.route("/communities/<int:community_id>/assess", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Opened an assessment of community {community_id}", "Community", "community_id")
def assess(community_id: int):
    community = _community(community_id)
    form = AssessmentForm()
    if form.validate_on_submit():
        services.add_assessment(community, form.data, current_user)
        db.session.commit()
        flash("Assessment saved.", "success")
        return htmx.redirect(url_for("communities.community_detail", community_id=community.id))
    response = htmx.render("outreach/assess.html", form=form, community=community)
    response.status_code = 422 if form.errors else 200
    return response


@bp.get("/meetings")
@allow("officer", "supervisor", "admin")
@audited("Viewed meetings")
def meetings():
    query = select(Meeting).order_by(Meeting.held_at.desc()).limit(100)
    query = current_user.scope(query, Meeting.area_id)
    return htmx.render("outreach/meetings.html", meetings=list(db.session.scalars(query)))


@bp.route("/meetings/new", methods=["GET", "POST"])
@allow("officer", "supervisor")
@audited("Opened the meeting form")
def new_meeting():
    form = MeetingForm()
    form.area_id.choices = [(a.id, a.name) for a in current_user.areas]
    communities = _promoter_choices(form)
    form.communities.choices = [(c.id, c.name) for c in communities.values()]
    if form.validate_on_submit():
        chosen = [communities[i] for i in form.communities.data or () if i in communities]
        services.record_meeting(form.data, chosen, current_user)
        db.session.commit()
        flash("Meeting recorded.", "success")
        return htmx.redirect(url_for("outreach.meetings"))
    response = htmx.render("outreach/meeting_form.html", form=form)
    response.status_code = 422 if form.errors else 200
    return response


def _promoter_choices(form: MeetingForm) -> dict[int, Community]:
    """The visible communities to offer, plus any asked for (?community=, or posted) beyond the first page."""
    start = arg_int(request.args, "community")
    wanted = [*arg_ids(request.form, "communities"), start]
    offered = community_choices(current_user, wanted, base=queries.visible_to(current_user)
                                .where(Community.status == "active"))
    if request.method == "GET" and start in {c.id for c in offered}:
        form.communities.data = [start]
    return {c.id: c for c in offered}


@bp.post("/tasks/<int:task_id>/done")
@allow("officer", "supervisor")
def task_done(task_id: int):
    task = get_in_area(Task, task_id, lambda t: t.community.area_id)
    if current_user.role == "officer" and task.assignee_id != current_user.id:
        abort(403)
    services.complete_task(task)
    db.session.commit()
    flash("Task done.", "success")
    return htmx.redirect(next_or(request.form.get("next_url"), "outreach.follow_ups"))


@bp.get("/gone-quiet")
@allow("officer", "supervisor", "admin")
@audited("Viewed gone quiet")
def gone_quiet():
    days = arg_bounded(request.args, "days", 60, 1, 3650)
    return htmx.render("outreach/gone_quiet.html", days=days,
                       dropped=queries.activity_dropped(current_user),
                       stay_in_touch=queries.going_cold(current_user) if current_user.area_bound else [],
                       silent=queries.no_contact_for(current_user, days))


def _officers_for(user: User) -> list[User]:
    query = select(User).where(User.role == "officer", User.active.is_(True)).order_by(User.display_name)
    officers = list(db.session.scalars(query))
    if user.role == "supervisor":
        officers = [o for o in officers if o.area_ids & user.area_ids]
    return officers


@bp.route("/handover", methods=["GET", "POST"])
@allow("supervisor", "admin")
def handover():
    form = HandoverForm()
    officers = _officers_for(current_user)
    form.from_officer.choices = form.to_officer.choices = [(o.id, o.display_name) for o in officers]
    if form.validate_on_submit():
        old, new = db.get_or_404(User, form.from_officer.data), db.get_or_404(User, form.to_officer.data)
        result = hand_over(old, new, form.note.data, by=current_user)
        db.session.commit()
        flash(f"Handed over {result.communities} communities, {result.follow_ups} follow-ups and "
              f"{result.tasks} tasks to {new.display_name}.", "success")
        return htmx.redirect(url_for("outreach.handover"))
    response = htmx.render("outreach/handover.html", form=form)
    response.status_code = 422 if form.errors else 200
    return response
