"""Moderation write paths: screening new messages, flags, the review queue, decisions,
sanctions, session settings, watched words and the audit log."""

from __future__ import annotations

import csv
import io
import statistics
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import emitter, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    AuditEntry,
    DialogueSession,
    Flag,
    Membership,
    Message,
    PendingSanction,
    QueueItem,
    User,
    WatchedWord,
    utcnow,
)
from ..protocol import iso, member_object, message_object
from . import record
from .common import next_seq, session_write
from .dialogues import end_membership

FLAG_REASONS = ("incitement", "hate", "personal_attack", "identifying_info", "off_topic", "spam", "other")
DECISIONS = ("approve", "reject", "redact", "escalate")
SANCTIONS = ("warn", "mute", "unmute", "remove")
OPEN_STATUSES = ("pending", "escalated")
MAX_MUTE_MINUTES = 7 * 24 * 60
MAX_REASON = 1000


# --- the audit log ---------------------------------------------------------------------------

def audit(session_id: str | None, actor_id: int | None, action: str, *, target_type: str = "",
          target_id="", reason: str = "", **details) -> None:
    """Append one entry to the audit log, in the caller's transaction (so it commits with it)."""
    db.session.add(AuditEntry(session_id=session_id, actor_id=actor_id, action=action,
                              target_type=target_type, target_id=str(target_id or ""),
                              reason=reason or "", details=details))


# --- screening messages as they are written --------------------------------------------------

@dataclass
class Screening:
    """What moderation decided about a new message before it is stored."""

    body: str
    status: str = "visible"
    reasons: list[dict] = field(default_factory=list)


_matcher_lock = threading.Lock()
_matcher_cache: tuple | None = None


def current_matcher():
    """The compiled matcher for the watched-words list, rebuilt when the list changes."""
    global _matcher_cache
    from ..moderation.matcher import Matcher, Term

    signature = tuple(db.session.execute(
        select(func.count(WatchedWord.id), func.coalesce(func.sum(WatchedWord.id), 0),
               func.max(WatchedWord.created_at))).one())
    with _matcher_lock:
        if _matcher_cache is not None and _matcher_cache[0] == signature:
            return _matcher_cache[1]
    words = db.session.scalars(select(WatchedWord)).all()
    matcher = Matcher([Term(w.id, w.term, w.action, w.language, w.whole_word) for w in words])
    with _matcher_lock:
        _matcher_cache = (signature, matcher)
    return matcher


def screen(session: DialogueSession, membership: Membership, text: str) -> Screening:
    """Apply watched words, the identifying-information check and pre-moderation.

    A `block` term refuses the message (`blocked`, naming the term); `mask` terms are masked;
    `hold` terms, identifying information and pre-moderation hold it; `flag` terms queue it.
    Staff are never held: what would hold their message queues it instead.
    """
    from ..moderation.identifying import find_identifying_info
    from ..moderation.matcher import mask, strongest

    matches = current_matcher().find(text)
    if strongest(matches) == "block":
        blocked = sorted({m.matched_text for m in matches if m.term.action == "block"})
        raise DialogueError("blocked", _("Your message was not sent: it contains “%(terms)s”, which is not "
                                         "allowed here.", terms="”, “".join(blocked)), terms=blocked)
    result = Screening(body=mask(text, [m for m in matches if m.term.action == "mask"]))
    hold = False
    for match in matches:
        if match.term.action in ("hold", "flag"):
            result.reasons.append({"kind": "watched_word", "term": match.term.term, "action": match.term.action,
                                   "matched": match.matched_text})
            hold = hold or match.term.action == "hold"
    found = find_identifying_info(text)
    if found:
        result.reasons.append({"kind": "identifying_info", "found": sorted({kind for kind, _s, _e in found})})
        hold = True
    if session.moderation_mode == "pre" and membership.role == "participant":
        result.reasons.append({"kind": "premoderation"})
        hold = True
    if hold and membership.role == "participant":
        result.status = "held"
    return result


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
        emitter.on_commit(db.session, "notice", {"kind": "held", "message_id": message.id,
                                                 "reason": ", ".join(sorted({r["kind"] for r in reasons}))},
                          emitter.member_room(session.id, message.author_id))
    notify_item(session, item)
    return item


