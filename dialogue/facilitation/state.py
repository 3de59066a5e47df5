"""The session's state as members see it (the protocol's SessionState), and telling them."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from .. import audience, permissions
from ..extensions import db
from ..models import (
    AgendaPhase,
    DialogueSession,
    Membership,
    RaisedHand,
    SessionEvent,
)
from ..protocol import iso, session_object
from .balance import balance


def phases(session: DialogueSession) -> list[AgendaPhase]:
    """The session's agenda, in order."""
    return list(db.session.scalars(select(AgendaPhase).where(AgendaPhase.session_id == session.id)
                                   .order_by(AgendaPhase.position)))


def opened_phase_titles(session: DialogueSession) -> list[str]:
    """The title each agenda phase had when it was last opened in the room, from the record
    (a phase not opened yet has none: ""): what the room's phase separators name. Never a
    title of the agenda as it is now for a phase nobody has reached."""
    titles: dict[int, str] = {}
    for payload in db.session.scalars(select(SessionEvent.payload).where(
            SessionEvent.session_id == session.id, SessionEvent.kind == "phase_changed")
            .order_by(SessionEvent.position)):
        if isinstance(payload, dict) and isinstance(payload.get("index"), int) and payload["index"] >= 0:
            titles[payload["index"]] = str(payload.get("title") or "")
    return [titles.get(index, "") for index in range(max(titles, default=-1) + 1)]


def phase_object(session: DialogueSession, agenda: list[AgendaPhase] | None = None) -> dict | None:
    """The phase under way, as the protocol's SessionState carries it."""
    if session.phase_index is None:
        return None
    agenda = phases(session) if agenda is None else agenda
    if not 0 <= session.phase_index < len(agenda):
        return None
    phase = agenda[session.phase_index]
    return {"index": session.phase_index, "title": phase.title, "prompt": phase.prompt,
            "ends_at": iso(session.phase_ends_at), "count": len(agenda)}


def hands(session: DialogueSession) -> list[str]:
    """Member ids with a raised hand, in the order the hands went up."""
    return list(db.session.scalars(
        select(Membership.public_id)
        .join(RaisedHand, (RaisedHand.session_id == Membership.session_id) & (RaisedHand.user_id == Membership.user_id))
        .where(RaisedHand.session_id == session.id)
        .order_by(RaisedHand.raised_at, RaisedHand.user_id)))


def reopen_until(session: DialogueSession) -> str | None:
    """Until when the facilitators may still reopen this ended session (ISO), else None."""
    minutes = current_app.config["DIALOGUE_REOPEN_MINUTES"]
    return iso(permissions.reopen_deadline(session, minutes)) if permissions.can_reopen(session, minutes) else None


def session_state(session: DialogueSession, *, staff: bool) -> dict:
    """The protocol's SessionState, plus the session's settings; participants see the side
    balance only when facilitators turned the balance bar on, and only staff learn until when
    an ended session may be reopened."""
    floor = None
    if session.floor_user_id is not None:
        holder = db.session.scalar(select(Membership.public_id).where(
            Membership.session_id == session.id, Membership.user_id == session.floor_user_id))
        floor = {"member_id": holder, "ends_at": iso(session.floor_ends_at)}
    return {
        **session_object(session),
        "phase": phase_object(session),
        "floor_mode": session.floor_mode,
        "floor": floor,
        "hands": hands(session),
        "balance": balance(session) if permissions.balance_shown(session, staff=staff) else {},
        "agenda_length": len(phases(session)),
        "locked": session.locked,
        "pseudonymous": session.pseudonymous,
        "show_balance": session.show_balance,
        "reopen_until": reopen_until(session) if staff else None,
    }


def notify_state(session: DialogueSession) -> None:
    """After commit, send `session` to everyone in it (staff and members get their views)."""
    audience.session_views(session.id, "session", session_state(session, staff=True),
                           session_state(session, staff=False))
