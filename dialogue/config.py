"""Configuration read from the environment, with safe defaults for the embedded setup."""

from __future__ import annotations

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


def _positive_int(value: str | None) -> int | None:
    """A whole number of at least 1 from the environment, or None when unset or empty."""
    if not (value or "").strip():
        return None
    number = int(value)
    if number < 1:
        raise ValueError(f"expected a whole number of at least 1, got {value!r}")
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
        "DIALOGUE_SWEEP_SECONDS": float(os.environ.get("DIALOGUE_SWEEP_SECONDS") or 5),
        "DIALOGUE_NUDGE_SECONDS": float(os.environ.get("DIALOGUE_NUDGE_SECONDS") or 15),
        # Days after a session ends before its members' personal data is removed (None: kept).
        "DIALOGUE_RETENTION_DAYS": _positive_int(os.environ.get("DIALOGUE_RETENTION_DAYS")),
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
    "DIALOGUE_MAX_PACKET_BYTES": 1_000_000,
    # At most this many messages are returned by one join or history call.
    "DIALOGUE_HISTORY_PAGE": 1000,
    "DIALOGUE_INVITATION_DAYS": 14,
    # Error logs must not carry message bodies or other people's data from SQL parameters.
    "SQLALCHEMY_ENGINE_OPTIONS": {"hide_parameters": True},
}
