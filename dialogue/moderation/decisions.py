"""Moderators' decisions on queue items (approve, reject, redact, escalate), undoing an
approval or a rejection for a few minutes, and claims."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from .. import audience, permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..mentions import notify_mentions
from ..models import (
    AuditEntry,
    DialogueSession,
    Flag,
    Message,
    QueueItem,
    User,
    utcnow,
)
from ..writes import next_seq, session_write
from .audit import audit, reason_text
from .people import membership_of
from .queue import (
    OPEN_STATUSES,
    enqueue,
    item_in,
    notify_item,
    parse_item_id,
    parse_message_id,
    queue_item_object,
)

DECISIONS = ("approve", "reject", "redact", "escalate")


def set_status(session: DialogueSession, message: Message, status: str) -> None:
    """Change a message's status, take the next seq and tell exactly who may now see it."""
    was_public = message.published
    message.status = status
    message.seq = next_seq(session)
    message.updated_at = utcnow()
    if status == "visible":
        message.published = True
    if status in ("redacted", "deleted"):  # the text is gone for everyone; its hash stays chained
        message.body_source = ""
        message.body_html = ""
    record.status_changed(session, message)
    audience.message(session, message, "message_updated" if was_public else "message")
    if not was_public:
        notify_mentions(session, message)  # public for the first time: whom it names learn it now
    _follow_original(session, message)


def _follow_original(session: DialogueSession, message: Message) -> None:
    """Translations share their original's fate: a redaction removes their text too (they say
    the same thing); any other change is sent again, so readers hide or show them with it."""
    translations = db.session.scalars(select(Message).where(Message.translation_of_id == message.id)
                                      .order_by(Message.id)).all()
    for translation in translations:
        translation.original = message
        if message.status in ("redacted", "deleted") and translation.status not in ("redacted", "deleted"):
            set_status(session, translation, message.status)
        elif translation.status not in ("redacted", "deleted"):
            translation.seq = next_seq(session)
            translation.updated_at = utcnow()
            audience.message(session, translation, "message_updated")


def withdraw(session: DialogueSession, message: Message) -> None:
    """Its author deleted a message: an open review of it has nothing left to decide."""
    item = db.session.scalar(select(QueueItem).where(QueueItem.message_id == message.id))
    if item is not None and item.status in OPEN_STATUSES:
        item.status, item.updated_at = "withdrawn", utcnow()
        item.reasons = [{k: v for k, v in r.items() if k != "matched"} for r in item.reasons or []]
        notify_item(session, item)
    db.session.execute(update(Flag).where(Flag.message_id == message.id).values(note=""))


