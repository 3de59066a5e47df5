"""Forms for signing in, creating an account and managing API tokens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class RegisterForm(FlaskForm):
    real_name = StringField(_l("Your name (only facilitators see it)"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail (only facilitators see it)"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password (at least 10 characters)"), validators=[DataRequired(), Length(min=10, max=200)])
    submit = SubmitField(_l("Create account"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create token"))


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
