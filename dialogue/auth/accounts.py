"""Accounts, browser logins and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from flask import session as cookie
from flask_babel import gettext as _
from flask_login import login_user
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audience, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import ApiToken, LoginSession, Membership, Presence, User, name_key, utcnow
from . import security_log

TOKEN_PREFIX = "dlg_"
MIN_PASSWORD_LENGTH = 10
# A hash of a random password, checked when the e-mail is unknown so that timing does not
# tell which addresses have accounts.
_DUMMY_HASH = generate_password_hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """Hash a password with scrypt (Werkzeug's default, a memory-hard KDF)."""
    return generate_password_hash(password, method="scrypt")


def normalise_email(email: str) -> str:
    """Lower-case and trim an address; refuse anything that is not shaped like one."""
    if not isinstance(email, str):
        raise DialogueError("invalid")
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise DialogueError("invalid", _("That is not an e-mail address."), field="email")
    return email


def create_user(email: str, real_name: str, password: str, role: str = "participant") -> User:
    """Create an account. Refuses a taken e-mail (conflict), a short password or unknown role."""
    email = normalise_email(email)
    permissions.require_platform_role(role)
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise DialogueError("invalid", _("Passwords need at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
                            field="password")
    real_name = (real_name or "").strip()[:120] or email.split("@")[0]
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise DialogueError("conflict", _("An account with that e-mail address already exists."), field="email")
    user = User(email=email, real_name=real_name, password_hash=hash_password(password), role=role)
    db.session.add(user)
    db.session.commit()
    return user


def register(email: str, real_name: str, password: str) -> None:
    """Create a participant account for someone who opened an invitation, answering alike
    whether or not the address already has an account, so that holding an invitation link
    does not tell who is on the platform: a taken address creates nothing (the password is
    hashed all the same, so the time does not tell either), and either way the person signs
    in next. Refuses what is wrong with the form itself (the address's shape, a short
    password) as create_user does."""
    try:
        create_user(email, real_name, password)
    except DialogueError as error:
        if error.code != "conflict":
            raise
        hash_password(password)
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
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


def start_login(user: User) -> LoginSession:
    """Record a new browser login and return it; its id goes into the signed cookie."""
    login = LoginSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(login)
    db.session.commit()
    return login


def begin_login(user: User) -> None:
    """Sign a browser in: a fresh cookie session (a new id, nothing carried over from before)
    holding a new login record, so that logging out can end exactly this login."""
    cookie.clear()
    security_log.record("login", actor=user, subject=user)
    cookie["login_id"] = start_login(user).id
    login_user(user)


def note_failed_login(email) -> None:
    """Log a refused sign-in: the account it named, if there is one (never the typed address)."""
    try:
        user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    except DialogueError:
        user = None
    security_log.record("login_failed", subject=user)
    db.session.commit()


def login_is_valid(login_id: str | None, user_id: int) -> bool:
    """True if this browser login exists, belongs to the user and was not ended."""
    if not login_id:
        return False
    login = db.session.get(LoginSession, login_id)
    return login is not None and login.user_id == user_id and login.revoked_at is None


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


def deactivate_user(user: User) -> None:
    """Deactivate an account: its logins end and every live socket of it is dropped at once."""
    user.active = False
    now = utcnow()
    for login in db.session.scalars(
        select(LoginSession).where(LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None))
    ):
        login.revoked_at = now
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
    now = utcnow()
    user.real_name = ""
    user.email = f"erased-{user.id}-{secrets.token_hex(4)}@erased.invalid"
    user.password_hash = hash_password(secrets.token_urlsafe(32))
    user.locale = None
    user.erased_at = now
    for membership in db.session.scalars(select(Membership).where(Membership.user_id == user.id)):
        anonymise_membership(membership)
    for token in db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = now
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
