"""Members' flags: enough of them from different members hide a message for review."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    AuditEntry,
    DialogueSession,
    Flag,
    Message,
    User,
)
from ..writes import session_write
from .audit import audit, reason_text
from .decisions import set_status
from .queue import enqueue, parse_message_id

__all__ = ["FLAG_REASONS", "flag", "parse_message_id"]

FLAG_REASONS = ("incitement", "hate", "personal_attack", "identifying_info", "off_topic", "spam", "other")


def flag(user: User, message_id, reason, note=None) -> None:
    """A member flags a message they can see; enough distinct flags hide it for review."""
    message_id = parse_message_id(message_id)
    if reason not in FLAG_REASONS:
        raise DialogueError("invalid", _("reason must be one of: %(r)s.", r=", ".join(FLAG_REASONS)))
    note = reason_text(note, required=reason == "other")
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    # Only members may take the session's write lock (checked again under it).
    if permissions.current_membership(user, db.session.get(DialogueSession, found.session_id)) is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        message = db.session.get(Message, message_id)
        membership = permissions.current_membership(user, session)
        if membership is None or not permissions.can_see_message(user, membership, message):
            raise DialogueError("not_found")
        if not permissions.can_flag(user, membership):
            raise DialogueError("forbidden")
        if message.author_id == user.id:
            raise DialogueError("invalid", _("You cannot flag your own message."))
        if message.status == "redacted":
            raise DialogueError("conflict")
        if db.session.scalar(select(Flag.id).where(Flag.message_id == message.id, Flag.flagger_id == user.id)):
            db.session.rollback()
            return
        db.session.add(Flag(session_id=session.id, message_id=message.id, flagger_id=user.id, reason=reason, note=note))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return
        # The note stays with the flag (and goes with a redaction); the log keeps the reason code.
        audit(session.id, user.id, "flag", target_type="message", target_id=message.id, reason=reason)
        distinct = db.session.scalar(select(func.count(func.distinct(Flag.flagger_id)))
                                     .where(Flag.message_id == message.id))
        # Once a moderator approved the message, flags queue it again but never hide it again.
        approved_before = db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.session_id == session.id, AuditEntry.action == "approve",
            AuditEntry.target_type == "message", AuditEntry.target_id == str(message.id)).limit(1)) is not None
        if distinct >= session.flag_threshold and message.status == "visible" and not approved_before:
            set_status(session, message, "hidden")
            audit(session.id, None, "hide", target_type="message", target_id=message.id,
                  reason="flag threshold", flags=distinct)
            audience.to_member(session.id, message.author_id, "notice",
                               {"kind": "held", "message_id": message.id, "reason": "flags"})
        enqueue(session, message, [], user.id)
        db.session.commit()
