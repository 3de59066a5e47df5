"""Forms of the manage page's agenda and materials."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..forms import Form


class AgendaTemplateForm(Form):
    template = SelectField(_l("Start from a template"), choices=[
        SelectChoice("memory", _l("Memory and reconciliation dialogue")),
        SelectChoice("workshop", _l("Problem-solving workshop"))])
    submit = SubmitField(_l("Use this template"))


class MaterialForm(Form):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Text (light Markdown)"), validators=[Optional(), Length(max=20000)])
    url = StringField(_l("Link"), validators=[Optional(), Length(max=500)])
    submit = SubmitField(_l("Add material"))
