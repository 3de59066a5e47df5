"""The review queue: items as moderators see them, live to the session's staff."""

from __future__ import annotations

import statistics
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    MAX_ROW_ID,
    AuditEntry,
    DialogueSession,
    Flag,
    Message,
    QueueItem,
    User,
    utcnow,
)
from ..protocol import iso, message_object, outsider_id
from .audit import audit
from .people import membership_of, person

OPEN_STATUSES = ("pending", "escalated")


def enqueue(session: DialogueSession, message: Message, reasons: list[dict], actor_id: int | None) -> QueueItem:
    """Put a message in the review queue (or add reasons to its open item) and tell staff."""
    item = db.session.scalar(select(QueueItem).where(QueueItem.message_id == message.id))
    now = utcnow()
    if item is None:
        item = QueueItem(session_id=session.id, message_id=message.id, status="pending", reasons=list(reasons),
                         created_at=now, updated_at=now)
        item.message = message
        db.session.add(item)
        db.session.flush()
    else:
        known = list(item.reasons or [])
        item.reasons = known + [r for r in reasons if r not in known]
        # New flags on an approved message ask the moderators to look again; a rejected or
        # redacted message is already out of view and stays decided.
        if item.status == "approved":
            item.status, item.decided_by_id, item.decided_at, item.decision_reason = "pending", None, None, None
        item.updated_at = now
    if message.status == "held" and reasons:
        audit(session.id, actor_id, "hold", target_type="message", target_id=message.id,
              reasons=[r["kind"] for r in reasons])
        audience.to_member(session.id, message.author_id, "notice", {
            "kind": "held", "message_id": message.id, "reason": ", ".join(sorted({r["kind"] for r in reasons}))})
    notify_item(session, item)
    return item


def queue_item_object(session: DialogueSession, item: QueueItem, *, detail: bool = True) -> dict:
    """The protocol's QueueItem, with what a moderator needs to decide in seconds."""
    message = item.message
    flags = db.session.execute(
        select(Flag.reason, func.count(Flag.id)).where(Flag.message_id == message.id).group_by(Flag.reason)
    ).all()
    notes = [n for n in db.session.scalars(select(Flag.note).where(Flag.message_id == message.id, Flag.note != ""))]
    reasons = [{"kind": "flag", "reason": reason, "count": count} for reason, count in sorted(flags)]
    if notes:
        reasons.append({"kind": "flag_notes", "notes": notes[:20]})
    reasons += list(item.reasons or [])
    answer = {
        "id": item.id,
        "session_id": item.session_id,
        "session_title": session.title,
        "message": message_object(session, message, staff_view=True),
        # A translation is judged beside what it translates.
        "original": (message_object(session, message.original, staff_view=True)
                     if message.translation_of_id is not None and message.original is not None else None),
        "reasons": reasons,
        "flag_count": sum(count for _reason, count in flags),
        "status": item.status,
        "claimed_by": person(session, item.claimed_by_id),
        "awaiting_confirmation": None if item.proposed_action is None else {
            "action": item.proposed_action, "by": person(session, item.proposed_by_id),
            "reason": item.proposed_reason},
        "decided_by": person(session, item.decided_by_id),
        "decision_reason": item.decision_reason,
        "decided_at": iso(item.decided_at),
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
    }
    if detail:
        answer["context"] = _context(session, message)
        answer["author_history"] = _author_history(session, message)
    return answer


def _context(session: DialogueSession, message: Message, around: int = 3) -> list[dict]:
    before = db.session.scalars(select(Message).where(Message.session_id == session.id, Message.id < message.id)
                                .order_by(Message.id.desc()).limit(around)).all()
    after = db.session.scalars(select(Message).where(Message.session_id == session.id, Message.id > message.id)
                               .order_by(Message.id).limit(around)).all()
    return [message_object(session, m, staff_view=True) for m in [*reversed(before), *after]]


