"""Configuration read from the environment, with safe defaults for the embedded setup."""

from __future__ import annotations

import math
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """Return DIALOGUE_SECRET_KEY, or a key generated once and kept in the instance folder."""
    key = os.environ.get("DIALOGUE_SECRET_KEY")
    if key:
        return key
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create with owner-only permissions; never overwrite a key another process just wrote.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def _origins(value: str | None) -> list[str] | None:
    """Parse a comma-separated origin allowlist; None means the server's own origin only."""
    if not value:
        return None
    return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]


def _flag(name: str) -> bool:
    return (os.environ.get(name) or "").strip().lower() in ("1", "true", "yes", "on")


def _positive_int(value: str | None, high: int = 100_000) -> int | None:
    """A whole number from 1 to `high` in ASCII digits from the environment, or None when
    unset or empty (a larger one would overflow the dates it is added to)."""
    if not (value or "").strip():
        return None
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 30 and 1 <= int(text) <= high):
        raise ValueError(f"expected a whole number from 1 to {high}, got {value!r}")
    return int(text)


def _seconds(name: str, default: float, low: float = 0.05, high: float = 86_400) -> float:
    """An interval in seconds from the environment: a finite number from `low` to `high`
    (NaN, infinity or zero would stop a background loop or make it spin)."""
    value = (os.environ.get(name) or "").strip()
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and low <= number <= high):
        raise ValueError(f"{name}: expected a number of seconds from {low} to {high}, got {value!r}")
    return number


def normalise_database_url(url: str) -> str:
    """Point plain postgres URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def from_environment(instance_path: str) -> dict:
    """Build the application configuration from DIALOGUE_* environment variables."""
    database_url = os.environ.get("DIALOGUE_DATABASE_URL") or (
        "sqlite:///" + str(Path(instance_path) / "dialogue.sqlite3")
    )
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "DIALOGUE_ALLOWED_ORIGINS": _origins(os.environ.get("DIALOGUE_ALLOWED_ORIGINS")),
        "DIALOGUE_REDIS_URL": os.environ.get("DIALOGUE_REDIS_URL") or None,
        "DIALOGUE_REDIS_CHANNEL": os.environ.get("DIALOGUE_REDIS_CHANNEL") or "dialogue",
        "DIALOGUE_SWEEP_SECONDS": _seconds("DIALOGUE_SWEEP_SECONDS", 5),
        "DIALOGUE_NUDGE_SECONDS": _seconds("DIALOGUE_NUDGE_SECONDS", 15),
        # Days after a session ends before its members' personal data is removed (None: kept).
        "DIALOGUE_RETENTION_DAYS": _positive_int(os.environ.get("DIALOGUE_RETENTION_DAYS")),
        # Minutes after a session ends in which its facilitators may reopen it (a mistaken end).
        "DIALOGUE_REOPEN_MINUTES": _positive_int(os.environ.get("DIALOGUE_REOPEN_MINUTES"), 1440) or 10,
        # Reverse proxies in front (nginx): the client's address comes from X-Forwarded-For.
        "DIALOGUE_PROXY_COUNT": _positive_int(os.environ.get("DIALOGUE_PROXY_COUNT")) or 0,
        # Rate limits that differ from the defaults (dialogue/ratelimit.py), e.g. "send=5/5second".
        "DIALOGUE_RATE_LIMITS": os.environ.get("DIALOGUE_RATE_LIMITS") or None,
        # Browser logins end after this many minutes without use, and this many hours after
        # they began, whatever happens in between.
        "DIALOGUE_LOGIN_IDLE_MINUTES": _positive_int(os.environ.get("DIALOGUE_LOGIN_IDLE_MINUTES")) or 120,
        "DIALOGUE_LOGIN_MAX_HOURS": _positive_int(os.environ.get("DIALOGUE_LOGIN_MAX_HOURS")) or 72,
        # Staff accounts (permissions.may_use_two_factor) must sign in with a second factor.
        "DIALOGUE_REQUIRE_STAFF_TWO_FACTOR": _flag("DIALOGUE_REQUIRE_STAFF_TWO_FACTOR"),
        # Behind HTTPS: cookies only over TLS, and browsers told to stay on HTTPS.
        "SESSION_COOKIE_SECURE": _flag("DIALOGUE_SECURE_COOKIES"),
        "REMEMBER_COOKIE_SECURE": _flag("DIALOGUE_SECURE_COOKIES"),
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "en",
    "BABEL_DEFAULT_TIMEZONE": "UTC",
    "DIALOGUE_LANGUAGES": ["en", "hy", "az", "ru"],
    # Largest message body, in characters, after trimming (protocol: too_long past this).
    "DIALOGUE_MAX_MESSAGE_CHARS": 4000,
    # Largest JSON payload an event may carry, in bytes, before it is refused as too_long.
    "DIALOGUE_MAX_EVENT_BYTES": 16_384,
    # Largest Socket.IO packet the transport accepts at all; larger ones close that client only.
    "DIALOGUE_MAX_PACKET_BYTES": 65_536,
    # Largest request body of a page (form posts, the watched-words file), in bytes.
    "MAX_CONTENT_LENGTH": 2_000_000,
    # At most this many messages are returned by one join or history call (the protocol allows
    # up to 1000; smaller pages keep one answer cheap, so one socket cannot hold the server).
    "DIALOGUE_HISTORY_PAGE": 200,
    # Authors may correct their own message for this many minutes after writing it.
    "DIALOGUE_EDIT_MINUTES": 5,
    # How long after approving or rejecting a message a moderator may undo it (the queue's
    # recently decided list).
    "DIALOGUE_UNDO_MINUTES": 5,
    "DIALOGUE_INVITATION_DAYS": 14,
    # Error logs must not carry message bodies or other people's data from SQL parameters.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
}
