"""Socket.IO handlers of moderation (protocol: docs/protocol.md, "Moderation").

Members send `flag`; moderators, facilitators and admins send `queue`, `claim`, `release`,
`decide`, `undo` and `sanction`; facilitators send `session_settings`. Who receives what each one
broadcasts is decided in dialogue.audience.
"""

from __future__ import annotations

from flask import current_app

from .. import audience, ratelimit
from ..models import User
from ..protocol import session_object
from ..realtime.sockets import client_event, session_id_field
from . import decisions, flags, queue, sanctions
from . import settings as session_settings_actions


@client_event("flag")
def flag(user: User, payload: dict) -> dict:
    """A member flags a message; the session's staff receive the changed `queue_item`, and
    when the threshold is reached everyone receives `message_updated` (hidden)."""
    flags.flag(user, payload.get("message_id"), payload.get("reason"), payload.get("note"))
    return {}


@client_event("queue")
def queue_event(user: User, payload: dict) -> dict:
    """Staff read the open queue (one session, or all they serve) and from then on receive
    its `queue_item` events on this socket."""
    sessions, items = queue.open_items(user, payload.get("session_id"))
    audience.enter_queues(user, [session.id for session in sessions])
    minutes = current_app.config["DIALOGUE_UNDO_MINUTES"]
    return {"items": items, "figures": queue.figures([s.id for s in sessions]),
            "recent": queue.recent_items(sessions, minutes), "undo_minutes": minutes,
            "me": {session.id: queue.my_id(user, session) for session in sessions},
            "limited": {session.id: ratelimit.recent_notices(session.id) for session in sessions}}


@client_event("claim")
def claim(user: User, payload: dict) -> dict:
    """A moderator takes an item; the other staff see who has it."""
    return {"item": decisions.claim(user, payload.get("item_id"))}


@client_event("release")
def release(user: User, payload: dict) -> dict:
    """A moderator lets go of an item they claimed."""
    return {"item": decisions.claim(user, payload.get("item_id"), release=True)}


@client_event("undo")
def undo(user: User, payload: dict) -> dict:
    """Staff take back an approval or a rejection of the last few minutes; the item is open
    again and everyone's view of the message follows."""
    return {"item": decisions.undo(user, payload.get("item_id"))}


@client_event("decide")
def decide(user: User, payload: dict) -> dict:
    """A moderator decides one item (`item_id`) or many (`item_ids`); everyone's view of the
    message updates live and its author receives a `notice`."""
    if "item_ids" in payload:
        return {"results": decisions.decide_many(user, payload.get("item_ids"), payload.get("action"),
                                                  payload.get("reason"))}
    return {"item": decisions.decide(user, payload.get("item_id"), payload.get("action"), payload.get("reason"))}


@client_event("moderate")
def moderate(user: User, payload: dict) -> dict:
    """Staff hide or redact a message from the room (through the review queue, as `decide`)."""
    return {"item": decisions.act_on_message(user, payload.get("message_id"), payload.get("action"),
                                             payload.get("reason"))}


@client_event("sanction")
def sanction(user: User, payload: dict) -> dict:
    """Staff warn, mute, unmute or remove a member; the member receives a `notice` (or
    `removed`, then is disconnected)."""
    return sanctions.sanction(user, session_id_field(payload), payload.get("member_id"), payload.get("action"),
                               payload.get("minutes"), payload.get("reason"))


@client_event("session_settings")
def session_settings(user: User, payload: dict) -> dict:
    """Facilitators change moderation and nudge settings; everyone in the session receives `session`."""
    settings = {key: payload[key] for key in ("moderation", "flag_threshold", "two_key", "nudge_after_minutes",
                                              "share_alert_percent", "typing_indicator") if key in payload}
    session = session_settings_actions.update_settings(user, session_id_field(payload), settings)
    return {"session": session_object(session)}
