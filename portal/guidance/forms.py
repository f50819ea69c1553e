"""Forms of the guidance feature."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from portal.guidance.check import CATEGORIES, KINDS, MAX_TEXT_LENGTH, SEVERITIES
from portal.guidance.support import REASONS
from portal.models import label

SEVERITY_LABELS = {"advice": "Advice", "needs_supervisor": "Needs a supervisor", "do_not_send": "Do not send"}
KIND_LABELS = {"keywords": "Words or phrases (comma-separated)", "regex": "Regular expression",
               "builtin": "Built-in detector"}


class DecisionForm(FlaskForm):
    decision = RadioField("Your decision", widget=GovRadioInput(), choices=[
        ("approve", "Approve: the message can be sent"),
        ("changes", "Ask for changes"),
        ("reject", "Reject: the message must not be sent"),
    ], validators=[DataRequired("Choose a decision")])
    comment = TextAreaField("Comment for the officer", widget=GovTextArea(),
                            validators=[Length(max=2000)])
    submit = SubmitField("Record decision", widget=GovSubmitInput())

    def validate_comment(self, field) -> None:
        if self.decision.data in {"changes", "reject"} and not (field.data or "").strip():
            raise ValidationError("Say what needs to change, so the officer can act on it")


class RuleForm(FlaskForm):
    code = StringField("Code", widget=GovTextInput(), validators=[
        DataRequired("Enter a short code, like personal.phone"), Length(max=80),
        Regexp(r"^[a-z0-9_.-]+$", message="Use lower-case letters, digits, dots, dashes and underscores")])
    category = SelectField("Category", widget=GovSelect(), choices=[(c, label(c)) for c in CATEGORIES])
    severity = SelectField("Severity", widget=GovSelect(), choices=[(s, SEVERITY_LABELS[s]) for s in SEVERITIES])
    kind = SelectField("Kind of rule", widget=GovSelect(), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    pattern = TextAreaField("Pattern", widget=GovTextArea(), validators=[
        DataRequired("Enter the words, expression or detector"), Length(max=2000)])
    explanation = TextAreaField("Explanation shown to the officer", widget=GovTextArea(), validators=[
        DataRequired("Explain in plain English why this matters"), Length(max=1000)])
    enabled = BooleanField("Rule is switched on", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save rule", widget=GovSubmitInput())


class FlagForm(FlaskForm):
    community_id = SelectField("Community", widget=GovSelect(), coerce=int, choices=[],
                               validators=[DataRequired("Choose the community")])
    reason = RadioField("What is happening?", widget=GovRadioInput(), choices=[
        ("hostile_thread", "A thread has turned hostile"), ("media_interest", "The media are interested"),
        ("other", "Something else")], validators=[DataRequired("Say what is happening")])
    thread_link = StringField("Link to the thread (optional)", widget=GovTextInput(), validators=[
        Optional(), Length(max=1000), URL(message="Enter a web address starting with https://")])
    note = TextAreaField("What would help?", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Ask for backup", widget=GovSubmitInput())

    def validate_reason(self, field) -> None:
        if field.data not in REASONS:
            raise ValidationError("Say what is happening")


class NoteForm(FlaskForm):
    kind = RadioField("Kind of note", widget=GovRadioInput(), default="support", choices=[
        ("support", "Support note"), ("debrief", "Debrief after the incident")])
    body = TextAreaField("Note", widget=GovTextArea(), validators=[
        DataRequired("Write the note"), Length(max=4000)])
    submit = SubmitField("Add note", widget=GovSubmitInput())


class CheckForm(FlaskForm):
    message_text = TextAreaField("Message", widget=GovTextArea(), validators=[Length(max=MAX_TEXT_LENGTH)])
    community_id = SelectField("Where will it be posted? (optional)", widget=GovSelect(), coerce=int,
                               choices=[], validate_choice=False)
