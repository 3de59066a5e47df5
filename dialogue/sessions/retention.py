"""The retention period: some time after a session ends, its members' personal data goes.

What goes: the names members showed (each becomes "Former member …"), flag notes, invitation
labels and who was online; from then on no transcript of the session names anyone by real
name. What stays: the conversation itself and its integrity chain, so published digests and
exported transcripts still verify. The security log's entries older than the period go too
(they hold networks). Run by `dialogue retention apply` and by every server once an hour.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ..auth.accounts import anonymise_membership
from ..database import read_without_write_lock
from ..extensions import db
from ..models import DialogueSession, Flag, Invitation, Membership, Presence, SecurityEvent, utcnow
from ..writes import session_write


def due_sessions(days: int) -> list[str]:
    """Ended sessions whose personal data is older than `days` days and still there."""
    db.session.commit()
    read_without_write_lock(db.session)
    ids = list(db.session.scalars(select(DialogueSession.id).where(
        DialogueSession.state == "ended", DialogueSession.ended_at <= utcnow() - timedelta(days=days),
        DialogueSession.personal_data_removed_at.is_(None))))
    db.session.commit()
    return ids


def remove_personal_data(session_id: str) -> None:
    """Remove one ended session's personal data (under its row lock, as every write to it)."""
    with session_write(session_id) as session:
        for membership in db.session.scalars(select(Membership).where(Membership.session_id == session.id)):
            anonymise_membership(membership)
        db.session.execute(update(Flag).where(Flag.session_id == session.id).values(note=""))
        db.session.execute(update(Invitation).where(Invitation.session_id == session.id).values(label=""))
        db.session.execute(delete(Presence).where(Presence.session_id == session.id))
        session.personal_data_removed_at = utcnow()
        db.session.commit()


def apply(days: int | None = None) -> tuple[int, int]:
    """Apply the retention period (DIALOGUE_RETENTION_DAYS unless given; none: do nothing).
    Returns (sessions cleared, security log entries removed)."""
    days = days if days is not None else current_app.config["DIALOGUE_RETENTION_DAYS"]
    if not days:
        return 0, 0
    cleared = 0
    for session_id in due_sessions(days):
        remove_personal_data(session_id)
        cleared += 1
    removed = db.session.execute(delete(SecurityEvent).where(
        SecurityEvent.created_at < utcnow() - timedelta(days=days))).rowcount
    db.session.commit()
    return cleared, removed
