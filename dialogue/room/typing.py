"""The typing indicator: a member who may write now says they are writing (or stopped), and
everyone in the room hears it, by an opaque writer id; names only where the session is not
pseudonymous. Nothing is stored: clients forget a writer who has said nothing for a while
(docs/protocol.md, "Typing")."""

from __future__ import annotations

from flask_babel import gettext as _

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession, User
from ..protocol import writer_id


def typing(user: User, session_id: str, active) -> dict:
    """Tell the room that the caller is writing (`active` true) or stopped (false)."""
    if not isinstance(active, bool):
        raise DialogueError("invalid", _("typing must be true or false."))
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    if not session.typing_indicator:
        raise DialogueError("conflict", _("This session does not show who is writing."))
    if active:
        # Only someone who could send now says they are writing: not observers, not while
        # muted, paused or ended, not out of turn.
        permissions.require_send(user, session, membership)
        permissions.require_turn(session, membership)
    elif not permissions.can_write(membership):  # stopping is always allowed to writers
        raise DialogueError("forbidden")
    writer = writer_id(session.id, membership.id)
    payload = {"session_id": session.id, "writer": writer, "typing": active}
    if not session.pseudonymous:
        payload["member_id"] = membership.public_id
    audience.typing(session.id, payload)
    db.session.commit()
    return {"writer": writer}