# --- the queue as moderators see it ----------------------------------------------------------

def _membership_of(session_id: str, user_id: int | None) -> Membership | None:
    if user_id is None:
        return None
    return db.session.scalar(select(Membership).where(Membership.session_id == session_id,
                                                      Membership.user_id == user_id))


def _person(session: DialogueSession, user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    membership = _membership_of(session.id, user_id)
    if membership is None:
        return {"id": user_id, "name": _("Administrator"), "side": None, "role": "admin"}
    return member_object(session, membership)


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
        "reasons": reasons,
        "flag_count": sum(count for _reason, count in flags),
        "status": item.status,
        "claimed_by": _person(session, item.claimed_by_id),
        "awaiting_confirmation": None if item.proposed_action is None else {
            "action": item.proposed_action, "by": _person(session, item.proposed_by_id),
            "reason": item.proposed_reason},
        "decided_by": _person(session, item.decided_by_id),
        "decision_reason": item.decision_reason,
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
    membership = _membership_of(session.id, message.author_id)
    return {"items": {status: count for status, count in earlier},
            "sanctions": {action: count for action, count in sanctions},
            "muted_until": iso(membership.muted_until) if membership and membership.muted_until
            and membership.muted_until > utcnow() else None}


def notify_item(session: DialogueSession, item: QueueItem) -> None:
    """After commit, send the changed queue item to the session's staff."""
    emitter.on_commit(db.session, "queue_item", queue_item_object(session, item),
                      emitter.staff_room(session.id))


def staff_sessions(user: User) -> list[DialogueSession]:
    """Sessions whose queue this user serves: all for admins, else where they are staff."""
    if user.is_admin:
        return list(db.session.scalars(select(DialogueSession)))
    return list(db.session.scalars(
        select(DialogueSession).join(Membership, Membership.session_id == DialogueSession.id)
        .where(Membership.user_id == user.id, Membership.revoked_at.is_(None),
               Membership.role.in_(permissions.STAFF_ROLES))))


def queue(user: User, session_id=None) -> tuple[list[DialogueSession], list[dict]]:
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


# --- flags -----------------------------------------------------------------------------------

def _message_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DialogueError("invalid", _("message_id must be a message id."))
    try:
        number = int(value)
    except ValueError:
        raise DialogueError("not_found") from None
    if not 0 < number < 2**63:
        raise DialogueError("not_found")
    return number


def _reason_text(value, *, required: bool) -> str:
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


def flag(user: User, message_id, reason, note=None) -> None:
    """A member flags a message they can see; enough distinct flags hide it for review."""
    message_id = _message_id(message_id)
    if reason not in FLAG_REASONS:
        raise DialogueError("invalid", _("reason must be one of: %(r)s.", r=", ".join(FLAG_REASONS)))
    note = _reason_text(note, required=reason == "other")
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    # Only members may take the session's write lock (checked again under it).
    if permissions.current_membership(user, db.session.get(DialogueSession, found.session_id)) is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        message = db.session.get(Message, message_id)
        membership = permissions.current_membership(user, session)
        if membership is None or not permissions.can_see_message(user, membership, message):
            raise DialogueError("not_found")
        if not permissions.can_flag(user, membership):
            raise DialogueError("forbidden")
        if message.author_id == user.id:
            raise DialogueError("invalid", _("You cannot flag your own message."))
        if message.status == "redacted":
            raise DialogueError("conflict")
        if db.session.scalar(select(Flag.id).where(Flag.message_id == message.id, Flag.flagger_id == user.id)):
            db.session.rollback()
            return
        db.session.add(Flag(session_id=session.id, message_id=message.id, flagger_id=user.id, reason=reason, note=note))
        try:
            db.session.flush()
        except IntegrityError:
            db.session.rollback()
            return
        # The note stays with the flag (and goes with a redaction); the log keeps the reason code.
        audit(session.id, user.id, "flag", target_type="message", target_id=message.id, reason=reason)
        distinct = db.session.scalar(select(func.count(func.distinct(Flag.flagger_id)))
                                     .where(Flag.message_id == message.id))
        # Once a moderator approved the message, flags queue it again but never hide it again.
        approved_before = db.session.scalar(select(AuditEntry.id).where(
            AuditEntry.session_id == session.id, AuditEntry.action == "approve",
            AuditEntry.target_type == "message", AuditEntry.target_id == str(message.id)).limit(1)) is not None
        if distinct >= session.flag_threshold and message.status == "visible" and not approved_before:
            _set_status(session, message, "hidden")
            audit(session.id, None, "hide", target_type="message", target_id=message.id,
                  reason="flag threshold", flags=distinct)
            emitter.on_commit(db.session, "notice", {"kind": "held", "message_id": message.id, "reason": "flags"},
                              emitter.member_room(session.id, message.author_id))
        enqueue(session, message, [], user.id)
        db.session.commit()


# --- decisions -------------------------------------------------------------------------------

def _set_status(session: DialogueSession, message: Message, status: str) -> None:
    """Change a message's status, take the next seq and tell exactly who may now see it."""
    from .messages import queue_message_event

    was_public = message.published
    message.status = status
    message.seq = next_seq(session)
    message.updated_at = utcnow()
    if status == "visible":
        message.published = True
    if status == "redacted":
        message.body_source = ""
        message.body_html = ""
    record.status_changed(session, message)
    queue_message_event(session, message, "message_updated" if was_public else "message")


def _item_in(session: DialogueSession, item_id) -> QueueItem:
    item = db.session.get(QueueItem, item_id)
    if item is None or item.session_id != session.id:
        raise DialogueError("not_found")
    return item


def _item_id(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DialogueError("invalid", _("item_id must be a queue item id."))
    return value


def decide(user: User, item_id, action, reason=None) -> dict:
    """A moderator decides a queue item: approve, reject, redact or escalate it.

    Deciding an item that is already decided is `conflict` and changes nothing. Under the
    two-key rule a rejection of a participant's message is first a proposal, which takes
    effect when a second moderator makes the same decision."""
    item_id = _item_id(item_id)
    if action not in DECISIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(DECISIONS)))
    reason = _reason_text(reason, required=action in ("reject", "redact"))
    found = db.session.get(QueueItem, item_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        permissions.require_staff(user, session)
        item = _item_in(session, item_id)
        if item.status not in OPEN_STATUSES:
            raise DialogueError("conflict", _("This item was already decided (%(status)s).", status=item.status))
        message = item.message
        author = _membership_of(session.id, message.author_id)
        if action == "reject" and permissions.needs_second_key(session, author.role if author else ""):
            if item.proposed_action != "reject":
                item.proposed_action, item.proposed_by_id, item.proposed_reason = "reject", user.id, reason
                item.updated_at = utcnow()
                audit(session.id, user.id, "propose_reject", target_type="message", target_id=message.id,
                      reason=reason)
                notify_item(session, item)
                db.session.commit()
                return queue_item_object(session, item)
            if item.proposed_by_id == user.id:
                raise DialogueError("conflict", _("A second moderator must confirm this decision."))
            audit(session.id, user.id, "confirm_reject", target_type="message", target_id=message.id,
                  proposed_by=item.proposed_by_id)
        _apply_decision(session, item, message, user, action, reason)
        db.session.commit()
        return queue_item_object(session, item)


def _apply_decision(session, item: QueueItem, message: Message, user: User, action: str, reason: str) -> None:
    now = utcnow()
    notice_room = emitter.member_room(session.id, message.author_id)
    if action == "approve":
        if message.status in ("held", "hidden"):
            _set_status(session, message, "visible")
        item.status = "approved"
        emitter.on_commit(db.session, "notice", {"kind": "approved", "message_id": message.id}, notice_room)
    elif action == "reject":
        if message.status != "hidden":
            _set_status(session, message, "hidden")
        item.status = "rejected"
        emitter.on_commit(db.session, "notice", {"kind": "rejected", "message_id": message.id, "reason": reason},
                          notice_room)
    elif action == "redact":
        _set_status(session, message, "redacted")
        # What the matcher quoted from the message, and flag notes that may quote it, go too:
        # the text must be gone everywhere.
        item.reasons = [{k: v for k, v in r.items() if k != "matched"} for r in item.reasons or []]
        db.session.execute(update(Flag).where(Flag.message_id == message.id).values(note=""))
        item.status = "redacted"
        emitter.on_commit(db.session, "notice", {"kind": "redacted", "message_id": message.id, "reason": reason},
                          notice_room)
    else:
        item.status = "escalated"
        item.updated_at = now
        audit(session.id, user.id, "escalate", target_type="message", target_id=message.id, reason=reason)
        notify_item(session, item)
        return
    item.decided_by_id, item.decided_at, item.decision_reason, item.updated_at = user.id, now, reason, now
    item.proposed_action = None
    audit(session.id, user.id, action, target_type="message", target_id=message.id, reason=reason)
    notify_item(session, item)


def decide_many(user: User, item_ids, action, reason=None) -> list[dict]:
    """Bulk decisions: each item decided on its own; one failing does not stop the others."""
    if not isinstance(item_ids, list) or not item_ids or len(item_ids) > 200:
        raise DialogueError("invalid", _("item_ids must be a list of 1 to 200 ids."))
    results = []
    for item_id in item_ids:
        try:
            results.append({"item_id": item_id, "ok": True, "item": decide(user, item_id, action, reason)})
        except DialogueError as error:
            db.session.rollback()
            results.append({"item_id": item_id, **error.to_answer()})
    return results


def claim(user: User, item_id, release: bool = False) -> dict:
    """Claim an item so that two moderators do not decide the same thing (or release it)."""
    item_id = _item_id(item_id)
    found = db.session.get(QueueItem, item_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        membership = permissions.require_staff(user, session)
        item = _item_in(session, item_id)
        if release:
            if item.claimed_by_id not in (None, user.id) and not permissions.can_manage_session(user, membership):
                raise DialogueError("forbidden")
            item.claimed_by_id, item.claimed_at = None, None
        else:
            if item.status not in OPEN_STATUSES:
                raise DialogueError("conflict")
            if item.claimed_by_id not in (None, user.id):
                raise DialogueError("conflict", _("Another moderator is already on this item."))
            item.claimed_by_id, item.claimed_at = user.id, utcnow()
        item.updated_at = utcnow()
        notify_item(session, item)
        db.session.commit()
        return queue_item_object(session, item)


# --- sanctions -------------------------------------------------------------------------------

def _target(session: DialogueSession, user_id) -> Membership:
    if isinstance(user_id, bool) or not isinstance(user_id, int):
        raise DialogueError("invalid", _("user_id must be a member's id."))
    target = db.session.scalar(select(Membership).where(Membership.session_id == session.id,
                                                        Membership.user_id == user_id,
                                                        Membership.revoked_at.is_(None)))
    if target is None:
        raise DialogueError("not_found")
    return target


def sanction(user: User, session_id, user_id, action, minutes=None, reason=None) -> dict:
    """Warn, mute, unmute or remove a member; takes effect at once on their live sockets."""
    if action not in SANCTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(SANCTIONS)))
    reason = _reason_text(reason, required=action in ("warn", "mute", "remove"))
    if action == "mute" and (isinstance(minutes, bool) or not isinstance(minutes, int)
                             or not 1 <= minutes <= MAX_MUTE_MINUTES):
        raise DialogueError("invalid", _("minutes must be a whole number from 1 to %(n)d.", n=MAX_MUTE_MINUTES))
    with session_write(session_id) as session:
        actor_membership = permissions.require_staff(user, session)
        target = _target(session, user_id)
        if not permissions.can_sanction(user, actor_membership, target):
            raise DialogueError("forbidden")
        room = emitter.member_room(session.id, target.user_id)
        result: dict = {}
        if action == "warn":
            emitter.on_commit(db.session, "notice", {"kind": "warned", "reason": reason}, room)
        elif action == "mute":
            target.muted_until = utcnow() + timedelta(minutes=minutes)
            emitter.on_commit(db.session, "notice", {"kind": "muted", "reason": reason,
                                                     "until": iso(target.muted_until)}, room)
            result["until"] = iso(target.muted_until)
        elif action == "unmute":
            target.muted_until = None
            emitter.on_commit(db.session, "notice", {"kind": "unmuted", "reason": reason}, room)
        else:
            if permissions.needs_second_key(session, target.role):
                pending = db.session.scalar(select(PendingSanction).where(
                    PendingSanction.session_id == session.id, PendingSanction.user_id == target.user_id,
                    PendingSanction.resolved_at.is_(None)))
                if pending is None:
                    db.session.add(PendingSanction(session_id=session.id, user_id=target.user_id,
                                                   proposed_by_id=user.id, reason=reason))
                    audit(session.id, user.id, "propose_remove", target_type="member", target_id=target.user_id,
                          reason=reason)
                    db.session.commit()
                    return {"pending": True}
                if pending.proposed_by_id == user.id:
                    raise DialogueError("conflict", _("A second moderator must confirm this removal."))
                pending.resolved_at = utcnow()
            end_membership(target, reason)
            from .facilitation import leave_floor

            leave_floor(session, target.user_id)
        audit(session.id, user.id, action, target_type="member", target_id=target.user_id, reason=reason,
              **({"minutes": minutes} if action == "mute" else {}))
        db.session.commit()
        return result


