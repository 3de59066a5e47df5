"""The one way into a write to a dialogue session: its row lock, its event order, its seq.

Every write path that changes what members of a session see opens :func:`session_write`,
so writes to one session are serialized (the database row lock across processes, a lock
stripe in this process until its events are sent) and each takes the next gap-free `seq`.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import select

from .emitter import ordered_writes
from .errors import DialogueError
from .extensions import db
from .models import DialogueSession


@contextmanager
def session_write(session_id: str):
    """Open a write to one dialogue session: its row is locked and its seq may be bumped.

    Ends any read transaction first so that no transaction is held while waiting for the
    per-session ordering lock, and forgets every object read before: what the write path
    reads from here on is read under the lock, never a copy from before another write
    committed. Yields the locked DialogueSession, or raises not_found.
    """
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        raise DialogueError("not_found")
    db.session.commit()
    db.session.expire_all()
    with ordered_writes(session_id):
        session = db.session.scalar(
            select(DialogueSession).where(DialogueSession.id == session_id).with_for_update()
            .execution_options(populate_existing=True)
        )
        if session is None:
            db.session.rollback()
            raise DialogueError("not_found")
        try:
            yield session
        except BaseException:
            db.session.rollback()
            raise


def next_seq(session: DialogueSession) -> int:
    """Take the session's next event sequence number. Call while holding its row lock."""
    session.last_seq = (session.last_seq or 0) + 1
    return session.last_seq
