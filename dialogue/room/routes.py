"""The room page, where members read and write the conversation live."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..auth.forms import ConfirmForm
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession
from ..services import facilitation

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
        can_write=membership is not None and membership.role in permissions.WRITING_ROLES,
        can_manage=permissions.can_manage_session(current_user, membership),
        max_chars=current_app.config["DIALOGUE_MAX_MESSAGE_CHARS"],
        materials=facilitation.materials(session),
        can_staff_channel=permissions.can_use_staff_channel(membership),
    )

