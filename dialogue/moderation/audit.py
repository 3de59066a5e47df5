"""The audit log: append-only entries of every moderation event, read and exported by
facilitators and admins."""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    AuditEntry,
    DialogueSession,
    User,
)
from ..protocol import iso, outsider_id
from ..spreadsheet import csv_text
from .people import membership_of


def audit(session_id: str | None, actor_id: int | None, action: str, *, target_type: str = "",
          target_id="", reason: str = "", **details) -> None:
    """Append one entry to the audit log, in the caller's transaction (so it commits with it)."""
    db.session.add(AuditEntry(session_id=session_id, actor_id=actor_id, action=action,
                              target_type=target_type, target_id=str(target_id or ""),
                              reason=reason or "", details=details))


MAX_REASON = 1000


def reason_text(value, *, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DialogueError("invalid", _("The reason must be text."))
    value = value.strip()
    if required and not value:
        raise DialogueError("invalid", _("Give a reason: the author and the record need one."))
    if len(value) > MAX_REASON:
        raise DialogueError("too_long")
    return value


AUDIT_COLUMNS = ("time", "actor", "action", "target_type", "target_id", "reason", "details")


def audit_entries(user: User, session: DialogueSession, *, action: str | None = None,
                  actor_id: int | None = None, limit: int | None = 500) -> list[AuditEntry]:
    """The session's audit log, newest first, optionally filtered (facilitators and admins)."""
    membership = permissions.require_view(user, session)
    if not permissions.can_read_audit(user, membership):
        raise DialogueError("forbidden")
    query = select(AuditEntry).where(AuditEntry.session_id == session.id)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    query = query.order_by(AuditEntry.id.desc())
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def word_changes(limit: int | None = 100) -> list[AuditEntry]:
    """Changes to the watched-words list (platform-wide, so in no session's log), newest first."""
    query = select(AuditEntry).where(AuditEntry.session_id.is_(None), AuditEntry.target_type == "word") \
        .order_by(AuditEntry.id.desc())
    return list(db.session.scalars(query.limit(limit) if limit else query))


def anonymous_actor_label(session: DialogueSession | None, actor_id: int | None) -> str:
    """An actor named without identity (for viewers who may not see real names): their name in
    the session, else an opaque id that stays the same for them in this log and is no account
    id (so it links them to nothing elsewhere)."""
    if actor_id is None:
        return "system"
    membership = membership_of(session.id, actor_id) if session is not None else None
    return membership.display_name if membership else outsider_id(session.id if session else "word-log", actor_id)


def actor_label(session: DialogueSession | None, actor_id: int | None) -> str:
    """How the audit log names an actor for facilitators and admins: the session name and
    the account's e-mail."""
    if actor_id is None:
        return "system"
    user = db.session.get(User, actor_id)
    membership = membership_of(session.id, actor_id) if session is not None else None
    name = membership.display_name if membership else (user.real_name if user else "?")
    return f"{name} <{user.email}>" if user else name


def audit_csv(session: DialogueSession | None, entries: list[AuditEntry], label=None) -> str:
    """The audit log as CSV, oldest first (cells safe from spreadsheet formulas)."""
    return csv_text(AUDIT_COLUMNS, (
        (iso(entry.created_at), (label or actor_label)(session, entry.actor_id), entry.action, entry.target_type,
         entry.target_id, entry.reason, json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True))
        for entry in sorted(entries, key=lambda e: e.id)))