# --- session settings ------------------------------------------------------------------------

def update_settings(user: User, session_id, settings: dict) -> DialogueSession:
    """Facilitators change moderation settings live: mode, flag threshold, two-key rule."""
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        changed = {}
        if "moderation" in settings:
            if settings["moderation"] not in ("post", "pre"):
                raise DialogueError("invalid", _("moderation must be post or pre."))
            changed["moderation"] = session.moderation_mode = settings["moderation"]
        if "flag_threshold" in settings:
            value = settings["flag_threshold"]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 50:
                raise DialogueError("invalid", _("flag_threshold must be from 1 to 50."))
            changed["flag_threshold"] = session.flag_threshold = value
        if "two_key" in settings:
            if not isinstance(settings["two_key"], bool):
                raise DialogueError("invalid", _("two_key must be true or false."))
            changed["two_key"] = session.two_key = settings["two_key"]
        for key, low, high in (("nudge_after_minutes", 1, 240), ("share_alert_percent", 51, 99)):
            if key in settings:
                value = settings[key]
                if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                          or not low <= value <= high):
                    raise DialogueError("invalid", _("%(key)s must be from %(low)d to %(high)d, or null.",
                                                     key=key, low=low, high=high))
                changed[key] = value
                setattr(session, key, value)
        if not changed:
            raise DialogueError("invalid", _("Nothing to change."))
        audit(session.id, user.id, "settings", target_type="session", target_id=session.id, **changed)
        from .facilitation import notify_state

        notify_state(session)
        db.session.commit()
        return session


