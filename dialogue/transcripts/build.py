"""Transcripts: the record of a session, consent-respecting and carrying its integrity chain.

The JSON document built here is the source of every format (dialogue.transcripts.formats
renders Markdown, plain text and printable HTML from it). Attribution is the most private of
what was asked for and each member's consent in force (a later withdrawal applies to
everything they wrote); members who did not consent to appear at all are left out with a
neutral marker. Every message that is not shown as written says what happened to it (its
`fate`): held and never decided, rejected by a moderator, hidden after flags, redacted, or
deleted by its author; none of them is in the participants' version, and redacted or deleted
text appears nowhere.
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.consent import current_consent
from ..facilitation.state import phases
from ..models import (
    AuditEntry,
    DialogueSession,
    Membership,
    Message,
    MessageRevision,
    QueueItem,
    User,
    utcnow,
)
from ..protocol import iso

FORMATS = ("json", "md", "txt", "html")


ATTRIBUTIONS = ("named", "pseudonym", "side", "none")  # from the least to the most private


VERSIONS = ("participants", "staff")


# The reason a left-out message's marker gives, by what happened to it (layout.FATES;
# docs/transcripts.md, "Moderation applied").
LEFT_OUT_FOR = {"held": "undecided", "rejected": "moderation", "hidden": "moderation", "redacted": "moderation",
                "deleted": "deleted"}


def fate(message: Message, rejected: set[int]) -> str | None:
    """held (never decided), rejected (by a moderator), hidden (after flags, with no decision
    yet), redacted or deleted (by its author); None for a message shown as written."""
    if message.status == "visible":
        return None
    if message.status == "hidden":
        return "rejected" if message.id in rejected else "hidden"
    return message.status


def most_private(*modes: str) -> str:
    """The most private of attribution modes."""
    return max(modes, key=ATTRIBUTIONS.index)


def check_request(fmt, attribution, version) -> None:
    """Refuse an unknown format, attribution or version, naming the valid values."""
    if fmt not in FORMATS:
        raise DialogueError("invalid", _("format must be one of: %(f)s.", f=", ".join(FORMATS)))
    if attribution not in ATTRIBUTIONS:
        raise DialogueError("invalid", _("attribution must be one of: %(a)s.", a=", ".join(ATTRIBUTIONS)))
    if version not in VERSIONS:
        raise DialogueError("invalid", _("version must be one of: %(v)s.", v=", ".join(VERSIONS)))


def require_access(user: User, session: DialogueSession | None, version: str, attribution: str) -> str:
    """Check that the caller may read this version of the session's transcript, and return
    the attribution it is built with (members never get more names than were published)."""
    membership = permissions.require_view(user, session)
    if not permissions.can_read_transcript(user, membership, session, version):
        raise DialogueError("forbidden")
    return permissions.transcript_attribution(user, membership, session, attribution)


class _Attributor:
    """Turns each message into its transcript entry, remembering side numbers as it goes."""

    def __init__(self, session: DialogueSession, attribution: str, version: str):
        self.session, self.attribution, self.version = session, attribution, version
        self.members = {m.id: m for m in db.session.scalars(select(Membership).where(Membership.session_id == session.id))}
        self.consent = {m.id: current_consent(session.id, m.user_id) for m in self.members.values()}
        self.real_names = {}
        self.side_numbers: dict[int, int] = {}
        self.per_side_count: dict[str | None, int] = {}
        self.left_out = {"consent": 0, "moderation": 0, "undecided": 0, "deleted": 0}
        # A hidden message was rejected when a moderator decided so on its queue item.
        self.rejected = set(db.session.scalars(select(QueueItem.message_id).where(
            QueueItem.session_id == session.id, QueueItem.status == "rejected")))
        # Originals left out, with why: their translations are left out with them (they
        # carry the same words). Messages come in id order, so an original comes first.
        self.left_out_ids: dict[int, str] = {}

    def entry(self, message: Message) -> dict:
        entry = self._entry(message)
        if "left_out" in entry:
            self.left_out_ids[message.id] = entry["left_out"]
            # The counts are of the conversation's messages; translations go with theirs.
            if message.translation_of_id is None:
                self.left_out[entry["left_out"]] += 1
        return entry

    def _entry(self, message: Message) -> dict:
        session, version = self.session, self.version
        member = self.members[message.membership_id]
        agreed = self.consent.get(member.id)
        entry: dict = {"id": message.id}
        if message.translation_of_id is not None:
            entry["translation_of"] = message.translation_of_id
            if message.translation_of_id in self.left_out_ids:
                entry["left_out"] = self.left_out_ids[message.translation_of_id]
                return entry
        if agreed is None or not agreed.include:
            entry["left_out"] = "consent"
            return entry
        happened = fate(message, self.rejected)
        if happened is not None and (version == "participants" or happened in ("redacted", "deleted")):
            # No text is left of a redacted or deleted message; the rest stay out of the
            # participants' version, each saying what happened to it.
            entry.update({"left_out": LEFT_OUT_FOR[happened], "fate": happened})
            if version == "staff":
                entry["status"] = message.status
            return entry
        mode = most_private(self.attribution, agreed.naming)
        side = session.side_label(member.side)
        if mode == "named":
            # A person who asked to be forgotten has no real name any more: their placeholder stands.
            forgotten = member.user.erased_at or session.personal_data_removed_at
            entry["author"] = member.display_name if forgotten else member.user.real_name
            entry["side"] = side
        elif mode == "pseudonym":
            entry["author"], entry["side"] = member.display_name, side
        elif mode == "side":
            if member.id not in self.side_numbers:
                self.per_side_count[member.side] = self.per_side_count.get(member.side, 0) + 1
                self.side_numbers[member.id] = self.per_side_count[member.side]
            label = side or _("no side")
            entry["author"] = _("Participant from %(side)s %(n)d", side=label, n=self.side_numbers[member.id])
            entry["side"] = side
        entry.update({"role": member.role, "phase": message.phase_index, "reply_to": message.reply_to_id,
                      "created_at": iso(message.created_at), "text": message.body_source, "html": message.body_html,
                      "lang": message.lang})
        if message.edited_at is not None:
            entry["edited_at"] = iso(message.edited_at)
            if version == "staff":  # what the interpreter corrected, oldest first
                entry["earlier_wordings"] = list(db.session.scalars(
                    select(MessageRevision.body_source).where(MessageRevision.message_id == message.id)
                    .order_by(MessageRevision.id)))
        if happened is not None:  # the staff version shows it, saying what happened
            entry.update({"status": message.status, "fate": happened})
        return entry


def _head(session: DialogueSession, attribution: str, version: str) -> dict:
    return {
        "schema": record.TRANSCRIPT_SCHEMA,
        "version": version,
        "attribution": attribution,
        "generated_at": iso(utcnow()),
        "session": {"id": session.id, "title": session.title, "description": session.description,
                    "sides": [session.side_a_label, session.side_b_label], "language": session.language,
                    "time_zone": session.time_zone, "preface": session.transcript_preface,
                    "summary": session.transcript_summary, "started_at": iso(session.started_at),
                    "ended_at": iso(session.ended_at), "published_digest": session.published_digest},
        "phases": [{"index": i, "title": p.title, "prompt": p.prompt} for i, p in enumerate(phases(session))],
    }


def _room_messages(session: DialogueSession):
    return db.session.scalars(select(Message).where(Message.session_id == session.id, Message.channel == "room")
                              .order_by(Message.id).execution_options(yield_per=1000))


def _tail(session: DialogueSession, version: str, attributor: _Attributor, last_hash: str) -> dict:
    tail = {"left_out": attributor.left_out, "final_digest": last_hash,
            "verify": "dialogue transcript verify FILE.json"}
    if version == "staff":
        tail["moderation"] = dict(db.session.execute(
            select(AuditEntry.action, func.count(AuditEntry.id)).where(AuditEntry.session_id == session.id)
            .group_by(AuditEntry.action)).all())
    return tail


def build(session: DialogueSession, *, attribution: str = "pseudonym", version: str = "participants") -> dict:
    """The transcript of a session as one JSON-ready object (schema dialogue-transcript/1)."""
    attributor = _Attributor(session, attribution, version)
    document = _head(session, attribution, version)
    document["messages"] = [attributor.entry(m) for m in _room_messages(session)]
    document["chain"] = record.chain(session)
    last = document["chain"][-1]["hash"] if document["chain"] else record.GENESIS
    document.update(_tail(session, version, attributor, last))
    return document


def stream_json(session: DialogueSession, *, attribution: str = "pseudonym", version: str = "participants"):
    """The same document as build(), as JSON text in pieces, in memory bounded by a page of
    rows: the first bytes leave before the last message is read."""
    def dump(value) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    attributor = _Attributor(session, attribution, version)
    head = dump(_head(session, attribution, version))
    yield head[:-1] + ',"messages":['
    for index, message in enumerate(_room_messages(session)):
        yield ("," if index else "") + dump(attributor.entry(message))
    yield '],"chain":['
    last = record.GENESIS
    for index, link in enumerate(record.iter_chain(session)):
        last = link["hash"]
        yield ("," if index else "") + dump(link)
    yield "]," + dump(_tail(session, version, attributor, last))[1:]


def own_messages(user: User, session: DialogueSession | None) -> dict:
    """Everything the caller wrote in a session, at any time (redacted text excepted)."""
    membership = permissions.require_member(permissions.require_view(user, session))
    rows = db.session.scalars(select(Message).where(Message.session_id == session.id, Message.author_id == user.id,
                                                    Message.channel == "room").order_by(Message.id))
    return {"session": {"id": session.id, "title": session.title}, "name": membership.display_name,
            "messages": [{"id": m.id, "created_at": iso(m.created_at), "status": m.status, "phase": m.phase_index,
                          "reply_to": m.reply_to_id, "text": m.body_source if m.status != "redacted" else None}
                         for m in rows]}