def _author_history(session: DialogueSession, message: Message) -> dict:
    earlier = db.session.execute(
        select(QueueItem.status, func.count(QueueItem.id))
        .join(Message, Message.id == QueueItem.message_id)
        .where(QueueItem.session_id == session.id, Message.author_id == message.author_id,
               QueueItem.message_id != message.id)
        .group_by(QueueItem.status)).all()
    sanctions = db.session.execute(
        select(AuditEntry.action, func.count(AuditEntry.id))
        .where(AuditEntry.session_id == session.id, AuditEntry.target_type == "member",
               AuditEntry.target_id == str(message.author_id))
        .group_by(AuditEntry.action)).all()
    membership = membership_of(session.id, message.author_id)
    return {"items": {status: count for status, count in earlier},
            "sanctions": {action: count for action, count in sanctions},
            "muted_until": iso(permissions.muted_until(membership))}


def my_id(user: User, session: DialogueSession) -> str:
    """The id the caller goes by in a session's queue items (to tell their own claims)."""
    membership = membership_of(session.id, user.id)
    return membership.public_id if membership else outsider_id(session.id, user.id)


def notify_item(session: DialogueSession, item: QueueItem) -> None:
    """After commit, send the changed queue item to the session's staff."""
    audience.to_staff(session.id, "queue_item", queue_item_object(session, item))


def staff_sessions(user: User) -> list[DialogueSession]:
    """Sessions whose queue this user serves: all for admins, else where they are staff."""
    return list(db.session.scalars(permissions.sessions_served_by(user)))


def open_items(user: User, session_id=None) -> tuple[list[DialogueSession], list[dict]]:
    """Open items of one session, or of every session the user serves, oldest first."""
    if session_id is not None:
        if not isinstance(session_id, str):
            raise DialogueError("invalid")
        session = db.session.get(DialogueSession, session_id)
        permissions.require_staff(user, session)
        sessions = [session]
    else:
        sessions = staff_sessions(user)
    by_id = {s.id: s for s in sessions}
    items = db.session.scalars(select(QueueItem).where(QueueItem.session_id.in_(by_id),
                                                       QueueItem.status.in_(OPEN_STATUSES))
                               .order_by(QueueItem.created_at, QueueItem.id)).all() if by_id else []
    return sessions, [queue_item_object(by_id[item.session_id], item) for item in items]


def recent_items(sessions: list[DialogueSession], minutes: int, limit: int = 20) -> list[dict]:
    """Items of these sessions decided in the last `minutes`, newest first: the queue's
    recently decided list, where an approval or rejection can still be undone."""
    by_id = {s.id: s for s in sessions}
    if not by_id:
        return []
    since = utcnow() - timedelta(minutes=minutes)
    items = db.session.scalars(select(QueueItem).where(
        QueueItem.session_id.in_(by_id), QueueItem.status.in_(("approved", "rejected", "redacted")),
        QueueItem.decided_at >= since).order_by(QueueItem.decided_at.desc(), QueueItem.id.desc()).limit(limit)).all()
    return [queue_item_object(by_id[item.session_id], item) for item in items]


def figures(session_ids: list[str]) -> dict:
    """Queue figures for the moderator page: waiting, oldest waiting, median time to decision."""
    if not session_ids:
        return {"waiting": 0, "oldest_waiting": None, "median_seconds_to_decision": None}
    waiting = db.session.execute(select(func.count(QueueItem.id), func.min(QueueItem.created_at))
                                 .where(QueueItem.session_id.in_(session_ids),
                                        QueueItem.status.in_(OPEN_STATUSES))).one()
    decided = db.session.execute(select(QueueItem.created_at, QueueItem.decided_at)
                                 .where(QueueItem.session_id.in_(session_ids),
                                        QueueItem.decided_at.is_not(None))).all()
    durations = [(d - c).total_seconds() for c, d in decided]
    return {"waiting": waiting[0], "oldest_waiting": iso(waiting[1]),
            "median_seconds_to_decision": round(statistics.median(durations), 1) if durations else None}


def item_in(session: DialogueSession, item_id) -> QueueItem:
    item = db.session.get(QueueItem, item_id)
    if item is None or item.session_id != session.id:
        raise DialogueError("not_found")
    return item


def parse_item_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DialogueError("invalid", _("item_id must be a queue item id."))
    if not 0 < value <= MAX_ROW_ID:
        raise DialogueError("not_found")
    return value


def parse_message_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DialogueError("invalid", _("message_id must be a message id."))
    try:
        number = int(value)
    except ValueError:
        raise DialogueError("not_found") from None
    if not 0 < number <= MAX_ROW_ID:
        raise DialogueError("not_found")
    return number
