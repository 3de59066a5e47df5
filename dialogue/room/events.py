"""Socket.IO handlers of the live room (protocol: docs/protocol.md, "Core events").

Members send `join`, `history`, `leave` and `send`; who receives what each one causes is
decided in dialogue.audience.
"""

from __future__ import annotations

from flask import request

from .. import audience, permissions
from ..auth import accounts
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.consent import consent_object, current_consent
from ..facilitation.state import session_state
from ..models import DialogueSession, User
from ..protocol import me_object, message_object
from ..realtime import presence
from ..realtime.sockets import client_event, session_id_field
from . import messages, search, translations
from . import typing as typing_actions


@client_event("join")
def join(user: User, payload: dict) -> dict:
    """A member opens the room. They get the session, themselves and what they missed since
    `since_seq`; from now on this socket receives the session's live events, and everyone in
    the room receives a new `presence`."""
    session_id = session_id_field(payload)
    since_seq = messages.parse_since(payload.get("since_seq"))
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    # Enter the rooms before reading history: a message committed in between then arrives
    # twice (live and in history) rather than not at all, and clients upsert by id.
    audience.enter_session(user, membership, session.id)
    presence.arrive(request.sid, session, user)
    page = messages.history(user, session, membership, since_seq)
    me = me_object(session, membership, user)
    if membership is not None:
        me["consent"] = consent_object(current_consent(session.id, user.id))
        me["presence_hidden"] = membership.hide_presence
    me["lang"] = messages.default_lang(user, session)
    me["translation_view"] = user.translation_view or "mine"
    me["can_translate"] = permissions.can_translate(user, membership)
    staff = permissions.is_session_staff(user, membership)
    return {"session": session_state(session, staff=staff), "me": me, **page}


@client_event("history")
def history(user: User, payload: dict) -> dict:
    """A member fetches what changed after `since_seq` (the next page after `more: true`)."""
    session_id = session_id_field(payload)
    since_seq = messages.parse_since(payload.get("since_seq"))
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    return messages.history(user, session, membership, since_seq)


@client_event("leave")
def leave(user: User, payload: dict) -> dict:
    """A member closes the room; this socket stops receiving its events, and the others in
    the room receive a new `presence` if it was there."""
    session_id = session_id_field(payload)
    if db.session.get(DialogueSession, session_id) is None:
        raise DialogueError("not_found")
    audience.leave_session(user, session_id)
    presence.depart(request.sid, session_id)
    return {}


@client_event("send")
def send(user: User, payload: dict) -> dict:
    """A member writes. Everyone who may see the message receives `message`; the author also
    gets it in the acknowledgement, which comes only after it is stored."""
    message, _created = messages.send_message(
        user, session_id_field(payload), payload.get("client_id"), payload.get("body"), payload.get("reply_to"),
        payload.get("channel", "room"), payload.get("lang"))
    return {"message": message_object(message.membership.session, message)}


@client_event("edit")
def edit(user: User, payload: dict) -> dict:
    """Its author corrects a message within the edit window; readers receive `message_updated`."""
    message = messages.edit_message(user, payload.get("message_id"), payload.get("body"))
    return {"message": message_object(message.membership.session, message)}


@client_event("delete")
def delete(user: User, payload: dict) -> dict:
    """Its author deletes a message; readers receive `message_updated` with status `deleted`."""
    message = messages.delete_message(user, payload.get("message_id"))
    return {"message": message_object(message.membership.session, message)}


@client_event("search")
def search_messages(user: User, payload: dict) -> dict:
    """A member searches the session's messages they may see, as plain text, newest first."""
    session = db.session.get(DialogueSession, session_id_field(payload))
    return search.search(user, session, payload.get("q"), payload.get("before"))


@client_event("translate")
def translate(user: User, payload: dict) -> dict:
    """An interpreter attaches a translation to a message. Everyone who may see it receives
    `message` (a Message with `translation_of`); the answer adds the glossary's warnings."""
    message, _created, warnings = translations.translate(
        user, session_id_field(payload), payload.get("message_id"), payload.get("lang"), payload.get("body"),
        payload.get("client_id"))
    return {"message": message_object(message.membership.session, message), "warnings": warnings}


@client_event("translation_edit")
def translation_edit(user: User, payload: dict) -> dict:
    """Its interpreter corrects a translation; readers receive `message_updated`."""
    message, warnings = translations.correct(user, payload.get("message_id"), payload.get("body"))
    return {"message": message_object(message.membership.session, message), "warnings": warnings}


@client_event("untranslated")
def untranslated(user: User, payload: dict) -> dict:
    """The interpreter's work list: public messages not yet translated into `lang`, newest first."""
    session = db.session.get(DialogueSession, session_id_field(payload))
    return translations.untranslated(user, session, payload.get("lang"), payload.get("before"))


@client_event("preferences")
def preferences(user: User, payload: dict) -> dict:
    """A reader chooses which translations they see (kept in their profile)."""
    return {"translation_view": accounts.set_translation_view(user, payload.get("translation_view"))}


@client_event("typing")
def typing(user: User, payload: dict) -> dict:
    """A writer says they are writing (`typing: true`) or stopped; everyone in the room
    receives `typing`, with an opaque writer id (and a member id unless pseudonymous)."""
    return typing_actions.typing(user, session_id_field(payload), payload.get("typing"))
