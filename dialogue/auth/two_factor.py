"""Two-factor sign-in for staff accounts: time-based one-time codes (TOTP, RFC 6238).

A staff account enrols on its settings page: a secret is made and shown (and as an
otpauth:// URI for authenticator apps), and it is turned on once the person enters a
current code from it. Signing in then takes two steps: the password, then a code. Between
the two the browser is not signed in: the signed cookie holds only who gave the right
password, and when. A code is accepted once: the time step of the last accepted code is
stored, and no code of that step or an earlier one is accepted again.
"""

from __future__ import annotations

import time

import pyotp
from flask import current_app
from flask import session as cookie
from flask_babel import gettext as _
from sqlalchemy import update

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import User, utcnow
from . import accounts, security_log

ISSUER = "Dialogue"
# How long the code step of a sign-in may take after the password step.
PENDING_SECONDS = 300
PENDING_KEY = "pending_login"


def is_enabled(user: User) -> bool:
    """Whether the account signs in with a code after its password."""
    return user.totp_enabled_at is not None and bool(user.totp_secret)


def outstanding(user: User) -> bool:
    """Whether the platform requires two-factor sign-in of this account and it has none yet:
    it must enrol before it reaches any other page."""
    return (permissions.must_use_two_factor(user, current_app.config["DIALOGUE_REQUIRE_STAFF_TWO_FACTOR"])
            and not is_enabled(user))


def provisioning_uri(user: User) -> str:
    """The otpauth:// URI of the account's secret, for authenticator apps."""
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def start_enrolment(user: User) -> str:
    """Make a new secret for the account (replacing one not yet confirmed) and return it."""
    if not permissions.may_use_two_factor(user):
        raise DialogueError("forbidden")
    if is_enabled(user):
        raise DialogueError("conflict", _("Two-factor sign-in is already on."))
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    db.session.commit()
    return user.totp_secret


def accept_code(user: User, code) -> bool:
    """Check a code against the account's secret, a step of 30 seconds either side allowed
    (pyotp's verify with valid_window=1, step by step so we know which one matched); accept
    it only if that step is later than the last accepted one, and record it (a conditional
    update, so the same code sent twice at once is accepted once). Not committed."""
    if not user.totp_secret or not isinstance(code, str):
        return False
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = time.time()
    for offset in (-1, 0, 1):
        step = int(now // totp.interval) + offset
        if totp.verify(code, for_time=step * totp.interval):
            claimed = db.session.execute(update(User).where(
                User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step),
            ).values(totp_last_step=step)).rowcount
            db.session.refresh(user)
            return claimed == 1
    return False


def _refuse_code(user: User) -> None:
    security_log.record("two_factor_failed", subject=user)
    db.session.commit()
    raise DialogueError("invalid", _("That code is not right. Enter the current code from your app."),
                        field="code")


def confirm_enrolment(user: User, code) -> None:
    """Turn two-factor sign-in on with a current code from the new secret. A change of
    privilege: this browser gets a fresh login and every other login of the account ends."""
    if not user.totp_secret or is_enabled(user):
        raise DialogueError("conflict")
    if not accept_code(user, code):
        _refuse_code(user)
    user.totp_enabled_at = utcnow()
    security_log.record("two_factor_enabled", actor=user, subject=user)
    accounts.rotate_login(user)


def disable(user: User, code) -> None:
    """Turn two-factor sign-in off with a current code (refused while the platform requires
    it of this account); this browser gets a fresh login and every other login ends."""
    if not is_enabled(user):
        raise DialogueError("conflict")
    if permissions.must_use_two_factor(user, current_app.config["DIALOGUE_REQUIRE_STAFF_TWO_FACTOR"]):
        raise DialogueError("forbidden", _("This platform requires two-factor sign-in for your account."))
    if not accept_code(user, code):
        _refuse_code(user)
    user.totp_secret = user.totp_enabled_at = user.totp_last_step = None
    security_log.record("two_factor_disabled", actor=user, subject=user)
    accounts.rotate_login(user)


def hold_login(user: User, target: str | None) -> None:
    """The password was right and the account uses two-factor sign-in: remember that in the
    signed cookie (nothing else of an earlier visit) without signing the browser in."""
    cookie.clear()
    cookie[PENDING_KEY] = {"user_id": user.id, "at": int(time.time()), "next": target or ""}


def pending_user() -> tuple[User, str] | None:
    """The account waiting for its code in this browser and where it was going, or None
    (none, expired, or the account was deactivated or lost two-factor meanwhile)."""
    pending = cookie.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user_id"))
    if user is None or not user.active or not is_enabled(user):
        return None
    return user, pending.get("next") or ""


def finish_login(code) -> str:
    """The code step of signing in: with a right code the browser is signed in (a fresh
    login, as after a password alone) and the page it was going to is returned."""
    held = pending_user()
    if held is None:
        cookie.pop(PENDING_KEY, None)
        raise DialogueError("unauthorized", _("Your sign-in took too long. Please start again."))
    user, target = held
    if not accept_code(user, code):
        _refuse_code(user)
    accounts.begin_login(user)
    return target
