"""Admin forms."""
from __future__ import annotations

import json

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput, GovFileInput, GovRadioInput, GovSelect, GovSubmitInput, GovTextArea, GovTextInput,
)
from wtforms import (
    DateField, EmailField, RadioField, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, ValidationError

from portal.areas import ProfileError, empty_profile, validate_profile
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
        "Area profile (JSON)", widget=GovTextArea(), validators=[Length(max=200_000)],
    )
    submit = SubmitField("Save area", widget=GovSubmitInput())

    def __init__(self, *args, new: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        #: A new area may start with no profile at all (it is built or imported later).
        self.new = new

    def validate_profile_json(self, field) -> None:
        if not (field.data or "").strip():
            if not self.new:
                raise ValidationError("Enter the area profile")
            self.profile = empty_profile(self.name.data or "")
            return
        try:
            data = json.loads(field.data)
        except ValueError as exc:
            raise ValidationError(f"The profile is not valid JSON: {exc}") from exc
        if isinstance(data, dict) and "name" not in data and self.name.data:
            data["name"] = self.name.data
        try:
            self.profile = validate_profile(data, allow_empty=True)
        except ProfileError as exc:
            raise ValidationError(str(exc)) from exc


class BuildAreaForm(FlaskForm):
    """Upload the official files and choose the council (and wards) to build a profile for."""

    onspd = FileField("ONS Postcode Directory (CSV or the zip it comes in)", widget=GovFileInput(),
                      validators=[FileRequired("Choose the ONS Postcode Directory file")])
    names = FileField("Place names: ONS Index of Place Names or OS Open Names (CSV or zip)", widget=GovFileInput(),
                      validators=[FileRequired("Choose the place names file")])
    lad = StringField("Local authority", widget=GovTextInput(),
                      validators=[DataRequired("Enter the local authority's code (like E07000063) or name"),
                                  Length(max=120)])
    wards = TextAreaField("Wards (optional, one per line)", widget=GovTextArea(), validators=[Length(max=5000)])
    name = StringField("Name of the area (optional)", widget=GovTextInput(), validators=[Length(max=200)])
    submit = SubmitField("Upload and build", widget=GovSubmitInput())

    @property
    def ward_list(self) -> list[str]:
        return [w.strip() for w in (self.wards.data or "").replace(",", "\n").splitlines() if w.strip()][:100]


class SaveBuiltAreaForm(FlaskForm):
    """Save a previewed profile: to a new area or over an existing one, keeping chosen ambiguous names."""

    area = SelectField("Save as", widget=GovSelect(), coerce=int, choices=[])
    name = StringField("Area name", widget=GovTextInput(),
                       validators=[DataRequired("Enter the area's name"), Length(max=200)])
    keep = SelectMultipleField("Ambiguous names to keep as places", widget=GovCheckboxesInput(), choices=[])
    submit = SubmitField("Save area profile", widget=GovSubmitInput())


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


class GroupMappingForm(FlaskForm):
    group_name = StringField("Group or app role, as the identity provider names it", widget=GovTextInput(),
                             validators=[LengthFirst(200, "Enter at most 200 characters"),
                                         DataRequired("Enter the group's name or id")])
    role = SelectField("Role it gives", widget=GovSelect(),
                       choices=[("", "No role (areas only)")] + [(r, ROLE_LABELS[r]) for r in ROLES])
    area_id = SelectField("Area it gives", widget=GovSelect(), coerce=int, choices=[])
    submit = SubmitField("Add mapping", widget=GovSubmitInput())
