"""Rate limits: how often one member, one socket or one network address may do a thing.

Built on the `limits` library (moving windows), in Redis when the platform has Redis (so
every server process counts together) and in memory otherwise (one process). Rules are
named; each has one or more windows, for example ``send = 10 per 5 seconds, 60 per minute``.
The defaults below can be changed with `DIALOGUE_RATE_LIMITS` (``name=limits;name=limits``,
limits in the library's notation: ``send=5/5second,30/minute;login_address=20/10minute``).

A refusal raises `DialogueError("rate_limited", retry_after=<seconds>)`; Socket.IO answers
carry it, HTTP answers turn it into 429 with `Retry-After`. A member who keeps hitting a
limit in a session is noted in the session's audit log and shown to its staff
(`limit_notice`, and in the review queue) at most once a minute.

If the limit store cannot be reached (Redis down), requests are let through and the failure
is logged: a dialogue must not stop because its counters did.

Counting never happens inside a database transaction (it raises if asked to): talking to
Redis lets other requests run, and one of them waiting for the write lock that this
transaction holds would stop the whole process (SQLite's wait, and psycopg's, do not let
other requests run). Socket.IO events count before the caller is loaded; HTTP routes count
in a `before_request` hook, before anything reads the database.
"""

from __future__ import annotations

import ipaddress
import math
import time
from datetime import timedelta

from flask import current_app, request
from flask_babel import gettext as _
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter
from sqlalchemy import select

from . import audience
from .errors import DialogueError
from .extensions import db
from .models import AuditEntry, Membership, iso, utcnow
from .protocol import member_object

DEFAULT_RULES = {
    # Socket.IO events, per member (account) and event.
    "send": "10/5second;60/minute",
    "edit": "10/minute",
    "flag": "20/minute",
    "hand": "10/minute",
    "join": "20/minute",
    "history": "30/minute",
    "translation": "30/minute",
    # Any event at all, per socket, before the caller is even looked up (unknown events too).
    "socket": "60/10second;300/minute",
    # "Someone is writing": a client says so at most every few seconds while its member types.
    "typing": "40/minute",
    # Any event at all, per account over all its sockets (reconnecting starts a socket afresh).
    "account_events": "120/10second;600/minute",
    # Per network address. A venue may put dozens of participants behind one address.
    # These only stop floods: the sign-in throttle below counts per account.
    "connect": "300/minute",
    "login_address": "300/10minute",
    "register": "100/10minute",
    "invitation": "300/10minute",
    # Failed sign-ins: for an account from one address (the delay grows, then a lockout),
    # and for an account from anywhere (short, so nobody can lock someone else out for long).
    "login_failures": "3/minute;6/10minute;10/hour;20/day",
    "login_account": "30/10minute",
    # The same for wrong codes at the code step of two-factor sign-in, per account.
    "code_failures": "3/minute;6/10minute;10/hour;20/day",
    "code_account": "30/10minute",
    # How many refusals make a member worth a staff notice, and how often it is repeated.
    "strikes": "10/minute",
    "notice": "1/minute",
}

# The events counted per member, and the rule each one counts against.
LIMITED_EVENTS = {"send": "send", "flag": "flag", "hand": "hand", "join": "join", "history": "history",
                  "translate": "translation", "translation_edit": "edit", "untranslated": "history",
                  "edit": "edit", "delete": "edit", "search": "history", "typing": "typing"}
NOTICE_WINDOW = timedelta(hours=1)


def parse_rules(text: str | None) -> dict[str, str]:
    """The defaults with the overrides of a `name=limits;name=limits` setting applied."""
    rules = dict(DEFAULT_RULES)
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, _sep, value = part.partition("=")
        name = name.strip()
        if not _sep or name not in DEFAULT_RULES:
            raise ValueError(f"unknown rate limit {name!r} (known: {', '.join(DEFAULT_RULES)})")
        parse_many(value.replace(",", ";"))  # refuse a malformed value at start-up
        rules[name] = value.replace(",", ";")
    return rules


class Limiter:
    """The platform's limiter: parsed rules over one store."""

    def __init__(self, rules: dict[str, str], redis_url: str | None, prefix: str):
        self.rules: dict[str, list[RateLimitItem]] = {name: parse_many(value) for name, value in rules.items()}
        self.storage = RedisStorage(redis_url, key_prefix=f"{prefix}-limits") if redis_url else MemoryStorage()
        self.strategy = MovingWindowRateLimiter(self.storage)

    def exhausted(self, rule: str, *key: str) -> float | None:
        """Seconds to wait if a window of the rule is already full for the key, else None.
        Counts nothing."""
        return self._waits(rule, key, [item for item in self.rules[rule]
                                       if not self.strategy.test(item, rule, *key)])

    def hit(self, rule: str, *key: str) -> float | None:
        """Count one more for the key; seconds to wait if a window was already full (the hit
        is then not counted), else None."""
        return self._waits(rule, key, [item for item in self.rules[rule]
                                       if not self.strategy.hit(item, rule, *key)])

    def clear(self, rule: str, *key: str) -> None:
        for item in self.rules[rule]:
            self.strategy.clear(item, rule, *key)

    def _waits(self, rule: str, key: tuple[str, ...], full: list[RateLimitItem]) -> float | None:
        if not full:
            return None
        now = time.time()
        return max(max(self.strategy.get_window_stats(item, rule, *key).reset_time - now, 1.0) for item in full)


