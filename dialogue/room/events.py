"""Socket.IO handlers of the live room (protocol: docs/protocol.md, "Core events").

Every handler re-reads the caller's account, login or token, and membership from the
database; nothing is taken from the client's word or from what the socket knew before.
Every handler answers through the acknowledgement with {"ok": true, ...} or
{"ok": false, "error": {...}} and never raises to the client.
"""

from __future__ import annotations

import functools
import json

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_socketio import ConnectionRefusedError, join_room, leave_room
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import emitter, permissions
from ..errors import DialogueError
from ..extensions import db, socketio
from ..models import DialogueSession, Membership, Presence, User
from ..protocol import me_object, member_object, message_object
from ..services import accounts, facilitation, messages
from .sweep import live_sockets


def _principal() -> dict | None:
    """Who the socket authenticated as at connect (ids only; each event re-checks them)."""
    return live_sockets.get(request.sid)


def current_user_from_db() -> User:
    """The socket's user, checked now: account active and login or token not revoked."""
    principal = _principal()
    user = db.session.get(User, principal.get("user_id")) if principal else None
    if user is None or not user.active:
        raise DialogueError("unauthorized")
    if principal.get("token_id") is not None:
        valid = accounts.token_is_valid(principal["token_id"], user.id)
    else:
        valid = accounts.login_is_valid(principal.get("login_id"), user.id)
    if not valid:
        raise DialogueError("unauthorized")
    return user


MAX_ID = 2**63 - 1


def refuse_unstorable(value, depth: int = 0) -> None:
    """Refuse values no database column can hold: NUL characters, lone surrogates, integers
    beyond 64 bits, and deep nesting. Checked once here for every event."""
    if depth > 8:
        raise DialogueError("invalid")
    if isinstance(value, str):
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise DialogueError("invalid", _("Text may not contain NUL or unpaired surrogate characters."))
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_ID <= value <= MAX_ID:
            raise DialogueError("invalid", _("Numbers must fit in 64 bits."))
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_unstorable(key, depth + 1)
            refuse_unstorable(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            refuse_unstorable(item, depth + 1)


def client_event(name: str):
    """Register a client-to-server event whose handler takes (user, payload) and returns a dict."""

    def decorator(handler):
        @functools.wraps(handler)
        def wrapper(*args):
            try:
                payload = args[0] if len(args) == 1 else None
                if not isinstance(payload, dict):
                    raise DialogueError("invalid", _("The event needs one JSON object."))
                size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))
                if size > current_app.config["DIALOGUE_MAX_EVENT_BYTES"]:
                    raise DialogueError("too_long")
                refuse_unstorable(payload)
                result = handler(current_user_from_db(), payload)
                return {"ok": True, **(result or {})}
            except DialogueError as error:
                db.session.rollback()
                return error.to_answer()
            except Exception:
                current_app.logger.exception("Socket.IO event %s failed", name)
                db.session.rollback()
                return DialogueError("internal").to_answer()

        socketio.on_event(name, wrapper)
        return handler

    return decorator


@socketio.on("connect")
def on_connect(auth=None):
    """Any client connects; refused with {"code": "unauthorized"} without a valid login or token."""
    principal = None
    if isinstance(auth, dict) and auth.get("token") is not None:
        token = accounts.resolve_token(auth.get("token"))
        if token is not None:
            principal = {"user_id": token.user_id, "token_id": token.id}
    else:
        try:
            user_id = int(session.get("_user_id"))
        except (TypeError, ValueError):
            user_id = None
        login_id = session.get("login_id")
        user = db.session.get(User, user_id) if user_id else None
        if user is not None and user.active and accounts.login_is_valid(login_id, user.id):
            principal = {"user_id": user.id, "login_id": login_id}
    db.session.commit()
    if principal is None:
        raise ConnectionRefusedError("unauthorized", {"code": "unauthorized"})
    live_sockets[request.sid] = principal
    join_room(emitter.user_room(principal["user_id"]))
    if "token_id" in principal:
        join_room(emitter.token_room(principal["token_id"]))
    else:
        join_room(emitter.login_room(principal["login_id"]))


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """The socket leaves: everyone in the sessions it had joined gets a new presence list.

    Uses a database session of its own: a server-side drop runs this handler from inside
    another write's after-commit hook, where the request's session cannot be used."""
    live_sockets.pop(request.sid, None)
    with Session(db.engine) as own:
        try:
            session_ids = list(own.scalars(select(Presence.session_id).where(Presence.sid == request.sid)))
            if session_ids:
                own.execute(delete(Presence).where(Presence.sid == request.sid))
                for session_id in session_ids:
                    queue_presence(own, session_id)
            own.commit()
        except Exception:
            current_app.logger.exception("Cleaning up after a disconnect failed")
            own.rollback()


