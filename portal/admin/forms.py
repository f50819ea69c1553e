"""Admin forms."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import EmailField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.areas import ProfileError, validate_profile
from portal.models import ROLE_LABELS, ROLES
from portal.params import LengthFirst


class InviteForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[LengthFirst(254, "Enter an email address of at most 254 characters"),
                                   DataRequired("Enter an email address"),
                                   Email("Enter an email address like name@force.police.uk",
                                         check_deliverability=False)])
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
