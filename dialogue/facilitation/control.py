"""Facilitators' controls: start, pause, resume and end, and reopen a session ended by mistake
within the grace period; move through the agenda; the floor mode; locking the room; the
balance bar."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete

from .. import permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..localization import local_moment
from ..models import (
    FLOOR_MODES,
    AuditEntry,
    DialogueSession,
    RaisedHand,
    User,
    utcnow,
)
from ..protocol import iso
from ..writes import session_write
from .agenda import enter_phase
from .floor import clear_floor, offer_floor
from .state import notify_state, phases

CONTROL_ACTIONS = ("start", "pause", "resume", "end", "reopen", "next_phase", "previous_phase", "floor_mode",
                   "lock", "unlock", "show_balance", "hide_balance")


STATE_CHANGES = {"start": ("draft",), "pause": ("live",), "resume": ("paused",), "end": ("live", "paused")}


NEW_STATE = {"start": "live", "pause": "paused", "resume": "live", "end": "ended"}


def control(user: User, session_id, action, floor_mode=None) -> DialogueSession:
    """Facilitators start, pause, resume, end and reopen the session, move through the agenda,
    switch the floor mode, lock the room and show or hide the balance bar."""
    if action not in CONTROL_ACTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(CONTROL_ACTIONS)))
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        now = utcnow()
        if action in STATE_CHANGES:
            if session.state not in STATE_CHANGES[action]:
                raise DialogueError("conflict", _("The session is %(state)s.", state=session.state))
            session.state = NEW_STATE[action]
            if action == "pause":
                session.paused_at = now
            elif action == "resume" and session.paused_at is not None:
                stood_still = now - session.paused_at
                if session.phase_ends_at is not None:
                    session.phase_ends_at += stood_still
                if session.floor_ends_at is not None:
                    session.floor_ends_at += stood_still
                session.paused_at = None
            if action == "start":
                session.started_at = now
            if action == "end":
                session.ended_at = now
                clear_floor(session)
                db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id))
        elif action == "reopen":
            reopen(user, session, now)
        elif action in ("next_phase", "previous_phase"):
            agenda = phases(session)
            current = session.phase_index
            target = (0 if current is None else current + 1) if action == "next_phase" else \
                (None if current is None else current - 1)
            if target is None or not 0 <= target < len(agenda):
                raise DialogueError("invalid", _("There is no phase to move to."))
            enter_phase(session, agenda, target, now)
        elif action == "floor_mode":
            if floor_mode not in FLOOR_MODES:
                raise DialogueError("invalid", _("floor_mode must be one of: %(m)s.", m=", ".join(FLOOR_MODES)))
            session.floor_mode = floor_mode
            if floor_mode == "open":
                # Everyone may write now: hands raised for a turn would only be left hanging.
                clear_floor(session)
                db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id))
            elif floor_mode == "alternate" and session.floor_user_id is None:
                offer_floor(session, now)
        elif action in ("lock", "unlock"):
            session.locked = action == "lock"
        else:
            session.show_balance = action == "show_balance"
        notify_state(session)
        db.session.commit()
        return session


def reopen(user: User, session: DialogueSession, now) -> None:
    """Undo a mistaken end within DIALOGUE_REOPEN_MINUTES: the session goes back to the state it
    was ended from (paused if it was paused, else live, its phase's time box moved on by the
    time it stood ended), with the reopening on its chain and in its audit log. Later, or
    once its personal data was removed, it stays ended (`conflict`, with the deadline)."""
    minutes = current_app.config["DIALOGUE_REOPEN_MINUTES"]
    deadline = permissions.reopen_deadline(session, minutes)
    if deadline is None:
        raise DialogueError("conflict", _("The session is %(state)s.", state=session.state))
    if not permissions.can_reopen(session, minutes, now):
        raise DialogueError("conflict", _("An ended session can be reopened only within %(n)d minutes of its end, "
                                          "until %(time)s.", n=minutes, time=local_moment(deadline)),
                            until=iso(deadline))
    ended_at = session.ended_at
    # Ending keeps paused_at: a session ended while paused goes back to paused, and its
    # countdowns move on when it resumes; a live one's countdowns move on now.
    session.state = "paused" if session.paused_at is not None else "live"
    if session.state == "live" and session.phase_ends_at is not None:
        session.phase_ends_at += now - ended_at
    session.ended_at = None
    record.session_reopened(session, ended_at, session.state, now)
    db.session.add(AuditEntry(session_id=session.id, actor_id=user.id, action="session_reopened",
                              target_type="session", target_id=session.id, reason="",
                              details={"ended_at": iso(ended_at), "state": session.state}))
