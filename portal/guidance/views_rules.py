"""Rules admin: supervisors and admins add, edit and switch off guidance rules, with history."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from portal import htmx
from portal.access import allow
from portal.extensions import db
from portal.guidance import bp, feedback
from portal.guidance.check import BUILTIN_DETECTORS, RuleError
from portal.guidance.forms import RuleForm
from portal.guidance.rules import EDITABLE_FIELDS, save_rule
from portal.models import GuidanceRule


@bp.app_template_global()
def guidance_detector_names() -> str:
    """The built-in detectors that take no argument, for the rule form's hint."""
    return ", ".join(sorted(name for name, (_, needs) in BUILTIN_DETECTORS.items() if not needs))


@bp.get("/guidance/rules")
@allow("supervisor", "admin")
def rules():
    listing = list(db.session.scalars(select(GuidanceRule).order_by(GuidanceRule.category, GuidanceRule.code)))
    return htmx.render("guidance/rules.html", rules=listing, marks=feedback.counts_per_rule(current_user))


@bp.route("/guidance/rules/new", methods=["GET", "POST"])
@allow("supervisor", "admin")
def new_rule():
    form = RuleForm()
    if form.validate_on_submit():
        if db.session.scalar(select(GuidanceRule.id).where(GuidanceRule.code == form.code.data)):
            form.code.errors.append("A rule with this code already exists")
        elif (rule := _save(None, form)) is not None:
            return redirect(url_for("guidance.edit_rule", rule_id=rule.id), code=303)
    return htmx.render("guidance/rule.html", form=form, rule=None)


@bp.route("/guidance/rules/<int:rule_id>", methods=["GET", "POST"])
@allow("supervisor", "admin")
def edit_rule(rule_id: int):
    rule = db.session.get(GuidanceRule, rule_id) or abort(404)
    form = RuleForm(obj=rule)
    form.code.data = rule.code  # the code names the rule in every stored finding: it never changes
    if form.validate_on_submit() and _save(rule, form) is not None:
        return redirect(url_for("guidance.edit_rule", rule_id=rule.id), code=303)
    return htmx.render("guidance/rule.html", form=form, rule=rule)


def _save(rule: GuidanceRule | None, form: RuleForm) -> GuidanceRule | None:
    data = {name: getattr(form, name).data for name in ("code", *EDITABLE_FIELDS)}
    try:
        saved = save_rule(rule, data, current_user)
    except RuleError as exc:
        db.session.rollback()
        form.pattern.errors.append(f"This rule cannot be used: {exc}")
        return None
    db.session.commit()
    flash(f"Rule {saved.code} saved (version {saved.version}).", "success")
    return saved


@bp.post("/guidance/rules/<int:rule_id>/toggle")
@allow("supervisor", "admin")
def toggle_rule(rule_id: int):
    rule = db.session.get(GuidanceRule, rule_id) or abort(404)
    try:
        save_rule(rule, {"enabled": not rule.enabled}, current_user)
    except RuleError as exc:  # a stored rule that no longer compiles: edit it first
        db.session.rollback()
        flash(f"Rule {rule.code} cannot be switched on: {exc}. Edit it first.", "error")
        return htmx.redirect(url_for("guidance.rules"))
    db.session.commit()
    flash(f"Rule {rule.code} switched {'on' if rule.enabled else 'off'}.", "success")
    return htmx.redirect(url_for("guidance.rules"))


