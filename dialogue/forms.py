"""Forms every feature uses, and the one reading of a whole number a person typed."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SubmitField

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1


def whole_number(text, low: int = 0, high: int = MAX_ID) -> int:
    """A whole number written in ASCII digits only, from `low` to `high`; ValueError for
    anything else: signs, spaces, underscores, other scripts' digits and superscripts (which
    `str.isdigit()` accepts and `int()` does not, or reads as another number), or a number
    out of bounds. It also serves as `request.args.get(name, type=whole_number)`."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 30:
        raise ValueError("not a whole number in ASCII digits")
    number = int(text)
    if not low <= number <= high:
        raise ValueError(f"not from {low} to {high}")
    return number


def database_id(text) -> int:
    """An id of a row, as a URL or a form gives it (ValueError if it cannot be one)."""
    return whole_number(text, 1, MAX_ID)


class WholeNumberField(IntegerField):
    """An IntegerField that reads ASCII digits only (see whole_number), never beyond 64 bits;
    the form's NumberRange gives its bounds and its error."""

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        try:
            self.data = whole_number(valuelist[0].strip())
        except (ValueError, AttributeError) as exc:
            self.data = None
            raise ValueError(self.invalid_value_message or self.gettext("Not a valid integer value.")) from exc


class ConfirmForm(FlaskForm):
    """An empty form: a button that carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
