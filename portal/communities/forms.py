"""Catalogue forms: add/edit by hand, merge and archive."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from portal.models import PLATFORMS, label
from portal.params import MAX_ID
from portal.templating import safe_url


def _choices(values) -> list[tuple[str, str]]:
    return [(v, label(v)) for v in values]


class CommunityForm(FlaskForm):
    name = StringField("Name", widget=GovTextInput(), validators=[DataRequired("Enter the community's name"),
                                                                   Length(max=300)])
    url = StringField("Web address (leave empty for e.g. a WhatsApp group)", widget=GovTextInput(),
                      validators=[Optional(), Length(max=1000)])
    platform = SelectField("Platform", widget=GovSelect(), choices=_choices(PLATFORMS), validators=[DataRequired()])
    area_id = SelectField("Area", widget=GovSelect(), coerce=int, choices=[], validators=[DataRequired()])
    access = RadioField("Access", widget=GovRadioInput(), choices=[
        ("public", "Public: anyone can read it"), ("closed", "Closed: members only"),
        ("invite", "Invite only")], default="public", validators=[DataRequired()])
    gatekeeper_role = StringField("Gatekeeper role (a role, never a name: e.g. “group admin”)",
                                  widget=GovTextInput(), validators=[Optional(), Length(max=120)])
    house_rules = TextAreaField("House rules", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    police_welcome = RadioField("Are police welcome?", widget=GovRadioInput(), default="unknown",
                                choices=[("unknown", "Not known"), ("yes", "Yes"), ("no", "No")],
                                validators=[DataRequired()])
    audience_size = IntegerField("Audience size (members or followers)", widget=GovTextInput(),
                                 validators=[Optional(), NumberRange(min=0, max=100_000_000)])
    tags = StringField("Tags (comma separated)", widget=GovTextInput(), validators=[Optional(), Length(max=600)])
    stay_in_touch_days = IntegerField("Stay in touch at least every … days", widget=GovTextInput(),
                                      validators=[Optional(), NumberRange(min=1, max=3650)])
    description = TextAreaField("Description", widget=GovTextArea(), validators=[Optional(), Length(max=5000)])
    not_duplicate = BooleanField("This is a different community from the ones listed", widget=GovCheckboxInput())
    submit = SubmitField("Save community", widget=GovSubmitInput())

    def validate_url(self, field) -> None:
        if field.data and safe_url(field.data if "://" in field.data else "https://" + field.data) == "#":
            raise ValidationError("Enter a web address starting with http:// or https://")

    def community_data(self) -> dict:
        data = {name: getattr(self, name).data for name in (
            "name", "platform", "area_id", "access", "gatekeeper_role", "house_rules", "police_welcome",
            "audience_size", "tags", "stay_in_touch_days", "description")}
        url = (self.url.data or "").strip()
        data["url"] = (url if "://" in url else "https://" + url) if url else None
        return data


class MergeForm(FlaskForm):
    other_id = IntegerField("Record number of the duplicate to fold into this one", widget=GovTextInput(),
                            validators=[DataRequired("Enter the duplicate's record number"),
                                        NumberRange(min=1, max=MAX_ID, message="Enter a record number")])
    reason = TextAreaField("Why are these the same community?", widget=GovTextArea(),
                           validators=[DataRequired("Say why these records are the same community"),
                                       Length(max=2000)])
    submit = SubmitField("Merge records", widget=GovSubmitInput())


class ArchiveForm(FlaskForm):
    reason = TextAreaField("Reason", widget=GovTextArea(), validators=[Optional(), Length(max=2000)])
    submit = SubmitField("Archive", widget=GovSubmitInput())
