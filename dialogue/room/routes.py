"""The room page, where members read and write the conversation live."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.materials import materials
from ..forms import ConfirmForm
from ..models import DialogueSession, iso
from ..protocol import outsider_id

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
        is_speaker=permissions.is_speaker(membership),
        held_for_review=membership is not None and permissions.held_for_review(membership),
        my_role=permissions.role_in_session(current_user, membership) or "",
        muted_until=iso(permissions.muted_until(membership)) or "",
        me_id=membership.public_id if membership else outsider_id(session.id, current_user.id),
        max_chars=current_app.config["DIALOGUE_MAX_MESSAGE_CHARS"],
        materials=materials(session),
        can_staff_channel=permissions.can_use_staff_channel(membership),
    )

