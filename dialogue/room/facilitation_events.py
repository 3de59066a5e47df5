"""Socket.IO handlers of facilitation (protocol: docs/protocol.md, "Facilitation").

Facilitators send `session_control` and `floor`; participants send `hand`; every member
sends `consent` and `presence_settings` about themselves; staff (and, when the balance bar
is on, members) ask for `balance`. Every change reaches the session as a `session` event:
staff and members each receive their own view.
"""

from __future__ import annotations

from flask_babel import gettext as _

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession, User
from ..services import facilitation
from .events import client_event, queue_presence, session_id_field


@client_event("session_control")
def session_control(user: User, payload: dict) -> dict:
    """A facilitator changes the session's state, phase, floor mode, lock or balance bar."""
    session = facilitation.control(user, session_id_field(payload), payload.get("action"),
                                   payload.get("floor_mode"))
    return {"session": facilitation.session_state(session, staff=True)}


@client_event("hand")
def hand(user: User, payload: dict) -> dict:
    """A participant raises or lowers their hand; the session sees the queue of hands."""
    facilitation.raise_hand(user, session_id_field(payload), payload.get("raised"))
    return {}


@client_event("floor")
def floor(user: User, payload: dict) -> dict:
    """A facilitator gives the floor to a participant (optionally for N seconds) or takes it."""
    if "user_id" not in payload:
        raise DialogueError("invalid", _("user_id is required (null takes the floor back)."))
    facilitation.give_floor(user, session_id_field(payload), payload.get("user_id"), payload.get("seconds"))
    return {}


@client_event("consent")
def consent(user: User, payload: dict) -> dict:
    """A member records how they want to be named in transcripts and whether to appear at all."""
    record = facilitation.record_consent(user, session_id_field(payload), payload.get("naming"),
                                         payload.get("include"), payload.get("user_id"))
    return {"consent": facilitation.consent_object(record)}


@client_event("presence_settings")
def presence_settings(user: User, payload: dict) -> dict:
    """A member hides or shows their online status; the session gets a new `presence`."""
    session_id = session_id_field(payload)
    facilitation.set_presence_hidden(user, session_id, payload.get("hidden"))
    queue_presence(db.session, session_id)
    db.session.commit()
    return {}


@client_event("balance")
def balance(user: User, payload: dict) -> dict:
    """Staff read the full balance (sides, each participant, who is silent); members read the
    side balance when the balance bar is on."""
    session = db.session.get(DialogueSession, session_id_field(payload))
    membership = permissions.require_view(user, session)
    if permissions.is_session_staff(user, membership):
        answer = {"balance": facilitation.balance(session, detail=True)}
    elif session.show_balance:
        answer = {"balance": {"sides": facilitation.balance(session)}}
    else:
        raise DialogueError("forbidden")
    db.session.commit()
    return answer
