"""Facilitators' controls: start, pause, resume and end; move through the agenda; the floor
mode; locking the room; the balance bar."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    FLOOR_MODES,
    DialogueSession,
    RaisedHand,
    User,
    utcnow,
)
from ..writes import session_write
from .agenda import enter_phase
from .floor import clear_floor, offer_floor
from .state import notify_state, phases

CONTROL_ACTIONS = ("start", "pause", "resume", "end", "next_phase", "previous_phase", "floor_mode",
                   "lock", "unlock", "show_balance", "hide_balance")


STATE_CHANGES = {"start": ("draft",), "pause": ("live",), "resume": ("paused",), "end": ("live", "paused")}


NEW_STATE = {"start": "live", "pause": "paused", "resume": "live", "end": "ended"}


def control(user: User, session_id, action, floor_mode=None) -> DialogueSession:
    """Facilitators start, pause, resume and end the session, move through the agenda,
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
                clear_floor(session)
            elif floor_mode == "alternate" and session.floor_user_id is None:
                offer_floor(session, now)
        elif action in ("lock", "unlock"):
            session.locked = action == "lock"
        else:
            session.show_balance = action == "show_balance"
        notify_state(session)
        db.session.commit()
        return session
