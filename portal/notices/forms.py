"""Forms: which notices a user gets."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovSubmitInput
from wtforms import SelectMultipleField, SubmitField

from portal.models import NOTICE_KINDS, REQUIRED_KINDS

CHOOSABLE = [(kind, words) for kind, words in NOTICE_KINDS.items() if kind not in REQUIRED_KINDS]


class NoticeSettingsForm(FlaskForm):
    kinds = SelectMultipleField("E-mail me when", widget=GovCheckboxesInput(), choices=CHOOSABLE)
    submit = SubmitField("Save my choices", widget=GovSubmitInput())
