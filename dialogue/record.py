"""The session record: the integrity chain of every session, and checking a transcript against it.

Every event of a session that a transcript reports (a message created, a status changed, a
phase changed, a consent changed, an ended session reopened) is appended to the session's chain in the transaction that
makes the change, under the session's row lock. Each link holds the hash of its own content
and the hash of the link before, so a transcript that carries the chain and its final digest
can be checked offline (`dialogue transcript verify`).
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select

from .extensions import db
from .models import DialogueSession, Message, SessionEvent
from .protocol import iso
from .sanitize import render_message

TRANSCRIPT_SCHEMA = "dialogue-transcript/1"
GENESIS = "0" * 64
KINDS = ("message_created", "status_changed", "phase_changed", "consent_changed", "message_edited",
         "session_reopened")


def canonical(value) -> bytes:
    """The one byte form that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def link_hashes(prev_hash: str, kind: str, payload: dict) -> tuple[str, str]:
    """(content hash, link hash) of one link of the chain."""
    content_hash = sha256(canonical({"kind": kind, "payload": payload}))
    return content_hash, sha256(prev_hash + content_hash)


def append(session: DialogueSession, kind: str, payload: dict) -> SessionEvent:
    """Add a link to the session's chain. Call while holding the session's row lock, in the
    transaction that makes the change, so links are gap-free and in commit order."""
    assert kind in KINDS, kind
    last = db.session.scalar(select(SessionEvent).where(SessionEvent.session_id == session.id)
                             .order_by(SessionEvent.position.desc()).limit(1))
    prev_hash = last.hash if last else GENESIS
    content_hash, link_hash = link_hashes(prev_hash, kind, payload)
    event = SessionEvent(session_id=session.id, position=(last.position + 1) if last else 1, kind=kind,
                         payload=payload, content_hash=content_hash, prev_hash=prev_hash, hash=link_hash)
    db.session.add(event)
    return event


def message_created(session: DialogueSession, message: Message) -> None:
    """Chain a new message of the conversation (the staff back-channel is not on the record)."""
    if message.channel != "room":
        return
    payload = {
        "message": message.id, "member": message.membership_id, "reply_to": message.reply_to_id,
        "phase": message.phase_index, "status": message.status, "content_hash": message.content_hash,
        "at": iso(message.created_at)}
    # Recorded where known (links chained before languages were recorded stay as they were).
    if message.lang is not None:
        payload["lang"] = message.lang
    if message.translation_of_id is not None:
        payload["translation_of"] = message.translation_of_id
    append(session, "message_created", payload)


def message_edited(session: DialogueSession, message: Message, previous_hash: str) -> None:
    """Chain its author's correction of a message (a translation): the wording it replaced and
    the new one, by their hashes; the earlier wording itself is kept for the staff."""
    append(session, "message_edited", {"message": message.id, "previous_hash": previous_hash,
                                       "content_hash": message.content_hash, "status": message.status,
                                       "at": iso(message.edited_at)})


def status_changed(session: DialogueSession, message: Message) -> None:
    """Chain a moderation change of a message's status."""
    if message.channel != "room":
        return
    append(session, "status_changed", {"message": message.id, "status": message.status,
                                       "at": iso(message.updated_at)})


def phase_changed(session: DialogueSession, index: int, title: str) -> None:
    """Chain the start of an agenda phase."""
    append(session, "phase_changed", {"index": index, "title": title, "at": iso(session.phase_started_at)})


def consent_changed(session: DialogueSession, membership_id: int, naming: str, include: bool, at) -> None:
    """Chain a member's change of consent for the record."""
    append(session, "consent_changed", {"member": membership_id, "naming": naming, "include": include,
                                        "at": iso(at)})


def session_reopened(session: DialogueSession, ended_at, state: str, at) -> None:
    """Chain the reopening of a session that was ended by mistake: when it had ended, the state
    it went back to, and when."""
    append(session, "session_reopened", {"ended_at": iso(ended_at), "state": state, "at": iso(at)})


def iter_chain(session: DialogueSession):
    """The session's chain as transcripts carry it, link by link (a page of rows in memory)."""
    query = select(SessionEvent).where(SessionEvent.session_id == session.id).order_by(SessionEvent.position)
    for e in db.session.scalars(query.execution_options(yield_per=1000)):
        yield {"position": e.position, "kind": e.kind, "payload": e.payload, "content_hash": e.content_hash,
               "prev_hash": e.prev_hash, "hash": e.hash}


def chain(session: DialogueSession) -> list[dict]:
    """The session's chain as a list."""
    return list(iter_chain(session))


# --- checking a transcript offline -----------------------------------------------------------

class NotATranscript(ValueError):
    """The file is not a transcript of this platform."""


def verify(document) -> tuple[bool, str]:
    """Check a JSON transcript's chain, its final digest and its messages against the chain.

    Returns (True, summary) when intact, else (False, a sentence naming the first broken entry).
    Raises NotATranscript for anything that is not a transcript at all."""
    if not isinstance(document, dict) or document.get("schema") != TRANSCRIPT_SCHEMA:
        raise NotATranscript(f"This is not a dialogue transcript (its schema is not {TRANSCRIPT_SCHEMA}).")
    links = document.get("chain")
    messages = document.get("messages")
    if not isinstance(links, list) or not isinstance(messages, list):
        raise NotATranscript("The transcript has no chain or no messages.")
    prev_hash = GENESIS
    created: dict = {}
    order: list = []
    for index, link in enumerate(links, start=1):
        if not isinstance(link, dict) or link.get("position") != index:
            return False, f"chain entry {index}: missing, or out of order"
        content_hash, link_hash = link_hashes(prev_hash, link.get("kind"), link.get("payload"))
        if link.get("prev_hash") != prev_hash:
            return False, f"chain entry {index}: it does not follow entry {index - 1}"
        if link.get("content_hash") != content_hash or link.get("hash") != link_hash:
            return False, f"chain entry {index}: its content was changed"
        prev_hash = link_hash
        payload = link.get("payload") or {}
        if link.get("kind") == "message_created":
            created[payload.get("message")] = payload
            order.append(payload.get("message"))
        elif link.get("kind") == "message_edited" and payload.get("message") in created:
            # A correction: the transcript carries the latest wording.
            created[payload["message"]] = {**created[payload["message"]], "content_hash": payload.get("content_hash")}
    if document.get("final_digest") != prev_hash:
        return False, "final digest: it does not match the end of the chain"
    position_of = {message_id: i for i, message_id in enumerate(order)}
    last_position = -1
    for message in messages:
        message_id = message.get("id") if isinstance(message, dict) else None
        if message_id not in created:
            return False, f"message {message_id}: it is not in the chain"
        if position_of[message_id] < last_position:
            return False, f"message {message_id}: it is out of order"
        last_position = position_of[message_id]
        text = message.get("text")
        chained = created[message_id]
        if text is not None:
            if sha256(text) != chained.get("content_hash"):
                return False, f"message {message_id}: its text was changed"
            if "html" in message and message["html"] != render_message(text):
                return False, f"message {message_id}: its HTML does not match its text"
            for field, key in (("reply_to", "reply_to"), ("phase", "phase"), ("created_at", "at")):
                if field in message and message[field] != chained.get(key):
                    return False, f"message {message_id}: its {field} was changed"
    listed = {m.get("id") for m in messages}
    missing = [m for m in order if m not in listed]
    if missing:
        return False, f"message {missing[0]}: it was removed from the transcript"
    return True, f"intact: {len(links)} chain entries, {len(messages)} messages, digest {prev_hash}"
