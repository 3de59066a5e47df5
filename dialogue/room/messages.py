"""Sending messages and reading a session's history."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import audience, permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..mentions import notify_mentions
from ..models import MAX_ROW_ID, DialogueSession, Message, MessageRevision, User, utcnow
from ..moderation.decisions import set_status, withdraw
from ..moderation.flags import parse_message_id
from ..moderation.queue import enqueue
from ..moderation.screening import Screening, screen
from ..protocol import message_object
from ..sanitize import render_message
from ..writes import next_seq, session_write

__all__ = ["default_lang", "delete_message", "edit_message", "existing_message", "history", "parse_body", "rewrite", "parse_client_id", "parse_lang", "parse_message_id",
           "parse_since", "send_message"]


def parse_client_id(value) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isprintable():
        raise DialogueError("invalid", _("client_id must be a string of 1 to 64 printable characters."))
    return value


def parse_lang(value) -> str:
    """A message's language: one of the platform's languages (DIALOGUE_LANGUAGES)."""
    languages = current_app.config["DIALOGUE_LANGUAGES"]
    if not isinstance(value, str) or value not in languages:
        raise DialogueError("invalid", _("lang must be one of: %(l)s.", l=", ".join(languages)), field="lang")
    return value


def default_lang(user: User, session: DialogueSession) -> str:
    """What a member writes in when their client does not say: their interface language,
    else the session's."""
    languages = current_app.config["DIALOGUE_LANGUAGES"]
    if user.locale in languages:
        return user.locale
    return session.language if session.language in languages else languages[0]


def existing_message(session_id: str, author_id: int, client_id: str) -> Message | None:
    return db.session.scalar(select(Message).where(
        Message.session_id == session_id, Message.author_id == author_id, Message.client_id == client_id))


def send_message(user: User, session_id, client_id, body, reply_to=None, channel="room",
                 lang=None) -> tuple[Message, bool]:
    """Store a new message and broadcast it to those who may see it.

    Returns (message, created). A client_id this author already used in this session
    returns the first message and broadcasts nothing. The message is committed before
    this returns, so an acknowledgement means it is on disk.
    """
    client_id = parse_client_id(client_id)
    if lang is not None:
        lang = parse_lang(lang)
    if not isinstance(body, str):
        raise DialogueError("invalid", _("body must be a string."))
    if channel not in ("room", "staff"):
        raise DialogueError("invalid", _("channel must be room or staff."))
    with session_write(session_id) as session:
        membership = permissions.require_view(user, session)
        first = existing_message(session.id, user.id, client_id)
        if first is not None:
            db.session.rollback()
            return first, False
        membership = permissions.require_send(user, session, membership, channel)
        now = utcnow()
        text = body.strip()
        if not text:
            raise DialogueError("empty")
        if len(text) > current_app.config["DIALOGUE_MAX_MESSAGE_CHARS"]:
            raise DialogueError("too_long")
        target = permissions.require_reply_target(session, user, membership, reply_to)
        if target is not None and target.channel != channel:
            raise DialogueError("invalid", _("A reply stays in the channel of the message it answers."))
        if channel == "staff":  # the staff's own conversation: no floor, no screening
            screening = Screening(body=text)
        else:
            permissions.require_turn(session, membership, now)
            screening = screen(session, membership, text)
        message = Message(session_id=session.id, seq=next_seq(session), author_id=user.id,
                          membership_id=membership.id, client_id=client_id,
                          reply_to_id=target.id if target else None, body_source=screening.body,
                          body_html=render_message(screening.body), status=screening.status,
                          published=screening.status == "visible",
                          content_hash=hashlib.sha256(screening.body.encode("utf-8")).hexdigest(),
                          channel=channel, phase_index=session.phase_index, created_at=now, updated_at=now,
                          lang=lang or default_lang(user, session))
        message.membership = membership
        db.session.add(message)
        try:
            db.session.flush()
        except IntegrityError:
            # The same client_id arrived twice at once; the other write won.
            db.session.rollback()
            first = existing_message(session.id, user.id, client_id)
            if first is None:
                raise
            return first, False
        record.message_created(session, message)
        audience.message(session, message)
        notify_mentions(session, message)
        if screening.reasons:
            enqueue(session, message, screening.reasons, None)  # the platform holds it, not its author
        db.session.commit()
    return message, True


