"""The room page, where members read and write the conversation live."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_babel import get_locale
from flask_login import current_user, login_required

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.glossary import glossary_object
from ..facilitation.materials import materials
from ..facilitation.state import opened_phase_titles
from ..forms import ConfirmForm
from ..models import DialogueSession, iso
from ..protocol import outsider_id
from ..web import LANGUAGE_LABELS
from . import messages

bp = Blueprint("room", __name__)


@bp.get("/s/<session_id>")
@login_required
def room(session_id: str):
    """The live room of one session (members and admins)."""
    session = db.session.get(DialogueSession, session_id)
    if session is None:
        abort(404)
    try:
        membership = permissions.require_view(current_user, session)
    except DialogueError:
        abort(403)
    return render_template(
        "room/room.html", session=session, membership=membership, confirm=ConfirmForm(),
        can_write=permissions.can_write(membership),
        can_manage=permissions.can_manage_session(current_user, membership),
        can_moderate=permissions.works_as_staff(current_user, membership),
        can_flag=permissions.can_flag(current_user, membership),
        # Members read the participants' version once published (facilitators always could).
        published_transcript=session.published_at is not None
        and permissions.can_read_transcript(current_user, membership, session, "participants"),
        is_speaker=permissions.is_speaker(membership),
        held_for_review=membership is not None and permissions.held_for_review(membership),
        my_role=permissions.role_in_session(current_user, membership) or "",
        muted_until=iso(permissions.muted_until(membership)) or "",
        me_id=membership.public_id if membership else outsider_id(session.id, current_user.id),
        max_chars=current_app.config["DIALOGUE_MAX_MESSAGE_CHARS"],
        materials=materials(session),
        can_staff_channel=permissions.can_use_staff_channel(membership),
        can_translate=permissions.can_translate(current_user, membership),
        # Interpreters work from the list of what is untranslated; staff translate from messages.
        translation_desk=permissions.can_translate(current_user, membership)
        and not permissions.works_as_staff(current_user, membership),
        glossary=glossary_object(session) if permissions.can_translate(current_user, membership) else [],
        translation_view=current_user.translation_view or "mine",
        edit_minutes=current_app.config["DIALOGUE_EDIT_MINUTES"],
        writing_languages=[(code, LANGUAGE_LABELS.get(code, code)) for code in current_app.config["DIALOGUE_LANGUAGES"]],
        writing_language=_writing_language(session),
        phase_titles=opened_phase_titles(session),
    )



def _writing_language(session: DialogueSession) -> str:
    """What the composer offers first: the page's language, else the member's default."""
    shown = str(get_locale() or "")
    if shown in current_app.config["DIALOGUE_LANGUAGES"]:
        return shown
    return messages.default_lang(current_user, session)