# --- watched words ---------------------------------------------------------------------------

def add_word(user: User | None, term: str, action: str = "hold", language: str | None = None,
             whole_word: bool = True) -> WatchedWord:
    """Add a watched word (admins and platform moderators; user None is the operator's CLI)."""
    from ..moderation.matcher import ACTIONS, LANGUAGES, normalise_term

    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    if action not in ACTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(ACTIONS)), field="action")
    if language not in LANGUAGES and language is not None:
        raise DialogueError("invalid", _("language must be one of: %(l)s.", l=", ".join(LANGUAGES)), field="language")
    term = (term or "").strip()
    try:
        key = normalise_term(term)
    except ValueError:
        raise DialogueError("invalid", _("That term has no letters to match."), field="term") from None
    if len(term) > 200:
        raise DialogueError("too_long", field="term")
    word = _insert_word(user, term, key, action, language, whole_word)
    audit(None, user.id if user else None, "word_add", target_type="word", target_id=term[:64], term=term,
          action_on_match=action, language=language, whole_word=whole_word)
    db.session.commit()
    return word


def remove_word(user: User | None, word_id: int) -> None:
    """Take a term off the watched-words list."""
    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise DialogueError("not_found")
    audit(None, user.id if user else None, "word_remove", target_type="word", target_id=word.term[:64], term=word.term)
    db.session.delete(word)
    db.session.commit()


