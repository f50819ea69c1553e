"""Outreach forms: the quick contact log, contact edits, stage moves, assessments, meetings, handover."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import (
    Field,     DateField, DateTimeLocalField, IntegerField, RadioField, SelectField, SelectMultipleField, StringField,
    SubmitField, TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.models import CHANNELS, OUTCOMES, PURPOSES, STAGES, label
from portal.params import MAX_ID, DateInRange
from portal.templating import safe_url

OUTCOME_BUTTONS = {
    "pending": "Sent, awaiting reply", "no_response": "No response", "acknowledged": "Acknowledged",
    "positive": "Positive", "negative": "Negative", "hostile": "Hostile",
}


_COUNT = {"class": "govuk-input--width-5", "inputmode": "numeric"}


def _choices(values) -> list[tuple[str, str]]:
    return [(v, label(v)) for v in values]


def _http_link(form, field) -> None:  # noqa: ARG001
    if field.data and safe_url(field.data) == "#":
        raise ValidationError("Enter a web address starting with http:// or https://")


class ContactDetailsMixin:
    """The optional extras shared by the quick log and the edit form.

    Declared once: ``DETAIL_FIELDS`` (what the service stores), ``details_data``, ``details_touched``
    and the template's loop (templates/macros/fields.html) all read this declaration, in its order.
    ``render_kw`` holds how each is shown (WTForms' own place for a field's HTML attributes).
    """

    purpose = SelectField("Purpose", validators=[Optional()],
                          choices=[("", "Suggested (introduce first, then inform)"), *_choices(PURPOSES)])
    direction = RadioField("Direction", default="outbound", render_kw={"class": "govuk-radios--small"},
                           choices=[("outbound", "We contacted them"), ("inbound", "They contacted us")],
                           validators=[DataRequired("Choose who made contact")])
    message_text = TextAreaField("Message text", render_kw={"rows": 4},
                                 validators=[Optional(), Length(max=10_000)])
    link = StringField("Link to the post or message", render_kw={"inputmode": "url", "spellcheck": "false"},
                       validators=[Optional(), Length(max=1000), _http_link])
    reach_views = IntegerField("Views", render_kw=_COUNT, validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    reach_replies = IntegerField("Replies", render_kw=_COUNT, validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    reach_reactions = IntegerField("Reactions", render_kw=_COUNT,
                                   validators=[Optional(), NumberRange(min=0, max=MAX_ID)])
    follow_up_on = DateField("Follow up on", render_kw={"type": "date", "class": "govuk-input--width-10"},
                             validators=[Optional(), DateInRange()], format="%Y-%m-%d")

    def detail_fields(self) -> list[Field]:
        """The bound detail fields, in the order they are declared (and shown)."""
        return [getattr(self, name) for name in DETAIL_FIELDS]

    def details_data(self) -> dict:
        return {field.name: field.data for field in self.detail_fields()}

    @property
    def details_touched(self) -> bool:
        """Open 'More details' when the officer has typed there or it holds an error."""
        return (any(field.data or field.errors for field in self.detail_fields() if field.name != "direction")
                or bool(self.direction.errors) or self.direction.data == "inbound")


#: The detail fields' names in declaration order (WTForms numbers fields as they are created).
DETAIL_FIELDS: tuple[str, ...] = tuple(sorted(
    (name for name, value in vars(ContactDetailsMixin).items() if isinstance(value, UnboundField)),
    key=lambda name: getattr(ContactDetailsMixin, name).creation_counter))


class QuickContactForm(ContactDetailsMixin, FlaskForm):
    template_id = IntegerField("Message template", validators=[Optional(), NumberRange(min=1, max=MAX_ID)])
    community_id = IntegerField("Community", validators=[InputRequired("Choose the community you contacted"),
                                                         NumberRange(min=1, max=MAX_ID, message="Choose a community")])
    channel = SelectField("Channel", choices=_choices(CHANNELS),
                          validators=[InputRequired("Choose how you made contact")])
    outcome = SelectField("Outcome", choices=list(OUTCOME_BUTTONS.items()),
                          validators=[InputRequired("Choose the outcome to save the contact")])

    def validate_channel(self, field) -> None:
        if field.data not in CHANNELS:
            raise ValidationError("Choose how you made contact")


class ContactEditForm(ContactDetailsMixin, FlaskForm):
    channel = SelectField("Channel", widget=GovSelect(), choices=_choices(CHANNELS), validators=[DataRequired()])
    outcome = SelectField("Outcome", widget=GovSelect(), choices=_choices(OUTCOMES), validators=[DataRequired()])
    purpose = SelectField("Purpose", widget=GovSelect(), choices=_choices(PURPOSES), validators=[DataRequired()])
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class StageMoveForm(FlaskForm):
    # validate_choice off: the stage rules say why a stage cannot be chosen ("already at this stage").
    to_stage = SelectField("New stage", widget=GovSelect(), choices=_choices(STAGES), validate_choice=False,
                           validators=[DataRequired("Choose the stage to move to")])
    evidence_contact_id = SelectField("Evidencing contact", widget=GovSelect(), coerce=int, choices=[],
                                      validators=[Optional()])
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Move stage", widget=GovSubmitInput())

    def offer_stages_from(self, current: str) -> None:
        """Offer every stage but the current one, with nothing chosen until the officer picks."""
        self.to_stage.choices = [("", "Choose the new stage"), *_choices(s for s in STAGES if s != current)]


SCALE = [(str(n), str(n)) for n in range(1, 6)]


class AssessmentForm(FlaskForm):
    trust = RadioField("Trust", widget=GovRadioInput(), choices=SCALE, coerce=int,
                       validators=[InputRequired("Rate trust from 1 to 5")])
    reciprocity = RadioField("Reciprocity", widget=GovRadioInput(), choices=SCALE, coerce=int,
                             validators=[InputRequired("Rate reciprocity from 1 to 5")])
    reach = RadioField("Reach", widget=GovRadioInput(), choices=SCALE, coerce=int,
                       validators=[InputRequired("Rate reach from 1 to 5")])
    note = TextAreaField("Note", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Save assessment", widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    title = StringField("What was the meeting", widget=GovTextInput(),
                        validators=[DataRequired("Enter what the meeting was"), Length(max=200)])
    area_id = SelectField("Area", widget=GovSelect(), coerce=int, choices=[], validators=[DataRequired()])
    held_at = DateTimeLocalField("When", widget=GovTextInput(), format="%Y-%m-%dT%H:%M",
                                 validators=[DataRequired("Enter when the meeting was held"), DateInRange()])
    place = StringField("Where", widget=GovTextInput(), validators=[Optional(), Length(max=200)])
    attendance = IntegerField("How many people came", widget=GovTextInput(),
                              validators=[Optional(), NumberRange(min=0, max=100_000)])
    communities = SelectMultipleField("Communities that promoted it", widget=GovCheckboxesInput(), coerce=int,
                                      choices=[], validators=[Optional()])
    notes = TextAreaField("Notes", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    submit = SubmitField("Save meeting", widget=GovSubmitInput())


class HandoverForm(FlaskForm):
    from_officer = SelectField("Officer leaving the beat", widget=GovSelect(), coerce=int, choices=[],
                               validators=[DataRequired()])
    to_officer = SelectField("Successor", widget=GovSelect(), coerce=int, choices=[], validators=[DataRequired()])
    note = TextAreaField("Handover note (added to each introduction task)", widget=GovTextArea(),
                         validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Hand over", widget=GovSubmitInput())

    def validate_to_officer(self, field) -> None:
        if field.data == self.from_officer.data:
            raise ValidationError("Choose a different officer as the successor")
