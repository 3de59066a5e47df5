"""The sockets connected to this process, who each one is, and `client_event`: the one
wrapper every client-to-server event goes through.

Every handler re-reads the caller's account, login or token from the database; nothing is
taken from the client's word or from what the socket knew before. Every handler answers
through the acknowledgement with {"ok": true, ...} or {"ok": false, "error": {...}} and
never raises to the client.
"""

from __future__ import annotations

import functools
import json

import gevent
from flask import current_app, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from socketio import packet
from sqlalchemy import select

from .. import ratelimit
from ..auth import accounts
from ..errors import DialogueError
from ..extensions import babel, db, socketio
from ..models import User
from ..web import LANGUAGE_COOKIE

# sid -> {"user_id", "login_id" | "token_id"} for sockets connected to this process only.
live_sockets: dict[str, dict] = {}


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


def answer_language() -> str:
    """The language of this socket's answers, read now (an account may change it while its
    sockets stay connected): the account's choice, else the language cookie of the
    handshake (browsers), else the handshake's Accept-Language, among the platform's
    languages that have a catalog; English otherwise. Opens a read: the caller ends it."""
    available = {str(locale.language) for locale in babel.list_translations()}
    languages = [code for code in current_app.config["DIALOGUE_LANGUAGES"] if code in available]
    principal = _principal()
    if principal is not None:
        chosen = db.session.scalar(select(User.locale).where(User.id == principal.get("user_id")))
        if chosen in languages:
            return chosen
    if request.cookies.get(LANGUAGE_COOKIE) in languages:
        return request.cookies[LANGUAGE_COOKIE]
    return request.accept_languages.best_match(languages) or "en"


def refusal(error: DialogueError, language: str | None = None) -> dict:
    """A refusal's acknowledgement, its message in the socket's language (`language`, or
    read now and the read ended). Explicit, never Flask-Babel's cached choice: the handshake's
    request is reused for every event of the socket."""
    if language is None:
        language = answer_language()
        db.session.rollback()
    with force_locale(language):
        return error.to_answer()


MAX_ID = 2**63 - 1
# The event name a packet that could not be read is delivered under (answered `invalid`).
MALFORMED = "\x00malformed"


class DialoguePacket(packet.Packet):
    """Socket.IO's packet, reading an event that is not valid JSON, not an event name with
    arguments, or one that announces binary attachments, as the event MALFORMED, so that it
    is answered `invalid` through its acknowledgement like any other bad input instead of
    being dropped unanswered. The protocol is JSON only: a packet never waits for
    attachments, so a client cannot make the server hold binary messages for a packet that
    never completes."""

    def decode(self, encoded_packet):
        try:
            super().decode(encoded_packet)
        except (ValueError, TypeError, RecursionError):  # broken JSON, too deep, bad counts
            if self.packet_type not in (packet.EVENT, packet.BINARY_EVENT, packet.ACK, packet.BINARY_ACK):
                raise
            self._malformed()
            return 0
        if self.packet_type in (packet.BINARY_EVENT, packet.BINARY_ACK) or (
                self.packet_type == packet.EVENT and not (
                    isinstance(self.data, list) and self.data and isinstance(self.data[0], str))):
            self._malformed()
        return 0

    def _malformed(self) -> None:
        self.packet_type, self.data = packet.EVENT, [MALFORMED]


def pace() -> None:
    """Before each event of a socket: let the other sockets' events run first (one socket's
    pipelined events then take turns with everyone else's instead of holding the server),
    and count the event against the socket's and the account's limits, before anything else
    is done."""
    gevent.idle()
    ratelimit.check("socket", request.sid)
    principal = live_sockets.get(request.sid)
    if principal is not None:  # and per account, so that more sockets do not buy more events
        ratelimit.check("account_events", principal["user_id"])


def refuse_unstorable(value, depth: int = 0) -> None:
    """Refuse values no database column can hold: NUL characters, lone surrogates, integers
    beyond 64 bits, and deep nesting. Checked once here for every event."""
    if depth > 8:
        raise DialogueError("invalid")
    if isinstance(value, str):
        if "\x00" in value or any(0xD800 <= ord(c) <= 0xDFFF for c in value):
            raise DialogueError("invalid", _l("Text may not contain NUL or unpaired surrogate characters."))
    elif isinstance(value, int) and not isinstance(value, bool):
        if not -MAX_ID <= value <= MAX_ID:
            raise DialogueError("invalid", _l("Numbers must fit in 64 bits."))
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
            language = None  # read once the event is counted, before the handler runs
            try:
                pace()
                payload = args[0] if len(args) == 1 else None
                if not isinstance(payload, dict):
                    raise DialogueError("invalid", _l("The event needs one JSON object."))
                refuse_unstorable(payload)
                size = len(json.dumps(payload, ensure_ascii=False).encode("utf-8", "surrogatepass"))
                if size > current_app.config["DIALOGUE_MAX_EVENT_BYTES"]:
                    raise DialogueError("too_long")
                principal = _principal()
                if principal is not None and name in ratelimit.LIMITED_EVENTS:
                    limited(principal["user_id"], ratelimit.LIMITED_EVENTS[name], payload)
                language = answer_language()
                with force_locale(language):
                    result = handler(current_user_from_db(), payload)
                # End what the handler left open (its reads), so no socket holds a transaction.
                db.session.commit()
                return {"ok": True, **(result or {})}
            except DialogueError as error:
                db.session.rollback()
                return refusal(error, language)
            except Exception:
                current_app.logger.exception("Socket.IO event %s failed", name)
                db.session.rollback()
                return refusal(DialogueError("internal"), language)

        socketio.on_event(name, wrapper)
        return handler

    return decorator


def limited(user_id: int, name: str, payload: dict) -> None:
    """Count the event against the member's limit for it; a refusal may tell staff. Before
    the caller is loaded (who they are is checked right after): the count must not happen
    inside a database transaction (see dialogue/ratelimit.py)."""
    try:
        ratelimit.check(name, user_id)
    except DialogueError:
        session_id = payload.get("session_id")
        ratelimit.note_refusal(user_id, session_id if isinstance(session_id, str) and len(session_id) <= 64 else None,
                               name)
        raise


def session_id_field(payload: dict) -> str:
    """The event's `session_id`: a short string, or `invalid`."""
    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id or len(session_id) > 64:
        raise DialogueError("invalid", _("session_id must be a string."))
    return session_id