def import_words(user: User | None, text: str) -> int:
    """Import a CSV of terms, all or nothing: a bad line refuses the file, naming the line."""
    from ..moderation.matcher import CsvError, parse_csv

    if user is not None and not permissions.can_manage_words(user):
        raise DialogueError("forbidden")
    try:
        terms = parse_csv(text)
    except CsvError as error:
        raise DialogueError("invalid", _("Line %(line)d: %(problem)s", line=error.line_number,
                                         problem=error.message), line=error.line_number) from None
    added = 0
    for term in terms:
        try:
            add_word_no_commit(user, term)
            added += 1
        except DialogueError as error:
            if error.code != "conflict":
                db.session.rollback()
                raise
    audit(None, user.id if user else None, "word_import", target_type="word", added=added, lines=len(terms))
    db.session.commit()
    return added


def add_word_no_commit(user: User | None, term) -> None:
    """Add one parsed term inside the caller's transaction (imports are all or nothing)."""
    from ..moderation.matcher import normalise_term

    _insert_word(user, term.term, normalise_term(term.term), term.action, term.language, term.whole_word)


def _insert_word(user: User | None, term: str, key: str, action: str, language: str | None,
                 whole_word: bool) -> WatchedWord:
    """Add a term in the current transaction; `conflict` if its folded form is already listed."""
    exists = db.session.scalar(select(WatchedWord.id).where(WatchedWord.key == key, WatchedWord.language == language,
                                                            WatchedWord.whole_word == whole_word))
    if exists is not None:
        raise DialogueError("conflict", _("That term is already on the list."), field="term")
    word = WatchedWord(term=term, key=key, action=action, language=language, whole_word=whole_word,
                       created_by_id=user.id if user else None)
    db.session.add(word)
    db.session.flush()
    return word


