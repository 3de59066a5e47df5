"""Forms of the manage page's agenda and materials, and of the glossary."""

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


# The four languages of a glossary entry, named in the page's language (column headers).
GLOSSARY_LANGUAGE_LABELS = {"hy": _l("Armenian"), "az": _l("Azerbaijani"), "ru": _l("Russian"),
                            "en": _l("English")}


def _form_field(label):
    return StringField(label, validators=[Optional(), Length(max=200)])


class GlossaryEntryForm(Form):
    """One glossary entry: a concept, each side's usage in each language, the agreed forms."""

    concept = StringField(_l("Concept"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    a_hy, a_az, a_ru, a_en = (_form_field(GLOSSARY_LANGUAGE_LABELS[lang]) for lang in ("hy", "az", "ru", "en"))
    b_hy, b_az, b_ru, b_en = (_form_field(GLOSSARY_LANGUAGE_LABELS[lang]) for lang in ("hy", "az", "ru", "en"))
    neutral_hy, neutral_az, neutral_ru, neutral_en = (_form_field(GLOSSARY_LANGUAGE_LABELS[lang])
                                                      for lang in ("hy", "az", "ru", "en"))
    submit = SubmitField(_l("Save the entry"))

    def entry(self) -> dict:
        """The entry as the glossary's actions take it."""
        def by_language(prefix):
            return {lang: getattr(self, f"{prefix}_{lang}").data or "" for lang in ("hy", "az", "ru", "en")}
        return {"concept": self.concept.data or "", "note": self.note.data or "",
                "forms": {"a": by_language("a"), "b": by_language("b")}, "neutral": by_language("neutral")}

    def fill(self, entry: dict) -> None:
        """Show an entry object (glossary.entry_object) in the form."""
        self.concept.data, self.note.data = entry["concept"], entry["note"]
        for lang in ("hy", "az", "ru", "en"):
            for side in ("a", "b"):
                getattr(self, f"{side}_{lang}").data = entry["forms"][side][lang] or ""
            getattr(self, f"neutral_{lang}").data = entry["neutral"][lang] or ""
