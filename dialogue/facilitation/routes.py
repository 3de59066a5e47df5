"""The manage page's agenda and materials: saving the agenda, starting from a template,
attaching and removing materials."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..errors import DialogueError
from ..forms import whole_number
from ..web import flash_refusal, require_confirmed_post, session_or_404
from . import agenda, materials
from .forms import AgendaTemplateForm, MaterialForm

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
