"""Drops live sockets whose right to be connected has ended, whatever process ended it.

Logout, deactivation and removal made in this process (or anywhere, with the Redis queue)
drop sockets at once through the emitter. This sweep is the safety net for changes made
where no message reaches this process (another process without Redis, a database edit):
every few seconds it re-checks each local socket against the database.
"""

from __future__ import annotations

from sqlalchemy import select

from .. import emitter, permissions
from ..auth import accounts
from ..database import read_without_write_lock
from ..extensions import db
from ..models import ApiToken, LoginSession, Membership, Presence, User
from . import presence
from .sockets import live_sockets


def invalid_sockets() -> dict[str, tuple[str | None, str]]:
    """Return {sid: (session_id or None, reason)} for local sockets that must go."""
    sockets = dict(live_sockets)
    if not sockets:
        return {}
    db.session.commit()
    read_without_write_lock(db.session)
    user_ids = {p["user_id"] for p in sockets.values()}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
    login_ids = {p["login_id"] for p in sockets.values() if p.get("login_id")}
    live_logins = set(db.session.scalars(select(LoginSession.id).where(
        LoginSession.id.in_(login_ids), accounts.live_login_clause()))) if login_ids else set()
    token_ids = {p["token_id"] for p in sockets.values() if p.get("token_id") is not None}
    live_tokens = set(db.session.scalars(select(ApiToken.id).where(
        ApiToken.id.in_(token_ids), ApiToken.revoked_at.is_(None)))) if token_ids else set()
    doomed: dict[str, tuple[str | None, str]] = {}
    for sid, principal in sockets.items():
        user = users.get(principal["user_id"])
        if user is None or not user.active:
            doomed[sid] = (None, "account_deactivated")
        elif principal.get("token_id") is not None and principal["token_id"] not in live_tokens:
            doomed[sid] = (None, "token_revoked")
        elif principal.get("login_id") and principal["login_id"] not in live_logins:
            doomed[sid] = (None, "logged_out")
    joined = db.session.execute(select(Presence.sid, Presence.session_id, Presence.user_id)
                                .where(Presence.sid.in_(set(sockets) - set(doomed)))).all()
    if joined:
        current = {(m.session_id, m.user_id): m for m in db.session.scalars(select(Membership).where(
            Membership.session_id.in_({row.session_id for row in joined}),
            Membership.revoked_at.is_(None)))}
        for row in joined:
            user = users.get(row.user_id)
            if user is None or not permissions.can_view_session(user, current.get((row.session_id, row.user_id))):
                doomed[row.sid] = (row.session_id, "removed")
    db.session.commit()
    return doomed


def sweep_once() -> int:
    """Drop every local socket that lost its right to be here, then refresh this process's
    presence rows and clear those a dead process left; return how many sockets were dropped."""
    doomed = invalid_sockets()
    # An open page with a live connection is a login in use (a room read for hours without
    # a request must not expire by disuse); its absolute lifetime still ends it.
    accounts.note_logins_in_use({p["login_id"] for sid, p in dict(live_sockets).items()
                                 if p.get("login_id") and sid not in doomed})
    for sid, (session_id, reason) in doomed.items():
        emitter.drop_local_sockets(sid, {"session_id": session_id, "reason": reason})
    presence.refresh_and_expire(set(live_sockets) - set(doomed))
    return len(doomed)