@socketio.on("*")
def on_unknown_event(event, *args):
    """Any event this server does not know is answered `invalid`."""
    return DialogueError("invalid", _("Unknown event %(name)s.", name=repr(str(event)[:40]))).to_answer()


def session_id_field(payload: dict) -> str:
    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        raise DialogueError("invalid", _("session_id must be a string."))
    return session_id


def online_members(db_session, session: DialogueSession) -> list[dict]:
    """Members with at least one socket in the session's room, each listed once."""
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
    """After commit, send the session's room its new list of who is online."""
    session = db_session.get(DialogueSession, session_id)
    if session is None:
        return
    emitter.on_commit(db_session, "presence",
                      {"session_id": session_id, "online": online_members(db_session, session)},
                      emitter.session_room(session_id))


@client_event("join")
def join(user: User, payload: dict) -> dict:
    """A member opens the room. They get the session, themselves and what they missed since
    `since_seq`; from now on this socket receives the session's live events, and everyone in
    the room receives a new `presence`."""
    session_id = session_id_field(payload)
    since_seq = messages.parse_since(payload.get("since_seq"))
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    # Join the rooms before reading history: a message committed in between then arrives
    # twice (live and in history) rather than not at all, and clients upsert by id.
    join_room(emitter.session_room(session.id))
    join_room(emitter.member_room(session.id, user.id))
    if permissions.is_session_staff(user, membership):
        join_room(emitter.staff_room(session.id))
    else:
        join_room(emitter.public_room(session.id))
    if db.session.get(Presence, (request.sid, session.id)) is None:
        db.session.add(Presence(sid=request.sid, session_id=session.id, user_id=user.id))
        db.session.flush()
    queue_presence(db.session, session.id)
    page = messages.history(user, session, membership, since_seq)
    staff = permissions.is_session_staff(user, membership)
    me = me_object(session, membership, user)
    if membership is not None:
        me["consent"] = facilitation.consent_object(facilitation.current_consent(session.id, user.id))
        me["presence_hidden"] = membership.hide_presence
    answer = {"session": facilitation.session_state(session, staff=staff), "me": me, **page}
    db.session.commit()
    return answer


@client_event("history")
def history(user: User, payload: dict) -> dict:
    """A member fetches what changed after `since_seq` (the next page after `more: true`)."""
    session_id = session_id_field(payload)
    since_seq = messages.parse_since(payload.get("since_seq"))
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_view(user, session)
    page = messages.history(user, session, membership, since_seq)
    db.session.commit()
    return page


@client_event("leave")
def leave(user: User, payload: dict) -> dict:
    """A member closes the room; this socket stops receiving its events."""
    session_id = session_id_field(payload)
    if db.session.get(DialogueSession, session_id) is None:
        raise DialogueError("not_found")
    for room in (emitter.session_room(session_id), emitter.member_room(session_id, user.id),
                 emitter.staff_room(session_id), emitter.public_room(session_id)):
        leave_room(room)
    removed = db.session.execute(
        delete(Presence).where(Presence.sid == request.sid, Presence.session_id == session_id)
    ).rowcount
    if removed:
        queue_presence(db.session, session_id)
    db.session.commit()
    return {}


@client_event("send")
def send(user: User, payload: dict) -> dict:
    """A member writes. Everyone who may see the message receives `message`; the author also
    gets it in the acknowledgement, which comes only after it is stored."""
    message, _created = messages.send_message(
        user, session_id_field(payload), payload.get("client_id"), payload.get("body"), payload.get("reply_to"),
        payload.get("channel", "room"))
    return {"message": message_object(message.membership.session, message)}
