"""The @mentions in a message: which current members it names, and telling them (only them)
once the message is public, when it is sent or when a moderator approves it."""

from __future__ import annotations

import re

from sqlalchemy import select

from . import audience
from .extensions import db
from .models import DialogueSession, Membership, Message
from .protocol import member_object


def mentioned(session: DialogueSession, message: Message) -> list[Membership]:
    """The current members a message names with @ and their session name (not its author)."""
    text = message.body_source.casefold()
    if "@" not in text:
        return []
    members = db.session.scalars(select(Membership).where(Membership.session_id == session.id,
                                                          Membership.revoked_at.is_(None))).all()
    found = []
    for member in sorted(members, key=lambda m: -len(m.display_name)):
        name = member.display_name.casefold()
        if member.user_id != message.author_id and re.search(
                r"(?<![\w@])@" + re.escape(name) + r"(?!\w)", text):
            found.append(member)
    return found


def notify_mentions(session: DialogueSession, message: Message) -> None:
    """After commit, tell each member a public message mentions (and only them) that it does.
    A held message mentions nobody until a moderator approves it."""
    if message.channel != "room" or message.status != "visible" or message.translation_of_id is not None:
        return
    by = member_object(session, message.membership)
    for member in mentioned(session, message):
        audience.to_member(session.id, member.user_id, "mention",
                           {"session_id": session.id, "message_id": message.id, "by": by})
