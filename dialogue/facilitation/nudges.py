"""Gentle nudges: private prompts to silent participants, balance alerts to the staff."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from .. import audience, permissions
from ..database import read_without_write_lock
from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
    Presence,
    utcnow,
)
from ..writes import session_write
from .balance import balance, figures_by_author

NUDGE_KIND = "nudge"


SHARE_ALERT_EVERY = timedelta(minutes=5)


def send_nudges() -> int:
    """Where facilitators asked for it: privately prompt participants who have been silent for
    the set time (once per silence), and tell the staff when one side's share of messages
    passes the set percentage (at most every five minutes). Returns how many were sent."""
    now = utcnow()
    db.session.commit()
    read_without_write_lock(db.session)
    candidates = db.session.execute(
        select(DialogueSession.id).where(DialogueSession.state == "live",
                                         (DialogueSession.nudge_after_minutes.is_not(None))
                                         | (DialogueSession.share_alert_percent.is_not(None)))).scalars().all()
    db.session.commit()
    sent = 0
    for session_id in candidates:
        with session_write(session_id) as session:
            if session.state != "live":
                db.session.rollback()
                continue
            if session.nudge_after_minutes:
                since = now - timedelta(minutes=session.nudge_after_minutes)
                spoken = figures_by_author(session)
                present = set(db.session.scalars(select(Presence.user_id).where(Presence.session_id == session.id)))
                for membership in db.session.scalars(select(Membership).where(
                        Membership.session_id == session.id, Membership.revoked_at.is_(None),
                        permissions.speakers_clause())):
                    activity = max(t for t in (membership.joined_at, session.started_at, session.phase_started_at,
                                               spoken.get(membership.user_id, {}).get("last_spoke_at")) if t)
                    recently_nudged = membership.nudged_at is not None and membership.nudged_at > since
                    if membership.user_id in present and activity <= since and not recently_nudged:
                        membership.nudged_at = now
                        audience.to_member(session.id, membership.user_id, "notice", {
                            "kind": NUDGE_KIND, "minutes": session.nudge_after_minutes,
                            "reason": _("Your voice matters here. When you are ready, share a thought or a "
                                        "question — or simply say how you are feeling.")})
                        sent += 1
            if session.share_alert_percent and (session.share_alert_at is None
                                                or session.share_alert_at <= now - SHARE_ALERT_EVERY):
                sides = balance(session)
                total = sum(side["messages"] for side in sides.values())
                if total >= 4:
                    label, side = max(sides.items(), key=lambda pair: pair[1]["messages"])
                    share = round(100 * side["messages"] / total)
                    if share > session.share_alert_percent:
                        session.share_alert_at = now
                        audience.to_staff(session.id, "notice", {"kind": "balance", "side": label, "share": share,
                                                                 "threshold": session.share_alert_percent})
                        sent += 1
            db.session.commit()
    return sent
