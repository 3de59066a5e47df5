"""Drops live sockets whose right to be connected has ended, whatever process ended it.

Logout, deactivation and removal made in this process (or anywhere, with the Redis queue)
drop sockets at once through the emitter. This sweep is the safety net for changes made
where no message reaches this process (another process without Redis, a database edit):
every few seconds it re-checks each local socket against the database.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from .. import emitter
from ..database import read_without_write_lock
from ..extensions import db, socketio
from ..models import ApiToken, LoginSession, Membership, Presence, User

# sid -> {"user_id", "login_id" | "token_id"} for sockets connected to this process only.
live_sockets: dict[str, dict] = {}


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
        LoginSession.id.in_(login_ids), LoginSession.revoked_at.is_(None)))) if login_ids else set()
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
        current = set(db.session.execute(select(Membership.session_id, Membership.user_id).where(
            Membership.session_id.in_({row.session_id for row in joined}),
            Membership.revoked_at.is_(None))).all())
        for row in joined:
            user = users.get(row.user_id)
            if (row.session_id, row.user_id) not in current and not (user and user.is_admin):
                doomed[row.sid] = (row.session_id, "removed")
    db.session.commit()
    return doomed


def sweep_once() -> int:
    """Drop every local socket that lost its right to be here; return how many."""
    doomed = invalid_sockets()
    for sid, (session_id, reason) in doomed.items():
        emitter.drop_local_sockets(sid, {"session_id": session_id, "reason": reason})
    return len(doomed)


def every(app: Flask, interval: float, task, what: str) -> None:
    """Run `task()` in an app context every `interval` seconds for the life of the server;
    a failure is logged and the next round goes on."""
    while True:
        socketio.sleep(interval)
        with app.app_context():
            try:
                task()
            except Exception:
                app.logger.exception("%s failed", what)
                db.session.rollback()
            finally:
                db.session.remove()


def sweep_forever(app: Flask) -> None:
    """Run :func:`sweep_once` every DIALOGUE_SWEEP_SECONDS."""
    every(app, app.config["DIALOGUE_SWEEP_SECONDS"], sweep_once, "Socket sweep")


def floors_forever(app: Flask, interval: float = 0.5) -> None:
    """Give back timed floors when their time is up, and send the gentle nudges sessions ask
    for (every DIALOGUE_NUDGE_SECONDS)."""
    from ..services.facilitation import expire_floors, send_nudges

    rounds_per_nudge = max(1, round(app.config["DIALOGUE_NUDGE_SECONDS"] / interval))
    counter = iter(range(10**12))

    def tick() -> None:
        expire_floors()
        if next(counter) % rounds_per_nudge == 0:
            send_nudges()

    every(app, interval, tick, "Returning timed floors or sending nudges")