def edit_message(user: User, message_id, body) -> Message:
    """Its author corrects a message within DIALOGUE_EDIT_MINUTES of writing it. The edit is
    screened as a new message would be (a blocking term refuses it; what would hold a new
    message holds this one, and readers other than staff then see it withheld until a
    moderator decides); the earlier wording is kept for the staff and the change chained."""
    message_id = parse_message_id(message_id)
    text = parse_body(body)
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        membership = permissions.require_view(user, session)
        message = db.session.get(Message, message_id)
        window = timedelta(minutes=current_app.config["DIALOGUE_EDIT_MINUTES"])
        permissions.require_own_message(user, session, membership, message, action="edit",
                                        window_ends=message.created_at + window if message else None)
        screening = Screening(body=text) if message.channel == "staff" else screen(session, membership, text)
        if rewrite(session, message, screening):
            db.session.commit()
        else:
            db.session.rollback()
    return message


def rewrite(session: DialogueSession, message: Message, screening: Screening) -> bool:
    """Its author's new wording of a message (an edit, an interpreter's correction), already
    screened: the earlier wording kept for the staff, the change chained and sent to those who
    may see it, held again if screening says so. False when the wording did not change."""
    if screening.body == message.body_source:
        return False
    now = utcnow()
    previous_hash = message.content_hash
    db.session.add(MessageRevision(message_id=message.id, body_source=message.body_source,
                                   content_hash=previous_hash, replaced_at=now))
    was_public = message.published
    message.body_source, message.body_html = screening.body, render_message(screening.body)
    message.content_hash = hashlib.sha256(screening.body.encode("utf-8")).hexdigest()
    if screening.status == "held":
        message.status = "held"
    message.edited_at = message.updated_at = now
    message.seq = next_seq(session)
    record.message_edited(session, message, previous_hash)
    audience.message(session, message, "message_updated" if was_public else "message")
    if screening.reasons:
        enqueue(session, message, screening.reasons, None)  # the platform holds it
    return True


def parse_body(body) -> str:
    """A message body: a string, trimmed, not empty, within DIALOGUE_MAX_MESSAGE_CHARS."""
    if not isinstance(body, str):
        raise DialogueError("invalid", _("body must be a string."))
    text = body.strip()
    if not text:
        raise DialogueError("empty")
    if len(text) > current_app.config["DIALOGUE_MAX_MESSAGE_CHARS"]:
        raise DialogueError("too_long")
    return text


def delete_message(user: User, message_id) -> Message:
    """Its author deletes a message, at any time: the text goes for everyone (its hash stays in
    the chain), readers see that its author deleted it, and its translations go with it."""
    message_id = parse_message_id(message_id)
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        membership = permissions.require_view(user, session)
        message = permissions.require_own_message(user, session, membership, db.session.get(Message, message_id),
                                                  action="delete")
        set_status(session, message, "deleted")
        withdraw(session, message)
        db.session.commit()
    return message


def parse_since(value) -> int:
    """Validate a since_seq field (a non-negative integer, default 0)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise DialogueError("invalid", _("since_seq must be a non-negative integer."))
    return min(value, MAX_ROW_ID)  # past any seq a session can reach: nothing more to send


def history(user: User, session: DialogueSession, membership, since_seq: int) -> dict:
    """What the caller may see that was created or changed after since_seq, in seq order."""
    limit = current_app.config["DIALOGUE_HISTORY_PAGE"]
    rows = list(db.session.scalars(
        select(Message)
        .where(Message.session_id == session.id, Message.seq > since_seq,
               permissions.message_visibility_clause(user, membership))
        .order_by(Message.seq)
        .limit(limit + 1)
    ))
    more = len(rows) > limit
    rows = rows[:limit]
    last_seq = rows[-1].seq if more else session.last_seq
    staff_view = permissions.sees_staff_view(user, membership)
    return {
        "messages": [message_object(session, m, staff_view=staff_view) for m in rows],
        "last_seq": last_seq,
        "more": more,
    }
