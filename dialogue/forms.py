"""Forms every feature uses, and the one reading of a whole number a person typed."""

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import IntegerField, SubmitField

from .models import MAX_ROW_ID

# The largest number a form or URL may give: it goes into an Integer column (models.MAX_ROW_ID).
MAX_ID = MAX_ROW_ID


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


# WTForms' own messages that the platform's forms can show, in the platform's catalogs (WTForms
# has no Armenian or Azerbaijani): listed here so that `make catalogs` extracts them.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid integer value."),
    _l("Not a valid choice."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    lazy_ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1),
    _l("The CSRF token is missing."),
    _l("The CSRF token is invalid."),
    _l("The CSRF token has expired."),
    _l("The CSRF tokens do not match."),
)


class _FormTranslations:
    """WTForms' messages in the page's language: the platform's catalog first, then WTForms' own."""

    @staticmethod
    def gettext(string):
        translated = get_translations().ugettext(string)
        return translated if translated != string else wtforms_translations.gettext(string)

    @staticmethod
    def ngettext(singular, plural, n):
        translated = get_translations().ungettext(singular, plural, n)
        return translated if translated not in (singular, plural) else wtforms_translations.ngettext(singular, plural, n)


class Form(FlaskForm):
    """The base of every form of the platform: FlaskForm, its messages in the page's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _FormTranslations()


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


class ConfirmForm(Form):
    """An empty form: a button that carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
