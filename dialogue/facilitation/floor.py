"""The floor: raised hands, who may write now in queue and alternate modes, timed floors."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from .. import permissions
from ..database import read_without_write_lock
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
    RaisedHand,
    User,
    utcnow,
)
from ..writes import session_write
from .balance import figures_by_author
from .state import notify_state

MAX_FLOOR_SECONDS = 3600


def clear_floor(session: DialogueSession) -> None:
    session.floor_user_id = None
    session.floor_ends_at = None


def _grant(session: DialogueSession, membership: Membership, seconds: int | None, now) -> None:
    session.floor_user_id = membership.user_id
    session.floor_ends_at = now + timedelta(seconds=seconds) if seconds else None
    session.floor_last_side = membership.side
    db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id,
                                                RaisedHand.user_id == membership.user_id))


def offer_floor(session: DialogueSession, now) -> None:
    """Alternate mode: offer the floor to the other side than last time when someone there has
    a hand up, and within a side to whoever has spoken least (earliest hand on a tie)."""
    waiting = db.session.execute(
        select(Membership, RaisedHand.raised_at).join(RaisedHand, (RaisedHand.user_id == Membership.user_id)
                                                      & (RaisedHand.session_id == Membership.session_id))
        .where(Membership.session_id == session.id, Membership.revoked_at.is_(None),
               permissions.speakers_clause())
    ).all()
    waiting = [(membership, at) for membership, at in waiting if permissions.can_hold_floor(membership)]
    if not waiting:
        return
    other_side = [(m, at) for m, at in waiting if m.side != session.floor_last_side]
    pool = other_side or waiting
    spoken = figures_by_author(session)
    chosen, _at = min(pool, key=lambda pair: (spoken.get(pair[0].user_id, {}).get("messages", 0), pair[1]))
    _grant(session, chosen, session.floor_seconds, now)


def raise_hand(user: User, session_id, raised) -> None:
    """A participant raises or lowers their hand; lowering it while holding the floor gives it back."""
    if not isinstance(raised, bool):
        raise DialogueError("invalid", _("raised must be true or false."))
    with session_write(session_id) as session:
        permissions.require_hand(session, permissions.require_view(user, session), raised)
        now = utcnow()
        exists = db.session.get(RaisedHand, (session.id, user.id))
        if raised and exists is None:
            db.session.add(RaisedHand(session_id=session.id, user_id=user.id, raised_at=now))
            db.session.flush()
        elif not raised:
            if exists is not None:
                db.session.delete(exists)
            if session.floor_user_id == user.id:
                clear_floor(session)
            db.session.flush()
        if session.floor_mode == "alternate" and session.floor_user_id is None:
            offer_floor(session, now)
        notify_state(session)
        db.session.commit()


def give_floor(user: User, session_id, member_id, seconds=None) -> None:
    """Facilitators give the floor to a participant, named by member id (optionally for N
    seconds), or take it back (member_id None)."""
    if seconds is not None and (isinstance(seconds, bool) or not isinstance(seconds, int)
                                or not 5 <= seconds <= MAX_FLOOR_SECONDS):
        raise DialogueError("invalid", _("seconds must be from 5 to %(n)d.", n=MAX_FLOOR_SECONDS))
    if member_id is not None and (not isinstance(member_id, str) or not 0 < len(member_id) <= 32):
        raise DialogueError("invalid", _("member_id must be a member id of this session."))
    with session_write(session_id) as session:
        permissions.require_manage(user, session)
        now = utcnow()
        if session.state == "ended":
            raise DialogueError("session_not_live")
        if member_id is None:
            clear_floor(session)
        else:
            target = permissions.named_member(session, member_id)
            if not permissions.can_hold_floor(target):
                if permissions.is_speaker(target) and permissions.muted_until(target) is not None:
                    raise DialogueError("invalid", _("A muted participant cannot be given the floor until "
                                                     "the mute ends."))
                raise DialogueError("invalid", _("The floor goes to a participant of this session."))
            _grant(session, target, seconds, now)
        notify_state(session)
        db.session.commit()


def leave_floor(session: DialogueSession, user_id: int) -> None:
    """A member who leaves the session (removed) or may not write for a while (muted) leaves
    the queue of hands and the floor. Call while holding the session's row lock; everyone gets
    the new state after commit."""
    db.session.execute(delete(RaisedHand).where(RaisedHand.session_id == session.id, RaisedHand.user_id == user_id))
    if session.floor_user_id == user_id:
        clear_floor(session)
        if session.floor_mode == "alternate":
            offer_floor(session, utcnow())
    notify_state(session)


def expire_floors() -> int:
    """Give back every timed floor whose time is up (and offer it on in alternate mode).

    Safe with several processes: a floor is given back under the session's row lock only if
    it is still the same expired floor, so one process announces it."""
    now = utcnow()
    db.session.commit()
    read_without_write_lock(db.session)
    due = db.session.execute(select(DialogueSession.id, DialogueSession.floor_user_id)
                             .where(DialogueSession.floor_ends_at <= now, DialogueSession.state == "live")).all()
    db.session.commit()
    done = 0
    for session_id, holder in due:
        with session_write(session_id) as session:
            if session.floor_user_id != holder or session.floor_ends_at is None or session.floor_ends_at > now \
                    or session.state != "live":
                db.session.rollback()
                continue
            clear_floor(session)
            if session.floor_mode == "alternate":
                offer_floor(session, now)
            notify_state(session)
            db.session.commit()
            done += 1
    return done
