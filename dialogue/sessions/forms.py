"""Forms for creating sessions, inviting people, creating an account from an invitation and
accepting it."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from ..auth.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from ..forms import Form, WholeNumberField
from ..localization import LANGUAGE_NAMES, time_zones, valid_time_zone

# The session's language, each named in itself; people who choose no interface language see
# the session's pages in it.
LANGUAGES = [SelectChoice(code, name) for code, name in LANGUAGE_NAMES.items()]


class SessionForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    side_a_label = StringField(_l("First side"), default="Armenia", validators=[DataRequired(), Length(max=60)])
    side_b_label = StringField(_l("Second side"), default="Azerbaijan", validators=[DataRequired(), Length(max=60)])
    language = SelectField(_l("Language of the session"), choices=LANGUAGES, default="en")
    # Checked against the tz database (valid_time_zone), with its own translated error.
    time_zone = SelectField(_l("Time zone of the session"), choices=[], default="UTC", validate_choice=False,
                            validators=[valid_time_zone])
    facilitator_name = StringField(_l("Your name in this session"), default=_l("Facilitator"),
                                   validators=[DataRequired(), Length(max=40)])
    ground_rules = TextAreaField(_l("Ground rules"), validators=[DataRequired(), Length(max=10000)])
    pseudonymous = BooleanField(_l("Pseudonymous: the platform gives participants neutral names"))
    submit = SubmitField(_l("Create session"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(name, name) for name in time_zones()]


class SessionSettingsForm(Form):
    """The manage page's settings of a session's language and time zone."""

    language = SelectField(_l("Language of the session"), choices=LANGUAGES)
    # Checked against the tz database (valid_time_zone), with its own translated error.
    time_zone = SelectField(_l("Time zone of the session"), choices=[], validate_choice=False,
                            validators=[valid_time_zone])
    submit = SubmitField(_l("Save language and time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(name, name) for name in time_zones()]


class InvitationForm(Form):
    role = SelectField(_l("Role"), choices=[
        SelectChoice("participant", _l("Participant")), SelectChoice("observer", _l("Observer")),
        SelectChoice("interpreter", _l("Interpreter")),
        SelectChoice("moderator", _l("Moderator")), SelectChoice("facilitator", _l("Co-facilitator"))])
    # The labels are the session's own side names; routes fill them in with side_choices().
    side = SelectField(_l("Side"), choices=[SelectChoice("a"), SelectChoice("b"), SelectChoice("")])
    max_uses = WholeNumberField(_l("How many people may use it (empty: no limit)"), default=1,
                                validators=[Optional(), NumberRange(min=1, max=10000)])
    # Its default comes from DIALOGUE_INVITATION_DAYS (the manage page fills it in).
    days = WholeNumberField(_l("Valid for days"), validators=[InputRequired(), NumberRange(min=1, max=365)])
    label = StringField(_l("Note for yourself"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Create invitation link"))


NAMING = [
    SelectChoice("pseudonym", _l("By the name I show here")),
    SelectChoice("side", _l("Only as a participant from my side")),
    SelectChoice("none", _l("Not at all: no name, no side")),
    SelectChoice("named", _l("By my real name")),
]


INCLUDE = [
    SelectChoice("yes", _l("Yes, my words may appear in the record")),
    SelectChoice("no", _l("No, leave everything I write out of any published record")),
]


def _one_of(choices, message):
    """A choice the member must make: nothing is chosen for them, and nothing else is taken."""
    return [InputRequired(message=message), AnyOf([c.value for c in choices], message=message)]


class JoinForm(Form):
    # Optional: a pseudonymous session assigns names itself.
    display_name = StringField(_l("The name others will see"), validators=[Optional(), Length(max=40)])
    accept_rules = BooleanField(_l("I have read the ground rules and accept them"))
    # Consent is an active choice: both questions start unanswered, and joining needs an answer.
    naming = RadioField(_l("In a published record of this dialogue, name me"), choices=NAMING, validate_choice=False,
                        validators=_one_of(NAMING, _l("Choose how you want to be named in a published record.")))
    include = RadioField(_l("May your words appear in a published record?"), choices=INCLUDE, validate_choice=False,
                         validators=_one_of(INCLUDE, _l("Choose whether your words may appear in a published record.")))
    submit = SubmitField(_l("Join the session"))

    def included(self) -> bool:
        return self.include.data == "yes"


class RegisterForm(Form):
    real_name = StringField(_l("Your name (only facilitators see it)"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("E-mail (only facilitators see it)"), validators=[DataRequired(), Length(max=254)])
    # The length and the rest of the password rules are checked by accounts.create_user, whose
    # refusal names the rule that was not met.
    password = PasswordField(_l("Password (at least %(n)d characters)", n=MIN_PASSWORD_LENGTH),
                             validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])
    submit = SubmitField(_l("Create account"))


def side_choices(session) -> list[SelectChoice]:
    """The side options of an invitation, labelled with the session's side names."""
    return [SelectChoice("a", session.side_a_label), SelectChoice("b", session.side_b_label),
            SelectChoice("", _("No side"))]
