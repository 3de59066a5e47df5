"""Forms for creating sessions, inviting people and accepting an invitation."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

LANGUAGES = [("en", "English"), ("hy", "Հայերեն"), ("az", "Azərbaycanca"), ("ru", "Русский")]


class SessionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    side_a_label = StringField(_l("First side"), default="Armenia", validators=[DataRequired(), Length(max=60)])
    side_b_label = StringField(_l("Second side"), default="Azerbaijan", validators=[DataRequired(), Length(max=60)])
    language = SelectField(_l("Language of the session"), choices=LANGUAGES, default="en")
    facilitator_name = StringField(_l("Your name in this session"), default="Facilitator",
                                   validators=[DataRequired(), Length(max=40)])
    ground_rules = TextAreaField(_l("Ground rules"), validators=[DataRequired(), Length(max=10000)])
    submit = SubmitField(_l("Create session"))


class InvitationForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[("participant", _l("Participant")), ("observer", _l("Observer")),
                                             ("moderator", _l("Moderator")), ("facilitator", _l("Co-facilitator"))])
    side = SelectField(_l("Side"), choices=[("a", "a"), ("b", "b"), ("", _l("No side"))])
    max_uses = IntegerField(_l("How many people may use it (empty: no limit)"), default=1,
                            validators=[Optional(), NumberRange(min=1, max=10000)])
    days = IntegerField(_l("Valid for days"), default=14, validators=[InputRequired(), NumberRange(min=1, max=365)])
    label = StringField(_l("Note for yourself"), validators=[Optional(), Length(max=120)])
    submit = SubmitField(_l("Create invitation link"))


class JoinForm(FlaskForm):
    display_name = StringField(_l("The name others will see"), validators=[DataRequired(), Length(max=40)])
    accept_rules = BooleanField(_l("I have read the ground rules and accept them"))
    submit = SubmitField(_l("Join the session"))
