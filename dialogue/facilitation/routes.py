"""The manage page's agenda and materials: saving the agenda, starting from a template,
attaching and removing materials; the glossary pages of a session and of the platform."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import permissions
from ..errors import DialogueError
from ..forms import ConfirmForm, whole_number
from ..models import DialogueSession
from ..web import flash_refusal, require_confirmed_post, session_or_404
from . import agenda, glossary, materials
from .forms import GLOSSARY_LANGUAGE_LABELS, AgendaTemplateForm, GlossaryEntryForm, MaterialForm

bp = Blueprint("facilitation", __name__)


@bp.post("/sessions/<session_id>/agenda")
@login_required
def save_agenda(session_id: str):
    """Save the agenda from the manage page: parallel lists title[], prompt[], minutes[]. A
    time box that is not a whole number from 1 to 600 answers 400 with the agenda's error."""
    require_confirmed_post()
    titles = request.form.getlist("title")
    prompts = request.form.getlist("prompt")
    minutes = request.form.getlist("minutes")
    phases = []
    for index, title in enumerate(titles):
        if not title.strip():
            continue  # an empty row is how a phase is removed
        phases.append({"title": title, "prompt": prompts[index] if index < len(prompts) else "",
                       "minutes": _time_box(minutes[index] if index < len(minutes) else "")})
    try:
        agenda.set_agenda(current_user, session_id, phases)
    except DialogueError as error:
        flash_refusal(error)
    else:
        flash(_("The agenda was saved."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#agenda")


def _time_box(raw: str) -> int | None:
    """A row's minutes: empty for none, else ASCII digits from 1 to 600 (raises invalid)."""
    if not raw.strip():
        return None
    try:
        return whole_number(raw.strip(), 1, agenda.MAX_TIME_BOX_MINUTES)
    except ValueError:
        raise agenda.time_box_refusal() from None


@bp.post("/sessions/<session_id>/agenda/template")
@login_required
def agenda_template(session_id: str):
    """Replace the agenda with one of the shipped templates."""
    form = AgendaTemplateForm()
    if not form.validate_on_submit():
        abort(400)
    agenda.apply_template(current_user, session_id, form.template.data)
    flash(_("The agenda now follows the template; edit it as you need."))
    return redirect(url_for("sessions.manage", session_id=session_id) + "#agenda")


@bp.post("/sessions/<session_id>/materials")
@login_required
def add_material(session_id: str):
    """Attach a text or a link for members to read."""
    session = session_or_404(session_id)
    form = MaterialForm()
    if form.validate_on_submit():
        try:
            materials.add_material(current_user, session, form.title.data, form.body.data or "", form.url.data)
        except DialogueError as error:
            flash_refusal(error)
        else:
            flash(_("The material was added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("sessions.manage", session_id=session_id) + "#materials")


@bp.post("/materials/<int:material_id>/remove")
@login_required
def remove_material(material_id: int):
    """Take a material away."""
    require_confirmed_post()
    material = materials.remove_material(current_user, material_id)
    flash(_("The material was removed."))
    return redirect(url_for("sessions.manage", session_id=material.session_id) + "#materials")


def _glossary_page(session: DialogueSession | None):
    """The glossary page of a session, or of the platform's list for None."""
    entries = glossary.glossary_object(session)
    can_edit = permissions.can_edit_glossary(current_user, session)
    edit_forms = {}
    if can_edit:
        for entry in entries:
            form = GlossaryEntryForm(formdata=None, prefix=f"entry-{entry['id']}")
            form.fill(entry)
            edit_forms[entry["id"]] = form
    return render_template(
        "facilitation/glossary.html", session=session, entries=entries, can_edit=can_edit,
        labels=glossary.side_labels(session), languages=GLOSSARY_LANGUAGE_LABELS,
        add_form=GlossaryEntryForm(formdata=None, prefix="new") if can_edit else None, edit_forms=edit_forms,
        can_start=can_edit and session is not None and not entries and bool(glossary.entries(None)),
        can_manage=session is not None and permissions.can_manage_session(
            current_user, permissions.current_membership(current_user, session)),
        confirm=ConfirmForm())


def _back(session_id: str | None):
    if session_id is None:
        return redirect(url_for("facilitation.platform_glossary"))
    return redirect(url_for("facilitation.glossary_page", session_id=session_id))


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


def _add(session_id: str | None):
    """Add an entry from the page's form; refusals and form errors are shown on the page."""
    form = GlossaryEntryForm(prefix="new")
    if form.validate_on_submit():
        try:
            glossary.add_entry(current_user, session_id, form.entry())
        except DialogueError as error:
            flash_refusal(error)
        else:
            flash(_("The entry was added to the glossary."))
    else:
        _flash_form_errors(form)
    return _back(session_id)


@bp.get("/sessions/<session_id>/glossary")
@login_required
def glossary_page(session_id: str):
    """The session's glossary: every member reads it; facilitators and admins also edit it."""
    session = session_or_404(session_id)
    try:
        permissions.require_view(current_user, session)
    except DialogueError:
        abort(403)
    return _glossary_page(session)


@bp.post("/sessions/<session_id>/glossary")
@login_required
def add_glossary_entry(session_id: str):
    """Add an entry to the session's glossary (facilitators and admins)."""
    permissions.require_edit_glossary(current_user, session_or_404(session_id))
    return _add(session_id)


@bp.post("/sessions/<session_id>/glossary/start")
@login_required
def start_glossary(session_id: str):
    """An empty session glossary starts from the platform's list."""
    require_confirmed_post()
    try:
        copied = glossary.start_from_platform(current_user, session_or_404(session_id).id)
    except DialogueError as error:
        flash_refusal(error)
    else:
        flash(ngettext("The glossary now starts from the platform's list (%(num)d entry); edit it as you need.",
                       "The glossary now starts from the platform's list (%(num)d entries); edit it as you need.",
                       copied))
    return _back(session_id)


@bp.route("/admin/glossary", methods=["GET", "POST"])
@login_required
def platform_glossary():
    """The platform's starting list, which admins keep; new sessions start from a copy."""
    if not permissions.can_edit_glossary(current_user, None):
        abort(403)
    if request.method == "POST":
        return _add(None)
    return _glossary_page(None)


@bp.post("/glossary/<int:entry_id>/edit")
@login_required
def edit_glossary_entry(entry_id: int):
    """Change an entry (its glossary's editors: a session's facilitators and admins, or the
    platform's admins)."""
    form = GlossaryEntryForm(prefix=f"entry-{entry_id}")
    if not form.validate_on_submit():
        # Who may is checked before the form's mistakes are shown to anyone.
        entry = glossary.editable_entry(current_user, entry_id)
        _flash_form_errors(form)
        return _back(entry.session_id)
    try:
        entry = glossary.edit_entry(current_user, entry_id, form.entry())
    except DialogueError as error:
        flash_refusal(error)
        entry = glossary.editable_entry(current_user, entry_id)
    else:
        flash(_("The entry was saved."))
    return _back(entry.session_id)


@bp.post("/glossary/<int:entry_id>/delete")
@login_required
def delete_glossary_entry(entry_id: int):
    """Take an entry out of its glossary."""
    require_confirmed_post()
    session_id = glossary.delete_entry(current_user, entry_id)
    flash(_("The entry was deleted."))
    return _back(session_id)


@bp.post("/glossary/<int:entry_id>/move")
@login_required
def move_glossary_entry(entry_id: int):
    """Move an entry one place up or down (form field `direction`)."""
    require_confirmed_post()
    entry = glossary.move_entry(current_user, entry_id, request.form.get("direction", ""))
    return _back(entry.session_id)
