"""Who is online in a session: one row per socket that joined it, shared by every process.

Each row names the server process that holds the socket. That process refreshes its rows on
every sweep and deletes them when the socket goes; rows that nobody refreshed for
:func:`stale_after` (their process died without cleaning up) are removed by any process. So
several processes can share a database, and a process that starts never touches the rows of
another that is still running; after a restart, the old process's rows go within that time.
"""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from .. import audience
from ..database import read_without_write_lock
from ..extensions import db
from ..models import DialogueSession, Membership, Presence, User, utcnow
from ..protocol import member_object

_process: tuple[int, str] | None = None


def process_id() -> str:
    """This server process's name in presence rows: host, pid and a random part (a new one
    after a fork, so workers forked from one parent never share it)."""
    global _process
    if _process is None or _process[0] != os.getpid():
        _process = (os.getpid(), f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}")
    return _process[1]


def stale_after() -> timedelta:
    """How long a row may go unrefreshed before it counts as left by a dead process: three
    sweeps, and never less than 15 seconds (so a restarted server shows no ghosts for long)."""
    return timedelta(seconds=max(15.0, 3 * current_app.config["DIALOGUE_SWEEP_SECONDS"]))


def online_members(db_session, session: DialogueSession) -> list[dict]:
    """Members with at least one socket in the session's room, each listed once; members who
    hid their presence are left out."""
    rows = db_session.scalars(
        select(Membership)
        .join(Presence, (Presence.session_id == Membership.session_id) & (Presence.user_id == Membership.user_id))
        .where(Membership.session_id == session.id, Membership.revoked_at.is_(None),
               Membership.hide_presence.is_(False))
        .distinct()
        .order_by(Membership.display_name)
    )
    return [member_object(session, m) for m in rows]


def queue_presence(db_session, session_id: str) -> None:
    """After `db_session` commits, send the session's room its new list of who is online."""
    session = db_session.get(DialogueSession, session_id)
    if session is None:
        return
    audience.to_session(db_session, session_id, "presence",
                        {"session_id": session_id, "online": online_members(db_session, session)})


def arrive(sid: str, session: DialogueSession, user: User) -> None:
    """A socket of this process joined a session: record it and tell the room. Part of the
    `join` handler's transaction (the event wrapper commits it), so a join that fails leaves
    no trace."""
    if db.session.get(Presence, (sid, session.id)) is None:
        db.session.add(Presence(sid=sid, session_id=session.id, user_id=user.id, process_id=process_id(),
                                seen_at=utcnow()))
        db.session.flush()
    queue_presence(db.session, session.id)


def depart(sid: str, session_id: str) -> None:
    """A socket left a session: forget it there and, if it was there, tell the room."""
    removed = db.session.execute(
        delete(Presence).where(Presence.sid == sid, Presence.session_id == session_id)).rowcount
    if removed:
        queue_presence(db.session, session_id)
    db.session.commit()


def forget_socket(sid: str) -> None:
    """A socket disconnected: forget it in every session it had joined and tell those rooms.

    Uses a database session of its own: a server-side drop disconnects sockets from inside
    another write's after-commit hook, where that write's session cannot be used."""
    with Session(db.engine) as own:
        try:
            session_ids = list(own.scalars(select(Presence.session_id).where(Presence.sid == sid)))
            if session_ids:
                own.execute(delete(Presence).where(Presence.sid == sid))
                for session_id in session_ids:
                    queue_presence(own, session_id)
            own.commit()
        except Exception:
            current_app.logger.exception("Cleaning up after a disconnect failed")
            own.rollback()


def refresh_and_expire(local_sids: set[str]) -> int:
    """Mark this process's rows of sockets still connected as seen now, and delete rows that
    no process refreshed in time (each room that lost some gets its new list). Returns how
    many rows were deleted. Reads first, without the write lock, and writes only when there
    is something to refresh or to delete."""
    cutoff = utcnow() - stale_after()
    stale = Presence.seen_at.is_(None) | (Presence.seen_at < cutoff)
    db.session.commit()
    read_without_write_lock(db.session)
    emptied = set(db.session.scalars(select(Presence.session_id).where(stale).distinct()))
    db.session.commit()
    if not local_sids and not emptied:
        return 0
    if local_sids:
        db.session.execute(update(Presence).where(Presence.process_id == process_id(),
                                                  Presence.sid.in_(local_sids)).values(seen_at=utcnow()))
    removed = 0
    if emptied:
        # The condition again, not the rows read above: one refreshed since then stays.
        removed = db.session.execute(delete(Presence).where(stale)).rowcount
        for session_id in emptied:
            queue_presence(db.session, session_id)
    db.session.commit()
    return removed
