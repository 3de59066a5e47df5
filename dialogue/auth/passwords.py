"""What makes a password acceptable: long enough, not one of the common or breached
passwords, and not the person's own e-mail address or name.

The list (`common-passwords.txt.gz`, next to this module) is Django's: 20,000 common
passwords from breach corpora, lower-cased, compiled by Royce Williams; BSD licence, see
`common-passwords.LICENSE`. It ships with the platform: no password ever leaves the server
to be looked up anywhere.
"""

from __future__ import annotations

import functools
import gzip
from pathlib import Path

from flask_babel import gettext as _

from ..errors import DialogueError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased (read once per process)."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def _refuse(message: str) -> None:
    raise DialogueError("invalid", message, field="password")


def require_good_password(password, *, email: str = "", real_name: str = "") -> str:
    """Return the password if it may be used, else refuse it (`invalid`, field "password"):
    shorter than MIN_PASSWORD_LENGTH, on the list of common passwords, or the account's own
    e-mail address, the part of it before the @, or the person's name."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        _refuse(_("Passwords need at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if len(password) > MAX_PASSWORD_LENGTH:
        _refuse(_("Passwords may have at most %(n)d characters.", n=MAX_PASSWORD_LENGTH))
    folded = password.strip().lower()
    if folded in common_passwords():
        _refuse(_("That password is one of the most common ones, which are tried first when accounts are "
                  "attacked. Please choose another."))
    email = (email or "").strip().lower()
    own = {email, email.partition("@")[0], (real_name or "").strip().lower(),
           (real_name or "").strip().lower().replace(" ", "")}
    if folded in own - {""} or folded.replace(" ", "") in own - {""}:
        _refuse(_("Your password may not be your e-mail address or your name."))
    return password
