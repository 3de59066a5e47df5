"""Sanctions: warning, muting and removing members, under the two-key rule for removals."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..facilitation.floor import leave_floor
from ..models import (
    DialogueSession,
    Membership,
    PendingSanction,
    User,
    utcnow,
)
from ..protocol import iso
from ..writes import session_write
from .audit import audit, reason_text

SANCTIONS = ("warn", "mute", "unmute", "remove")


MAX_MUTE_MINUTES = 7 * 24 * 60


def _target(session: DialogueSession, member_id) -> Membership:
    target = permissions.named_member(session, member_id)
    if target is None:
        raise DialogueError("not_found")
    return target


def sanction(user: User, session_id, member_id, action, minutes=None, reason=None) -> dict:
    """Warn, mute, unmute or remove a member, named by member id; takes effect at once on
    their live sockets."""
    if action not in SANCTIONS:
        raise DialogueError("invalid", _("action must be one of: %(a)s.", a=", ".join(SANCTIONS)))
    reason = reason_text(reason, required=action in ("warn", "mute", "remove"))
    if action == "mute" and (isinstance(minutes, bool) or not isinstance(minutes, int)
                             or not 1 <= minutes <= MAX_MUTE_MINUTES):
        raise DialogueError("invalid", _("minutes must be a whole number from 1 to %(n)d.", n=MAX_MUTE_MINUTES))
    with session_write(session_id) as session:
        actor_membership = permissions.require_staff(user, session)
        target = _target(session, member_id)
        if not permissions.can_sanction(user, actor_membership, target):
            raise DialogueError("forbidden")
        result: dict = {}

        def notify_target(payload: dict) -> None:
            audience.to_member(session.id, target.user_id, "notice", payload)

        if action == "warn":
            notify_target({"kind": "warned", "reason": reason})
        elif action == "mute":
            target.muted_until = utcnow() + timedelta(minutes=minutes)
            leave_floor(session, target.user_id)  # no turn to wait for, nor to hold, while muted
            notify_target({"kind": "muted", "reason": reason, "until": iso(target.muted_until)})
            result["until"] = iso(target.muted_until)
        elif action == "unmute":
            target.muted_until = None
            notify_target({"kind": "unmuted", "reason": reason})
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
            leave_floor(session, target.user_id)
        audit(session.id, user.id, action, target_type="member", target_id=target.user_id, reason=reason,
              **({"minutes": minutes} if action == "mute" else {}))
        db.session.commit()
        return result


def end_membership(membership: Membership, reason: str) -> None:
    """Revoke a membership; once committed, the member's live sockets in the session are dropped."""
    membership.revoked_at = utcnow()
    membership.revoked_reason = (reason or "removed")[:200]
    audience.drop_member(membership.session_id, membership.user_id, "removed")
