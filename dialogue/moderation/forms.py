"""Forms for the watched-words list and a session's moderation settings."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..forms import Form, WholeNumberField


class WordForm(Form):
    term = StringField(_l("Term"), validators=[DataRequired(), Length(max=200)])
    action = SelectField(_l("What to do on a match"), default="hold", choices=[
        SelectChoice("hold", _l("Hold for review")), SelectChoice("flag", _l("Post, and queue for review")),
        SelectChoice("mask", _l("Post with the term masked")), SelectChoice("block", _l("Refuse the message"))])
    language = SelectField(_l("Language"), default="", choices=[
        SelectChoice("", _l("All languages")), SelectChoice("en", "English"), SelectChoice("ru", "Русский"),
        SelectChoice("hy", "Հայերեն"), SelectChoice("az", "Azərbaycan dili")])
    substring = BooleanField(_l("Match inside longer words too"))
    submit = SubmitField(_l("Add term"))


class ImportForm(Form):
    file = FileField(_l("CSV file (term,action,language,match)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class ModerationSettingsForm(Form):
    moderation = SelectField(_l("Moderation"), choices=[
        SelectChoice("post", _l("Post-moderation: messages appear at once; flagged ones are reviewed")),
        SelectChoice("pre", _l("Pre-moderation: participants' messages wait for a moderator"))])
    flag_threshold = WholeNumberField(_l("Flags from this many members hide a message for review"), default=3,
                                      validators=[InputRequired(), NumberRange(min=1, max=50)])
    two_key = BooleanField(_l("Two-key rule: removing a participant or rejecting their message needs a second moderator"))
    typing_indicator = BooleanField(_l("Show in the room when people are writing"))
    submit = SubmitField(_l("Save moderation settings"))
