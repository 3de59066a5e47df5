"""Connecting and disconnecting (protocol: docs/protocol.md, "Connecting"), and the answer to
events this server does not know."""

from __future__ import annotations

from flask import request
from flask import session as cookie
from flask_babel import lazy_gettext as _l
from flask_socketio import ConnectionRefusedError

from .. import audience, ratelimit
from ..auth import accounts, two_factor
from ..errors import DialogueError
from ..extensions import db, socketio
from ..models import User
from . import presence
from .sockets import MALFORMED, live_sockets, pace, refusal


def _principal(auth) -> dict | None:
    """Who a connecting socket is, from its API token or its browser login: ids only, which
    every later event checks again against the database."""
    if isinstance(auth, dict) and auth.get("token") is not None:
        token = accounts.resolve_token(auth.get("token"))
        return {"user_id": token.user_id, "token_id": token.id} if token is not None else None
    try:
        user_id = int(cookie.get("_user_id"))
    except (TypeError, ValueError):
        return None
    login_id = cookie.get("login_id")
    user = db.session.get(User, user_id)
    if (user is not None and user.active and accounts.login_is_valid(login_id, user.id)
            and not two_factor.outstanding(user)):
        return {"user_id": user.id, "login_id": login_id}
    return None


@socketio.on("connect")
def on_connect(auth=None):
    """Any client connects; refused with {"code": "unauthorized"} without a valid login or
    token, and with {"code": "rate_limited", "retry_after": seconds} when its address
    connects too often."""
    try:
        ratelimit.check("connect", ratelimit.address_key(request.remote_addr))
    except DialogueError as error:
        raise ConnectionRefusedError("rate_limited", {"code": "rate_limited", **error.extra}) from None
    principal = _principal(auth)
    db.session.commit()
    if principal is None:
        raise ConnectionRefusedError("unauthorized", {"code": "unauthorized"})
    live_sockets[request.sid] = principal
    audience.enter_connected(principal)


@socketio.on("disconnect")
def on_disconnect(reason=None):
    """The socket leaves: everyone in the sessions it had joined gets a new presence list."""
    live_sockets.pop(request.sid, None)
    presence.forget_socket(request.sid)


@socketio.on("*")
def on_unknown_event(event, *args):
    """Any event this server does not know, or a packet it cannot read, is answered `invalid`."""
    try:
        pace()
    except DialogueError as error:
        return refusal(error)
    if event == MALFORMED:
        return refusal(DialogueError("invalid", _l("The packet is not an event name with JSON arguments.")))
    return refusal(DialogueError("invalid", _l("Unknown event %(name)s.", name=repr(str(event)[:40]))))
