"""Transcripts: the record of a session, consent-respecting and carrying its integrity chain.

Only JSON is produced so far (docs/protocol.md, "Transcripts"); Markdown, plain text and
printable HTML come next. Attribution is the most private of what was asked for and each
member's consent in force (a later withdrawal applies to everything they wrote); members
who did not consent to appear at all are left out with a neutral marker; held, hidden and
rejected messages are left out of the participants' version; redacted text appears nowhere.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import AuditEntry, DialogueSession, Membership, Message, User, utcnow
from ..protocol import iso
from . import facilitation, record

FORMATS = ("json",)
PLANNED_FORMATS = ("md", "txt", "html")
ATTRIBUTIONS = ("named", "pseudonym", "side", "none")  # from the least to the most private
VERSIONS = ("participants", "staff")


def most_private(*modes: str) -> str:
    """The most private of attribution modes."""
    return max(modes, key=ATTRIBUTIONS.index)


def check_request(fmt, attribution, version) -> None:
    """Refuse an unknown format, attribution or version, naming the valid values."""
    if fmt not in FORMATS:
        raise DialogueError("invalid", _("format must be one of: %(f)s (%(p)s are planned).",
                                         f=", ".join(FORMATS), p=", ".join(PLANNED_FORMATS)))
    if attribution not in ATTRIBUTIONS:
        raise DialogueError("invalid", _("attribution must be one of: %(a)s.", a=", ".join(ATTRIBUTIONS)))
    if version not in VERSIONS:
        raise DialogueError("invalid", _("version must be one of: %(v)s.", v=", ".join(VERSIONS)))


def require_access(user: User, session: DialogueSession | None, version: str) -> None:
    """Members (and admins) read the participants' version; facilitators and admins the staff one."""
    membership = permissions.require_view(user, session)
    if version == "staff" and not permissions.can_manage_session(user, membership):
        raise DialogueError("forbidden")


def build(session: DialogueSession, *, attribution: str = "pseudonym", version: str = "participants") -> dict:
    """The transcript of a session as one JSON-ready object (schema dialogue-transcript/1)."""
    members = {m.id: m for m in db.session.scalars(select(Membership).where(Membership.session_id == session.id))}
    consent = {m.id: facilitation.current_consent(session.id, m.user_id) for m in members.values()}
    side_numbers: dict[int, int] = {}
    per_side_count: dict[str | None, int] = {}
    messages_out = []
    left_out = {"consent": 0, "moderation": 0}
    for message in db.session.scalars(select(Message).where(Message.session_id == session.id, Message.channel == "room")
                                      .order_by(Message.id)):
        member = members[message.membership_id]
        agreed = consent.get(member.id)
        entry: dict = {"id": message.id}
        if agreed is None or not agreed.include:
            entry["left_out"] = "consent"
            left_out["consent"] += 1
        elif message.status != "visible" and (version == "participants" or message.status == "redacted"):
            entry["left_out"] = "moderation"
            if version == "staff":
                entry["status"] = message.status
            left_out["moderation"] += 1
        else:
            mode = most_private(attribution, agreed.naming)
            side = session.side_label(member.side)
            if mode == "named":
                entry["author"], entry["side"] = member.user.real_name, side
            elif mode == "pseudonym":
                entry["author"], entry["side"] = member.display_name, side
            elif mode == "side":
                if member.id not in side_numbers:
                    per_side_count[member.side] = per_side_count.get(member.side, 0) + 1
                    side_numbers[member.id] = per_side_count[member.side]
                label = side or _("no side")
                entry["author"] = _("Participant from %(side)s %(n)d", side=label, n=side_numbers[member.id])
                entry["side"] = side
            entry.update({"role": member.role, "phase": message.phase_index, "reply_to": message.reply_to_id,
                          "created_at": iso(message.created_at), "text": message.body_source,
                          "html": message.body_html})
            if version == "staff" and message.status != "visible":
                entry["status"] = message.status
        messages_out.append(entry)
    links = record.chain(session)
    document = {
        "schema": record.TRANSCRIPT_SCHEMA,
        "version": version,
        "attribution": attribution,
        "generated_at": iso(utcnow()),
        "session": {"id": session.id, "title": session.title, "description": session.description,
                    "sides": [session.side_a_label, session.side_b_label], "language": session.language,
                    "started_at": iso(session.started_at), "ended_at": iso(session.ended_at)},
        "phases": [{"index": i, "title": p.title, "prompt": p.prompt} for i, p in enumerate(facilitation.phases(session))],
        "messages": messages_out,
        "left_out": left_out,
        "chain": links,
        "final_digest": links[-1]["hash"] if links else record.GENESIS,
        "verify": "dialogue transcript verify FILE.json",
    }
    if version == "staff":
        document["moderation"] = dict(db.session.execute(
            select(AuditEntry.action, func.count(AuditEntry.id)).where(AuditEntry.session_id == session.id)
            .group_by(AuditEntry.action)).all())
    return document