def address_key(address: str | None) -> str:
    """What a per-address limit counts: an IPv4 address, or the /64 network of an IPv6 one
    (one subscriber's whole block: counting single IPv6 addresses would give each of their
    2^64 addresses a budget of its own)."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return str(address or "")
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def limiter() -> Limiter:
    """The current app's limiter, made on first use from its settings."""
    made = current_app.extensions.get("dialogue_limiter")
    if made is None:
        config = current_app.config
        made = current_app.extensions["dialogue_limiter"] = Limiter(
            parse_rules(config.get("DIALOGUE_RATE_LIMITS")), config.get("DIALOGUE_REDIS_URL"),
            config.get("DIALOGUE_REDIS_CHANNEL") or "dialogue")
    return made


def _outside_transaction() -> None:
    """Refuse to talk to Redis inside a transaction (the memory store does not let other
    requests run, so it is safe anywhere, and Flask-SocketIO's test client, which shares the
    test's database session, relies on that)."""
    if isinstance(limiter().storage, RedisStorage) and db.session().in_transaction():
        raise RuntimeError("rate limits are counted outside database transactions (see dialogue/ratelimit.py)")


def _safely(call, *args) -> float | None:
    _outside_transaction()
    try:
        return call(*args)
    except Exception:  # the store is unreachable: let the request through, and say so
        current_app.logger.warning("Rate limit store unavailable; %s not limited", args[0], exc_info=True)
        return None


def refusal(wait: float) -> DialogueError:
    seconds = max(1, math.ceil(wait))
    return DialogueError("rate_limited", _("You are doing that too often. Try again in %(n)d s.", n=seconds),
                         retry_after=seconds)


def check(rule: str, *key) -> None:
    """Count one use of `rule` for `key`; raise `rate_limited` if it is over a window."""
    wait = _safely(limiter().hit, rule, *map(str, key))
    if wait is not None:
        raise refusal(wait)


def check_exhausted(rule: str, *key) -> None:
    """Raise `rate_limited` if `rule` is already over a window for `key`, counting nothing."""
    wait = _safely(limiter().exhausted, rule, *map(str, key))
    if wait is not None:
        raise refusal(wait)


def count(rule: str, *key) -> float | None:
    """Count one use without raising; the wait if it went over, else None."""
    return _safely(limiter().hit, rule, *map(str, key))


def clear(rule: str, *key) -> None:
    _outside_transaction()
    try:
        limiter().clear(rule, *map(str, key))
    except Exception:
        current_app.logger.warning("Rate limit store unavailable; %s not cleared", rule, exc_info=True)


def note_refusal(user_id: int, session_id: str | None, event: str) -> None:
    """A member was refused by a limit: after enough refusals, note it in the session's audit
    log and tell its staff (`limit_notice`), at most once a minute per member. Commits."""
    if not session_id:
        return
    keeps_hitting = count("strikes", user_id) is not None  # over the strikes rule: worth a notice
    if not keeps_hitting:
        return
    noticed_lately = count("notice", user_id, session_id) is not None  # one a minute is enough
    if noticed_lately:
        return
    membership = db.session.scalar(select(Membership).where(
        Membership.session_id == session_id, Membership.user_id == user_id, Membership.revoked_at.is_(None)))
    if membership is None:
        db.session.rollback()
        return
    db.session.add(AuditEntry(session_id=session_id, actor_id=None, action="rate_limited",
                              target_type="member", target_id=membership.public_id, details={"event": event}))
    audience.to_staff(session_id, "limit_notice", {
        "session_id": session_id, "member": member_object(membership.session, membership), "event": event,
        "at": iso(utcnow())})
    db.session.commit()


def recent_notices(session_id: str) -> list[dict]:
    """The session's members noted for hitting limits in the last hour, newest first: what
    the review queue shows staff (member ids, the event, when)."""
    since = utcnow() - NOTICE_WINDOW
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.session_id == session_id, AuditEntry.action == "rate_limited",
        AuditEntry.created_at >= since).order_by(AuditEntry.id.desc()).limit(50))
    by_member = {m.public_id: m for m in db.session.scalars(select(Membership).where(
        Membership.session_id == session_id))}
    return [{"member": member_object(by_member[e.target_id].session, by_member[e.target_id]),
             "event": e.details.get("event"), "at": iso(e.created_at)}
            for e in entries if e.target_id in by_member]


# HTTP routes limited per network address: (endpoint, method or None for any) -> rule.
ADDRESS_RULES = {
    ("auth.login", "POST"): "login_address",
    ("auth.login_code", "POST"): "login_address",
    ("sessions.register", "POST"): "register",
    ("sessions.invitation", None): "invitation",
}


def init_app(app) -> None:
    """Count the address-limited routes in a hook that runs before the route reads anything
    from the database (Flask-Login loads the user lazily, later)."""

    @app.before_request
    def limit_by_address():
        rule = ADDRESS_RULES.get((request.endpoint, request.method)) or ADDRESS_RULES.get((request.endpoint, None))
        if rule is not None:
            check(rule, address_key(request.remote_addr))
