"""Members as moderation names them: by their session name, side and role."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
)
from ..protocol import member_object, outsider_id


def membership_of(session_id: str, user_id: int | None) -> Membership | None:
    """A person's membership of the session by account id, current or ended, or None."""
    if user_id is None:
        return None
    return db.session.scalar(select(Membership).where(Membership.session_id == session_id,
                                                      Membership.user_id == user_id))


def person(session: DialogueSession, user_id: int | None) -> dict | None:
    """How a queue item names the moderator who claimed, proposed or decided it."""
    if user_id is None:
        return None
    membership = membership_of(session.id, user_id)
    if membership is None:
        return {"id": outsider_id(session.id, user_id), "name": _("Administrator"), "side": None, "role": "admin"}
    return member_object(session, membership)
