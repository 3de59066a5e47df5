"""Forms every feature uses."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
