"""Shapes the objects of the real-time protocol (docs/protocol.md) from models.

These functions are the only place where a member becomes JSON for other people, so they
decide what leaves the server: the member id of this session, the session name and side,
never an account id, a real name or an e-mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from flask import current_app

from . import permissions
from .models import DialogueSession, Membership, Message, iso

__all__ = ["iso", "me_object", "member_object", "message_object", "outsider_id", "session_object"]


def outsider_id(session_id: str, user_id: int) -> str:
    """The id an admin who is not a member goes by in a session (as the one who claimed or
    decided a queue item): opaque, stable, and different in every session, like a member id."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"outsider:{session_id}:{user_id}".encode(),
                      hashlib.sha256).digest()
    return "x" + base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def writer_id(session_id: str, membership_id: int) -> str:
    """Who is writing, as `typing` names them: opaque, stable within the session and linked to
    no member id, so a pseudonymous session's indicator names nobody."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), f"writer:{session_id}:{membership_id}".encode(),
                      hashlib.sha256).digest()
    return "w" + base64.urlsafe_b64encode(digest[:9]).decode().rstrip("=")


def member_object(session: DialogueSession, membership: Membership) -> dict:
    """A member as other members see them: member id, session name, side label and role,
    nothing else."""
    return {
        "id": membership.public_id,
        "name": membership.display_name,
        "side": session.side_label(membership.side),
        "role": membership.role,
    }


def shown_status(message: Message, *, staff_view: bool = False) -> str:
    """A message's status as readers see it. A translation shares its original's fate: while
    the original is hidden, rejected or redacted, so is the translation for everyone but the
    staff (who still see what the interpreter wrote, unless it was redacted)."""
    status = message.status
    if status == "held" and message.published and not staff_view:
        return "hidden"  # a public message whose edit waits for review: withheld until decided
    original = message.original if message.translation_of_id is not None else None
    if original is not None and original.status != "visible" and status in ("visible", "held"):
        if not staff_view or original.status in ("redacted", "deleted"):
            return original.status
    return status


def message_object(session: DialogueSession, message: Message, *, staff_view: bool = False) -> dict:
    """The protocol's Message. Hidden messages carry their text only in the staff view, for
    review; redacted ones carry none at all, for anyone. `lang` is the language it is written
    in; a translation names its original in `translation_of` (docs/protocol.md, "Interpreters")."""
    status = shown_status(message, staff_view=staff_view)
    shown = status in ("visible", "held") or (staff_view and status == "hidden")
    body_html = message.body_html if shown else ""
    return {
        "id": message.id,
        "session_id": message.session_id,
        "seq": message.seq,
        "client_id": message.client_id,
        "reply_to": message.reply_to_id,
        "author": member_object(session, message.membership),
        "body_html": body_html,
        "status": status,
        "created_at": iso(message.created_at),
        "channel": message.channel,
        "phase": message.phase_index,
        "lang": message.lang,
        "translation_of": message.translation_of_id,
        "edited_at": iso(message.edited_at),
    }


def session_object(session: DialogueSession) -> dict:
    """The session as its members see it."""
    return {
        "session_id": session.id,
        "id": session.id,
        "title": session.title,
        "description": session.description,
        "language": session.language,
        "state": session.state,
        "sides": [session.side_a_label, session.side_b_label],
        "ground_rules": session.ground_rules,
        "moderation": session.moderation_mode,
        "flag_threshold": session.flag_threshold,
        "two_key": session.two_key,
        "nudge_after_minutes": session.nudge_after_minutes,
        "share_alert_percent": session.share_alert_percent,
        "typing_indicator": session.typing_indicator,
        "last_seq": session.last_seq,
        "started_at": iso(session.started_at),
        "ended_at": iso(session.ended_at),
    }


def me_object(session: DialogueSession, membership: Membership | None, user) -> dict:
    """The caller's own place in the session, for `join`, with whether they are muted."""
    if membership is None:
        return {"id": outsider_id(session.id, user.id), "name": None, "side": None,
                "role": permissions.role_in_session(user, None), "muted_until": None}
    return {**member_object(session, membership), "muted_until": iso(permissions.muted_until(membership))}
