"""Sign-in and password forms."""
from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, ValidationError

from portal.auth.passwords import area_words, password_problem
from portal.params import LengthFirst


class LoginForm(FlaskForm):
    email = EmailField("Email address", widget=GovTextInput(),
                       validators=[LengthFirst(254), DataRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[LengthFirst(512), DataRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    password = PasswordField("New password", widget=GovPasswordInput(),
                             validators=[LengthFirst(512, "Enter a password of at most 512 characters"),
                                         DataRequired("Enter a password")])
    confirm = PasswordField("Confirm new password", widget=GovPasswordInput(),
                            validators=[DataRequired("Confirm the password"),
                                        EqualTo("password", "Passwords must match")])
    submit = SubmitField("Set password", widget=GovSubmitInput())

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.account_email = email  # its parts may not make up the password

    def validate_password(self, field) -> None:
        problem = password_problem(field.data or "", self.account_email, area_words())
        if problem:
            raise ValidationError(problem)
