"""Accounts, passwords, browser logins and API tokens."""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime, timedelta

from flask import current_app, has_app_context, has_request_context, request
from flask import session as cookie
from flask_babel import gettext as _
from flask_login import login_user
from gevent import monkey
from gevent.threadpool import ThreadPool
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..localization import zone_or_none
from ..models import (
    TRANSLATION_VIEWS,
    ApiToken,
    LoginSession,
    Membership,
    Presence,
    User,
    name_key,
    utcnow,
)
from . import security_log
from .passwords import require_good_password

TOKEN_PREFIX = "dlg_"
# A login's last use is written at most this often (not on every request).
LOGIN_TOUCH_INTERVAL = timedelta(minutes=1)
# A hash of a random password, checked when the e-mail is unknown so that timing does not
# tell which addresses have accounts.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16), method="scrypt")


def _off_the_loop(function, *args):
    """Run a slow, CPU-bound call (password hashing) in gevent's thread pool when this process
    runs under gevent's monkey-patching (`dialogue serve`, gunicorn's gevent worker), so the
    event loop goes on serving every room while it works; directly otherwise (tests, commands).

    Only outside a database transaction: on SQLite a transaction holds the write lock, and a
    greenlet that waits for that lock blocks the whole loop, so the greenlet holding it must
    not step aside meanwhile. The callers below end their reads before they hash."""
    in_transaction = has_app_context() and db.session().in_transaction()
    if monkey.is_module_patched("threading") and not in_transaction:
        return _hashing_pool().apply(function, args)
    return function(*args)


_POOL: list = []


def _hashing_pool():
    """A thread pool of its own for hashing, one thread fewer than the machine has cores (at
    least one): however many people sign in at once, a core is left for the event loop."""
    if not _POOL:
        _POOL.append(ThreadPool(max(1, (os.cpu_count() or 2) - 1)))
    return _POOL[0]


def hash_password(password: str) -> str:
    """Hash a password with scrypt (Werkzeug's default, a memory-hard KDF), off the event loop."""
    return _off_the_loop(generate_password_hash, password, "scrypt")


def password_matches(password_hash: str, password) -> bool:
    """Check a password against its stored hash, off the event loop."""
    return _off_the_loop(check_password_hash, password_hash, password if isinstance(password, str) else "")


def normalise_email(email: str) -> str:
    """Lower-case and trim an address; refuse anything that is not shaped like one."""
    if not isinstance(email, str):
        raise DialogueError("invalid")
    email = email.strip().lower()
    local, _at, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise DialogueError("invalid", _("That is not an e-mail address."), field="email")
    return email


def create_user(email: str, real_name: str, password: str, role: str = "participant") -> User:
    """Create an account. Refuses a taken e-mail (conflict), a weak password
    (passwords.require_good_password) or an unknown role."""
    email = normalise_email(email)
    permissions.require_platform_role(role)
    real_name = (real_name or "").strip()[:120] or email.split("@")[0]
    require_good_password(password, email=email, real_name=real_name)
    # Hashed before the address is looked up, so a taken address takes as long as a new one.
    db.session.commit()
    password_hash = hash_password(password)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DialogueError("conflict", _("An account with that e-mail address already exists."), field="email")
    user = User(email=email, real_name=real_name, password_hash=password_hash, role=role)
    db.session.add(user)
    db.session.commit()
    return user


def register(email: str, real_name: str, password: str) -> None:
    """Create a participant account for someone who opened an invitation, answering alike
    whether or not the address already has an account, so that holding an invitation link
    does not tell who is on the platform: a taken address creates nothing (create_user hashes
    the password before it looks the address up, so the time does not tell either), and either way the person signs
    in next. Refuses what is wrong with the form itself (the address's shape, a short
    password) as create_user does."""
    try:
        create_user(email, real_name, password)
    except DialogueError as error:
        if error.code != "conflict":
            raise
        security_log.record("registration_refused", subject=db.session.scalar(
            select(User).where(User.email == normalise_email(email))))
        db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with this e-mail and password, or None."""
    try:
        email = normalise_email(email)
    except DialogueError:
        return None
    user = db.session.scalar(select(User).where(User.email == email))
    stored, active = (user.password_hash, user.active) if user is not None else (_DUMMY_HASH, False)
    db.session.commit()  # the read is over: the check runs off the loop without holding a lock
    if not password_matches(stored, password) or not active:
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change one's password: the current one confirms it is them, the new one must be a good
    one. This browser gets a fresh login and every other login of the account ends."""
    stored, email, real_name = user.password_hash, user.email, user.real_name
    db.session.commit()  # hash without holding a transaction (see _off_the_loop)
    if not password_matches(stored, current):
        raise DialogueError("invalid", _("That is not your current password."), field="current_password")
    require_good_password(new, email=email, real_name=real_name)
    user.password_hash = hash_password(new)
    security_log.record("password_changed", actor=user, subject=user)
    rotate_login(user)


