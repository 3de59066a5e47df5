"""Forms for signing in, managing API tokens and erasing one's personal data."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)])
    submit = SubmitField(_l("Create token"))


class ForgetForm(FlaskForm):
    password = PasswordField(_l("Your password, to confirm it is you"), validators=[DataRequired(), Length(max=200)])
    understood = BooleanField(_l("I understand: my name, e-mail address and password are erased and I cannot sign "
                                 "in again; what I wrote stays in the sessions' records under a neutral name"),
                              validators=[DataRequired()])
    submit = SubmitField(_l("Erase my personal data"))
