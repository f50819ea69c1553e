"""Forms of the audit feature: the log search, and a 'keep because…' decision."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from portal.params import DateInRange

KEEP_MONTHS = (3, 6, 12, 24)


class AuditSearchForm(FlaskForm):
    """GET search form: no CSRF (it changes nothing)."""

    class Meta:
        csrf = False

    actor = StringField("Who (email or name contains)", widget=GovTextInput(), validators=[Length(max=254)])
    action = SelectField("Action", widget=GovSelect(), choices=[], validate_choice=False)
    object_type = SelectField("Record type", widget=GovSelect(), choices=[], validate_choice=False)
    object_id = StringField("Record number", widget=GovTextInput(), validators=[Length(max=64)])
    date_from = DateField("From (yyyy-mm-dd)", widget=GovTextInput(), validators=[Optional(), DateInRange()])
    date_to = DateField("To (yyyy-mm-dd)", widget=GovTextInput(), validators=[Optional(), DateInRange()])
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate_date_to(self, field) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be on or after the start date")


class KeepForm(FlaskForm):
    object_type = HiddenField(validators=[DataRequired(), Length(max=40)])
    object_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    reason = TextAreaField("Keep because…", widget=GovTextArea(),
                           validators=[DataRequired("Say why this record must be kept"),
                                       Length(min=10, max=2000, message="Give a reason of 10 to 2000 characters")])
    months = SelectField("Keep for", widget=GovSelect(), coerce=int,
                         choices=[(m, f"{m} months") for m in KEEP_MONTHS],
                         validators=[DataRequired()])
    submit = SubmitField("Keep this record", widget=GovSubmitInput())