def set_translation_view(user: User, view) -> str:
    """Which interpretations a person sees under messages: into their language, all, none."""
    if view not in TRANSLATION_VIEWS:
        raise DialogueError("invalid", _("translations must be one of: %(v)s.", v=", ".join(TRANSLATION_VIEWS)))
    user.translation_view = view
    db.session.commit()
    return view


def change_role(actor: User | None, user: User, role: str) -> None:
    """Give an account another platform role (admins; `None` is the operator's command line).
    A change of privilege: every login of the account ends (the actor's own browser gets a
    fresh one if they changed their own role), and every live socket of it is dropped, so
    that none stays in rooms its old role let it into."""
    if not permissions.can_change_platform_role(actor):
        raise DialogueError("forbidden")
    permissions.require_platform_role(role)
    security_log.record("role_changed", actor=actor, subject=user, before=user.role, after=role)
    user.role = role
    audience.drop_user(user.id, "account_changed")
    rotate_login(user)


def _device() -> tuple[str, str | None]:
    """The browser's own description (trimmed) and its network, for the list of devices."""
    if not has_request_context():
        return "", None
    agent = " ".join((request.user_agent.string or "").split())
    return agent[:120], security_log.network_of(request.remote_addr)


def start_login(user: User) -> LoginSession:
    """Record a new browser login and return it (not committed); its id goes into the cookie."""
    device, network = _device()
    now = utcnow()
    login = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id, created_at=now, last_seen_at=now,
                         device=device, network=network)
    db.session.add(login)
    return login


def begin_login(user: User) -> None:
    """Sign a browser in: a fresh cookie session (a new id, nothing carried over from before)
    holding a new login record, so that logging out can end exactly this login."""
    cookie.clear()
    security_log.record("login", actor=user, subject=user)
    cookie["login_id"] = start_login(user).id
    db.session.commit()
    login_user(user)


def note_failed_login(email) -> None:
    """Log a refused sign-in: the account it named, if there is one (never the typed address)."""
    try:
        user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    except DialogueError:
        user = None
    security_log.record("login_failed", subject=user)
    db.session.commit()


def _limits(now: datetime) -> tuple[datetime, datetime]:
    """Logins begun before the first time, or unused since the second, have expired."""
    config = current_app.config
    return (now - timedelta(hours=config["DIALOGUE_LOGIN_MAX_HOURS"]),
            now - timedelta(minutes=config["DIALOGUE_LOGIN_IDLE_MINUTES"]))


def login_is_live(login: LoginSession, now: datetime | None = None) -> bool:
    """True if the login was not ended and has expired neither by age nor by disuse."""
    begun_after, used_after = _limits(now or utcnow())
    return (login.revoked_at is None and login.created_at > begun_after
            and (login.last_seen_at or login.created_at) > used_after)


def live_login_clause(now: datetime | None = None):
    """The SQL condition of `login_is_live` (the sweep and the list of devices use it)."""
    begun_after, used_after = _limits(now or utcnow())
    return (LoginSession.revoked_at.is_(None) & (LoginSession.created_at > begun_after)
            & ((LoginSession.last_seen_at > used_after)
               | (LoginSession.last_seen_at.is_(None) & (LoginSession.created_at > used_after))))


def login_is_valid(login_id: str | None, user_id: int) -> bool:
    """True if this browser login exists, belongs to the user, was not ended and has not expired."""
    if not login_id:
        return False
    login = db.session.get(LoginSession, login_id)
    return login is not None and login.user_id == user_id and login_is_live(login)


def note_logins_in_use(login_ids, now: datetime | None = None) -> None:
    """Record that these logins are in use now (a request, a live connection), writing only
    those not already marked within the last minute; commits."""
    now = now or utcnow()
    if login_ids:
        db.session.execute(update(LoginSession).where(
            LoginSession.id.in_(set(login_ids)), LoginSession.revoked_at.is_(None),
            (LoginSession.last_seen_at.is_(None)) | (LoginSession.last_seen_at < now - LOGIN_TOUCH_INTERVAL),
        ).values(last_seen_at=now))
    db.session.commit()


def note_login_use(login_id: str | None) -> None:
    """A request came with this login: remember when, at most once a minute (commits then)."""
    login = db.session.get(LoginSession, login_id) if login_id else None
    now = utcnow()
    if login is not None and (login.last_seen_at is None or login.last_seen_at < now - LOGIN_TOUCH_INTERVAL):
        login.last_seen_at = now
        db.session.commit()


def login_handle(login: LoginSession) -> str:
    """How pages and URLs name a login: a digest of its id (the id itself stays in the cookie)."""
    return hashlib.sha256(login.id.encode("utf-8")).hexdigest()[:24]


def live_logins(user: User) -> list[LoginSession]:
    """The account's browser logins that are still live, most recently used first."""
    return list(db.session.scalars(select(LoginSession).where(
        LoginSession.user_id == user.id, live_login_clause()).order_by(
        LoginSession.last_seen_at.desc(), LoginSession.created_at.desc())))


def _revoke_logins(user: User, keep: str | None = None) -> int:
    """End every live login of the account but `keep`, dropping their sockets after commit."""
    now, ended = utcnow(), 0
    for login in db.session.scalars(select(LoginSession).where(
            LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))):
        if login.id != keep:
            login.revoked_at = now
            audience.drop_login(login.id, "logged_out")
            ended += 1
    return ended


