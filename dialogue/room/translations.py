"""Interpreters' translations: attaching one to a message, correcting it, and the view of
what is still untranslated.

A translation is a message of its own (sanitized, screened, moderated, flagged and chained
like any other) that names the message it renders (`translation_of`) and its language
(`lang`). It shares its original's fate: see protocol.shown_status and
moderation.decisions.set_status.
"""

from __future__ import annotations

import hashlib

from flask_babel import gettext as _
from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from .. import audience, permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.glossary import session_glossary_warnings
from ..models import DialogueSession, Message, User, utcnow
from ..moderation.queue import enqueue
from ..moderation.screening import screen
from ..protocol import message_object
from ..sanitize import render_message
from ..writes import next_seq, session_write
from .messages import (
    existing_message,
    parse_body,
    parse_client_id,
    parse_lang,
    parse_message_id,
    rewrite,
)

UNTRANSLATED_PAGE = 50


def translate(user: User, session_id, message_id, lang, body, client_id) -> tuple[Message, bool, list[dict]]:
    """An interpreter (or a member of staff) attaches a translation of a message into `lang`.

    Returns (translation, created, glossary warnings). As with `send`, a client_id the
    interpreter already used returns the first translation and broadcasts nothing. One
    translation per interpreter, message and language: a second is `conflict` (correct the
    first instead)."""
    client_id = parse_client_id(client_id)
    message_id = parse_message_id(message_id)
    lang = parse_lang(lang)
    text = parse_body(body)
    with session_write(session_id) as session:
        membership = permissions.require_view(user, session)
        first = existing_message(session.id, user.id, client_id)
        if first is not None:
            db.session.rollback()
            return first, False, []
        permissions.require_translate(user, session, membership)
        original = permissions.require_translation_target(session, user, membership,
                                                          db.session.get(Message, message_id))
        if original.lang == lang:
            raise DialogueError("invalid", _("The message is already in that language."))
        if db.session.scalar(select(Message.id).where(
                Message.translation_of_id == original.id, Message.lang == lang, Message.author_id == user.id,
                Message.status != "redacted")) is not None:
            raise DialogueError("conflict", _("You already translated this message into that language; "
                                              "correct your translation instead."))
        screening = screen(session, membership, text)
        now = utcnow()
        translation = Message(
            session_id=session.id, seq=next_seq(session), author_id=user.id, membership_id=membership.id,
            client_id=client_id, translation_of_id=original.id, lang=lang, body_source=screening.body,
            body_html=render_message(screening.body), status=screening.status,
            published=screening.status == "visible",
            content_hash=hashlib.sha256(screening.body.encode("utf-8")).hexdigest(),
            channel="room", phase_index=original.phase_index, created_at=now, updated_at=now)
        translation.membership, translation.original = membership, original
        db.session.add(translation)
        db.session.flush()
        record.message_created(session, translation)
        audience.message(session, translation)
        if screening.reasons:
            enqueue(session, translation, screening.reasons, None)  # the platform holds it
        warnings = session_glossary_warnings(session, lang, screening.body)
        db.session.commit()
    return translation, True, warnings


def correct(user: User, message_id, body) -> tuple[Message, list[dict]]:
    """Its interpreter corrects a translation. The earlier wording is kept (message_revision)
    and the correction chained; the new wording is screened again, so it may be held."""
    message_id = parse_message_id(message_id)
    text = parse_body(body)
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        membership = permissions.require_view(user, session)
        translation = permissions.require_own_message(user, session, membership, db.session.get(Message, message_id),
                                                      action="correct")
        screening = screen(session, membership, text)
        if not rewrite(session, translation, screening):
            db.session.rollback()
            return translation, []
        warnings = session_glossary_warnings(session, translation.lang, screening.body)
        db.session.commit()
    return translation, warnings


def untranslated(user: User, session: DialogueSession | None, lang, before=None) -> dict:
    """The interpreter's work list: recent public messages not yet translated into `lang` (nor
    written in it), newest first, a page at a time (`before`: a message id)."""
    membership = permissions.require_view(user, session)
    if not permissions.can_translate(user, membership):
        raise DialogueError("forbidden")
    lang = parse_lang(lang)
    query = select(Message).where(
        Message.session_id == session.id, Message.channel == "room", Message.status == "visible",
        Message.translation_of_id.is_(None), (Message.lang.is_(None)) | (Message.lang != lang))
    if before is not None:
        query = query.where(Message.id < parse_message_id(before))
    translation = aliased(Message)
    query = query.where(~exists().where(and_(translation.translation_of_id == Message.id, translation.lang == lang,
                                             translation.status.in_(("visible", "held")))))
    rows = list(db.session.scalars(query.order_by(Message.id.desc()).limit(UNTRANSLATED_PAGE + 1)))
    staff_view = permissions.sees_staff_view(user, membership)
    return {"lang": lang, "messages": [message_object(session, m, staff_view=staff_view)
                                       for m in rows[:UNTRANSLATED_PAGE]],
            "more": len(rows) > UNTRANSLATED_PAGE}
