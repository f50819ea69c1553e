"""Admin forms."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import (
    DateField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.areas import ProfileError, validate_profile
from portal.models import ROLE_LABELS, ROLES


class InviteForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[DataRequired("Enter an email address"),
                                   Email("Enter an email address like name@force.police.uk",
                                         check_deliverability=False), Length(max=254)])
    display_name = StringField("Name shown to colleagues", widget=GovTextInput(),
                               validators=[DataRequired("Enter a name"), Length(max=120)])
    role = SelectField("Role", widget=GovSelect(), choices=[(r, ROLE_LABELS[r]) for r in ROLES],
                       validators=[DataRequired()])
    areas = SelectMultipleField("Areas", widget=GovCheckboxesInput(), coerce=int, choices=[])
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class UserAreasForm(FlaskForm):
    areas = SelectMultipleField("Areas", widget=GovCheckboxesInput(), coerce=int, choices=[])
    submit = SubmitField("Save areas", widget=GovSubmitInput())


class AreaForm(FlaskForm):
    name = StringField("Area name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the area's name"), Length(max=200)])
    profile_json = TextAreaField(
        "Area profile (JSON)", widget=GovTextArea(),
        validators=[DataRequired("Enter the area profile"), Length(max=200_000)],
    )
    submit = SubmitField("Save area", widget=GovSubmitInput())

    def validate_profile_json(self, field) -> None:
        try:
            data = json.loads(field.data)
        except ValueError as exc:
            raise ValidationError(f"The profile is not valid JSON: {exc}") from exc
        if isinstance(data, dict) and "name" not in data and self.name.data:
            data["name"] = self.name.data
        try:
            self.profile = validate_profile(data)
        except ProfileError as exc:
            raise ValidationError(str(exc)) from exc


class ResearchProjectForm(FlaskForm):
    """An admin's approval of a research project: who, what for, until when, at what level."""

    name = StringField("Project name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the project's name"), Length(max=200)])
    purpose = TextAreaField("Purpose", widget=GovTextArea(),
                            validators=[DataRequired("Enter what the data will be used for"), Length(max=5000)])
    expires_on = DateField("Expiry date (yyyy-mm-dd)", widget=GovTextInput(),
                           validators=[DataRequired("Enter the date the approval ends, for example 2027-03-31")])
    level = RadioField("Level", widget=GovRadioInput(), default="standard", choices=[
        ("standard", "Standard: dates as weeks, views, replies and reactions banded"),
        ("detailed", "Detailed: exact days and counts")], validators=[DataRequired("Choose a level")])
    members = SelectMultipleField("Members", widget=GovCheckboxesInput(), coerce=int, choices=[])
    submit = SubmitField("Approve project", widget=GovSubmitInput())

    def validate_expires_on(self, field) -> None:
        from portal.models import utcnow

        if field.data and field.data < utcnow().date():
            raise ValidationError("The expiry date must be today or later")
        if field.data and field.data.year > utcnow().year + 10:
            raise ValidationError("Approve a project for at most ten years")
