"""Forms for signing in, the account's time zone and choice of translations, managing API
tokens and erasing one's personal data."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..forms import Form
from ..localization import time_zones, valid_time_zone
from .passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH


class LoginForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class CodeForm(Form):
    code = StringField(_l("Six-digit code from your authenticator app"),
                       validators=[DataRequired(), Length(min=6, max=12)])
    submit = SubmitField(_l("Continue"))


class PasswordForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("New password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
                                 validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Change password"))


class TokenForm(Form):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create token"))


class ForgetForm(Form):
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[DataRequired(), Length(max=200)])
    understood = BooleanField(_l("I understand: my name, e-mail address and password are erased and I cannot sign "
                                 "in again; what I wrote stays in the sessions' records under a neutral name"),
                              validators=[DataRequired()])
    submit = SubmitField(_l("Erase my personal data"))


class TimeZoneForm(Form):
    # Any IANA name is checked (valid_time_zone, with its own translated error), not only
    # the list's: the choice is refused with a message, never silently dropped.
    time_zone = SelectField(_l("Time zone"), choices=[], validate_choice=False, validators=[valid_time_zone])
    submit = SubmitField(_l("Save time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice("", _l("Not set: the session's time zone, else UTC")),
                                  *(SelectChoice(name, name) for name in time_zones())]


class TranslationViewForm(Form):
    view = SelectField(_l("Translations under messages"), choices=[
        SelectChoice("mine", _l("Into my language")), SelectChoice("all", _l("All")),
        SelectChoice("none", _l("None"))])
    submit = SubmitField(_l("Save the choice of translations"))