def export_words() -> str:
    """The watched-words list as CSV, in the import format."""
    from ..moderation.matcher import Term, to_csv

    words = db.session.scalars(select(WatchedWord).order_by(WatchedWord.language, WatchedWord.term)).all()
    return to_csv([Term(w.id, w.term, w.action, w.language, w.whole_word) for w in words])


def words() -> list[WatchedWord]:
    """Every watched word, by language and term."""
    return list(db.session.scalars(select(WatchedWord).order_by(WatchedWord.language, WatchedWord.term)))


STARTER_MARK = "word_starter"


def ensure_starter_words() -> int:
    """Load the shipped starter list once per database (never again, even if emptied)."""
    from ..moderation.matcher import starter_terms, to_csv

    if db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == STARTER_MARK).limit(1)) is not None:
        return 0
    added = import_words(None, to_csv(starter_terms()))
    audit(None, None, STARTER_MARK, target_type="word", added=added)
    db.session.commit()
    return added


# --- reading the audit log -------------------------------------------------------------------

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
    """An actor named without identity (for viewers who may not see real names)."""
    if actor_id is None:
        return "system"
    membership = _membership_of(session.id, actor_id) if session is not None else None
    return membership.display_name if membership else f"#{actor_id}"


def actor_label(session: DialogueSession | None, actor_id: int | None) -> str:
    """How the audit log names an actor for facilitators and admins: the session name and
    the account's e-mail."""
    if actor_id is None:
        return "system"
    user = db.session.get(User, actor_id)
    membership = _membership_of(session.id, actor_id) if session is not None else None
    name = membership.display_name if membership else (user.real_name if user else "?")
    return f"{name} <{user.email}>" if user else name


def audit_csv(session: DialogueSession | None, entries: list[AuditEntry], label=None) -> str:
    """The audit log as CSV, oldest first."""
    import json

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_COLUMNS)
    for entry in sorted(entries, key=lambda e: e.id):
        writer.writerow([_cell(value) for value in (
            iso(entry.created_at), (label or actor_label)(session, entry.actor_id), entry.action, entry.target_type,
            entry.target_id, entry.reason, json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True))])
    return out.getvalue()


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (members write some of them)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