def decide(user: User, item_id, action, reason=None) -> dict:
    """A moderator decides a queue item: approve, reject, redact or escalate it.

    Deciding an item that is already decided is `conflict` and changes nothing. Under the
    two-key rule a rejection of a participant's message is first a proposal, which takes
    effect when a second moderator makes the same decision."""
    item_id = parse_item_id(item_id)
    if action not in DECISIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(DECISIONS)))
    reason = reason_text(reason, required=action in ("reject", "redact"))
    found = db.session.get(QueueItem, item_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        permissions.require_staff(user, session)
        item = item_in(session, item_id)
        if item.status not in OPEN_STATUSES:
            raise DialogueError("conflict", _("This item was already decided (%(status)s).", status=item.status))
        message = item.message
        author = membership_of(session.id, message.author_id)
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
    before = message.status  # kept in the audit entry, so that the decision can be undone

    def notify_author(payload: dict) -> None:
        audience.to_member(session.id, message.author_id, "notice", payload)

    if action == "approve":
        if message.status in ("held", "hidden"):
            set_status(session, message, "visible")
        item.status = "approved"
        notify_author({"kind": "approved", "message_id": message.id})
    elif action == "reject":
        if message.status != "hidden":
            set_status(session, message, "hidden")
        item.status = "rejected"
        notify_author({"kind": "rejected", "message_id": message.id, "reason": reason})
    elif action == "redact":
        set_status(session, message, "redacted")
        # What the matcher quoted from the message, and flag notes that may quote it, go too:
        # the text must be gone everywhere.
        item.reasons = [{k: v for k, v in r.items() if k != "matched"} for r in item.reasons or []]
        db.session.execute(update(Flag).where(Flag.message_id == message.id).values(note=""))
        item.status = "redacted"
        notify_author({"kind": "redacted", "message_id": message.id, "reason": reason})
    else:
        item.status = "escalated"
        item.updated_at = now
        audit(session.id, user.id, "escalate", target_type="message", target_id=message.id, reason=reason)
        notify_item(session, item)
        return
    item.decided_by_id, item.decided_at, item.decision_reason, item.updated_at = user.id, now, reason, now
    item.proposed_action = None
    audit(session.id, user.id, action, target_type="message", target_id=message.id, reason=reason, before=before)
    notify_item(session, item)


UNDOABLE = ("approved", "rejected")


def undo(user: User, item_id) -> dict:
    """Staff take back an approval or a rejection within DIALOGUE_UNDO_MINUTES: the message
    returns to the status it had before (held, hidden or visible), the item to the queue, and
    the undoing is in the audit log and the record. A redaction cannot be undone (its text is
    gone); later, or for anything else, it is `conflict`."""
    item_id = parse_item_id(item_id)
    found = db.session.get(QueueItem, item_id)
    if found is None:
        raise DialogueError("not_found")
    minutes = current_app.config["DIALOGUE_UNDO_MINUTES"]
    with session_write(found.session_id) as session:
        permissions.require_staff(user, session)
        item = item_in(session, item_id)
        now = utcnow()
        if item.status not in UNDOABLE or item.decided_at is None \
                or now > item.decided_at + timedelta(minutes=minutes):
            raise DialogueError("conflict", _("Only an approval or a rejection can be undone, within %(n)d minutes "
                                              "of the decision.", n=minutes))
        message = item.message
        decision = "approve" if item.status == "approved" else "reject"
        before = db.session.scalar(select(AuditEntry.details).where(
            AuditEntry.session_id == session.id, AuditEntry.action.in_((decision, "confirm_reject")),
            AuditEntry.target_type == "message", AuditEntry.target_id == str(message.id))
            .order_by(AuditEntry.id.desc()).limit(1)) or {}
        restored = before.get("before") if isinstance(before, dict) else None
        if restored not in ("held", "hidden", "visible"):  # decided before the status was kept
            restored = "held" if decision == "approve" or not message.published else "visible"
        if message.status != restored:
            set_status(session, message, restored)
        item.status, item.updated_at = "pending", now
        item.decided_by_id = item.decided_at = item.decision_reason = None
        audit(session.id, user.id, "undo", target_type="message", target_id=message.id, decision=decision,
              restored=restored)
        audience.to_member(session.id, message.author_id, "notice", (
            {"kind": "approved", "message_id": message.id} if restored == "visible" else
            {"kind": "held", "message_id": message.id, "reason": "review"}))
        notify_item(session, item)
        db.session.commit()
        return queue_item_object(session, item)


ROOM_ACTIONS = {"hide": "reject", "redact": "redact"}


def act_on_message(user: User, message_id, action, reason=None) -> dict:
    """Staff hide or redact a message straight from the room. It goes through the review queue
    (an item is opened for it if none is open), so the decision is audited, tells its author,
    and follows the two-key rule exactly as a decision taken on the queue page."""
    if not isinstance(action, str) or action not in ROOM_ACTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(ROOM_ACTIONS)))
    message_id = parse_message_id(message_id)
    reason_text(reason, required=True)
    found = db.session.get(Message, message_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        permissions.require_staff(user, session)
        message = db.session.get(Message, message_id)
        if message.channel != "room":
            raise DialogueError("not_found")
        if message.status in ("redacted", "deleted") or (action == "hide" and message.status == "hidden"):
            raise DialogueError("conflict", _("This message is already out of view."))
        item = db.session.scalar(select(QueueItem).where(QueueItem.message_id == message.id))
        if item is None or item.status not in OPEN_STATUSES:
            item = enqueue(session, message, [{"kind": "staff"}], user.id)
            if item.status not in OPEN_STATUSES:  # decided before: staff look at it again
                item.status, item.updated_at = "pending", utcnow()
        db.session.commit()
        item_id = item.id
    return decide(user, item_id, ROOM_ACTIONS[action], reason)


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
    item_id = parse_item_id(item_id)
    found = db.session.get(QueueItem, item_id)
    if found is None:
        raise DialogueError("not_found")
    with session_write(found.session_id) as session:
        membership = permissions.require_staff(user, session)
        item = item_in(session, item_id)
        if release:
            if not permissions.can_release_claim(user, membership, item):
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
