"""Socket.IO handlers of facilitation (protocol: docs/protocol.md, "Facilitation").

Facilitators send `session_control` and `floor`; participants send `hand`; every member
sends `consent` and `presence_settings` about themselves; staff (and, when the balance bar
is on, members) ask for `balance`; members (interpreters' clients among them) read the
session's `glossary`. Every change reaches the session as a `session` event:
staff and members each receive their own view.
"""

from __future__ import annotations

from flask_babel import gettext as _

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import DialogueSession, User
from ..realtime.sockets import client_event, session_id_field
from . import consent as consent_actions
from . import control, glossary
from .balance import balance as balance_of
from .floor import give_floor, raise_hand
from .state import session_state


@client_event("session_control")
def session_control(user: User, payload: dict) -> dict:
    """A facilitator changes the session's state, phase, floor mode, lock or balance bar."""
    session = control.control(user, session_id_field(payload), payload.get("action"),
                                   payload.get("floor_mode"))
    return {"session": session_state(session, staff=True)}


@client_event("hand")
def hand(user: User, payload: dict) -> dict:
    """A participant raises or lowers their hand; the session sees the queue of hands."""
    raise_hand(user, session_id_field(payload), payload.get("raised"))
    return {}


@client_event("floor")
def floor(user: User, payload: dict) -> dict:
    """A facilitator gives the floor to a participant (optionally for N seconds) or takes it."""
    if "member_id" not in payload:
        raise DialogueError("invalid", _("member_id is required (null takes the floor back)."))
    give_floor(user, session_id_field(payload), payload.get("member_id"), payload.get("seconds"))
    return {}


@client_event("consent")
def consent(user: User, payload: dict) -> dict:
    """A member records how they want to be named in transcripts and whether to appear at all."""
    record = consent_actions.record_consent(user, session_id_field(payload), payload.get("naming"),
                                         payload.get("include"), payload.get("member_id"))
    return {"consent": consent_actions.consent_object(record)}


@client_event("presence_settings")
def presence_settings(user: User, payload: dict) -> dict:
    """A member hides or shows their online status; the session gets a new `presence`."""
    session_id = session_id_field(payload)
    consent_actions.set_presence_hidden(user, session_id, payload.get("hidden"))
    return {}


@client_event("balance")
def balance(user: User, payload: dict) -> dict:
    """Staff read the full balance (sides, each participant, who is silent); members read the
    side balance when the balance bar is on."""
    session = db.session.get(DialogueSession, session_id_field(payload))
    membership = permissions.require_view(user, session)
    if permissions.balance_view(user, membership, session) == "detail":
        return {"balance": balance_of(session, detail=True)}
    return {"balance": {"sides": balance_of(session)}}


@client_event("glossary")
def glossary_event(user: User, payload: dict) -> dict:
    """A member reads the session's glossary of contested names (docs/protocol.md, "Glossary")."""
    return {"entries": glossary.read_glossary(user, session_id_field(payload))}