def rotate_login(user: User) -> None:
    """After a change of the account's privileges (password, two-factor, role): every login of
    it ends, and if this browser is signed in as it, it carries on under a fresh login id.
    Commits."""
    this_browser = has_request_context() and login_is_valid(cookie.get("login_id"), user.id)
    _revoke_logins(user)
    if this_browser:
        cookie["login_id"] = start_login(user).id
    db.session.commit()


def end_login(login_id: str | None) -> None:
    """Log out: revoke the login and drop the sockets opened with it."""
    if not login_id:
        return
    login = db.session.get(LoginSession, login_id)
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    security_log.record("logout", actor=login.user, subject=login.user)
    audience.drop_login(login_id, "logged_out")
    db.session.commit()


def end_device_login(user: User, handle: str) -> None:
    """End one of the account's live logins (named by `login_handle`) from its list of
    devices; its sockets are dropped."""
    login = next((login for login in live_logins(user) if login_handle(login) == handle), None)
    if login is None or not permissions.can_end_login(user, login):
        raise DialogueError("not_found")
    if login.revoked_at is None:
        login.revoked_at = utcnow()
        security_log.record("login_ended", actor=user, subject=login.user)
        audience.drop_login(login.id, "logged_out")
    db.session.commit()


def end_other_logins(user: User, keep: str | None) -> int:
    """End every login of the account but this browser's; returns how many ended."""
    ended = _revoke_logins(user, keep=keep)
    if ended:
        security_log.record("login_ended", actor=user, subject=user, count=ended)
    db.session.commit()
    return ended


def deactivate_user(user: User) -> None:
    """Deactivate an account: its logins and API tokens end and every live socket of it is
    dropped at once."""
    user.active = False
    now = utcnow()
    for login in db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    ):
        login.revoked_at = now
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = now  # their sockets go with every other socket of the account below
    security_log.record("deactivated", subject=user)
    audience.drop_user(user.id, "account_deactivated")
    db.session.commit()


def anonymise_membership(membership: Membership) -> None:
    """Show a member as a former member with a neutral name that says nothing about them."""
    shown = _("Former member %(code)s", code=membership.public_id[:6])
    membership.display_name, membership.name_key = shown, name_key(shown)
    membership.hide_presence = True


def forget_user(user: User) -> None:
    """Erase a person's personal data at their request: name, e-mail address and password go,
    every login and token ends and their live sockets are dropped; in each session they are
    shown as a former member with a neutral name. What they wrote stays in the record, under
    that name, so the sessions' integrity chains (and published digests) are unchanged."""
    password_hash = hash_password(secrets.token_urlsafe(32))
    now = utcnow()
    user.real_name = ""
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.password_hash = password_hash
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    user.locale = None
    user.erased_at = now
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        anonymise_membership(membership)
    db.session.execute(delete(Presence).where(Presence.user_id == user.id))
    security_log.record("erased", actor=user, subject=user)
    deactivate_user(user)


def reactivate_user(user: User) -> None:
    """Let a deactivated account log in again."""
    user.active = True
    security_log.record("reactivated", subject=user)
    db.session.commit()


def _token_hash(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create an API token; the plaintext is returned once and only its hash is stored."""
    name = (name or "").strip()[:80] or "API token"
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=_token_hash(plaintext),
                     prefix=plaintext[: len(TOKEN_PREFIX) + 4])
    db.session.add(token)
    security_log.record("token_created", actor=user, subject=user, name=name)
    db.session.commit()
    return token, plaintext


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first, revoked ones included."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    ))


def revoke_api_token(user: User | None, token_id: int) -> None:
    """Revoke one of the user's own tokens (admins, and the operator with user None, any) and
    drop its sockets."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not permissions.can_revoke_token(user, token):
        raise DialogueError("not_found")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        security_log.record("token_revoked", actor=user, subject=token.user, name=token.name)
        audience.drop_token(token.id, "token_revoked")
    db.session.commit()


def resolve_token(plaintext) -> ApiToken | None:
    """Return the live token (with an active user) for a presented plaintext, or None."""
    if not isinstance(plaintext, str) or not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(plaintext)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def token_is_valid(token_id: int | None, user_id: int) -> bool:
    """True if this token still exists unrevoked for the user."""
    if token_id is None:
        return False
    token = db.session.get(ApiToken, token_id)
    return token is not None and token.user_id == user_id and token.revoked_at is None


def set_locale(user: User, language: str) -> None:
    """Keep the account's interface language (the caller checked it is one of the platform's)."""
    user.locale = language
    db.session.commit()


def set_time_zone(user: User, time_zone: str | None) -> None:
    """Keep the account's time zone, an IANA name; None or empty: the session's, else UTC."""
    if time_zone and zone_or_none(time_zone) is None:
        raise DialogueError("invalid", _("Choose a time zone from the list, for example Asia/Yerevan or Asia/Baku."),
                            field="time_zone")
    user.time_zone = time_zone or None
    db.session.commit()
