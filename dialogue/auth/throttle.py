"""Failed sign-ins slow the next ones down, then stop them for a while.

Counted first for an account from one network address, with a delay that grows with each
window filled (3 a minute, 6 in ten minutes, 10 an hour, 20 a day: so 25 wrong passwords in
a row wait longer and longer, then a day); and for an account from anywhere, loosely and
briefly (30 in ten minutes), so that someone guessing from elsewhere cannot lock its owner
out for long. The key is the address as typed (trimmed, lower-cased), never whether an
account has it, so a refusal reads the same for known and unknown addresses; while refused,
the password is not even checked. A successful sign-in clears its account-and-address
count. The code step of two-factor sign-in is throttled the same way, per account (see
`code_key`). The counts live in the platform's limit store (dialogue/ratelimit.py).
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from .. import ratelimit
from ..errors import DialogueError
from ..extensions import db


def _account_key(email) -> str:
    return (email if isinstance(email, str) else "").strip().lower()[:254]


def code_key(user) -> str:
    """The key of the code step of two-factor sign-in: the account's id (its counts are kept
    under rules of their own, apart from the typed addresses of the password step)."""
    return str(user.id)


def _rules(code: bool) -> tuple[str, str]:
    return ("code_failures", "code_account") if code else ("login_failures", "login_account")


def _address() -> str:
    return ratelimit.address_key(request.remote_addr)


def refusal(account, *, code: bool = False) -> DialogueError | None:
    """The refusal to give before checking a password (or, with `code`, a two-factor code),
    if this sign-in must wait. Ends the reads that the page's hooks made (nothing is written
    before it): the limit store is never asked inside a transaction."""
    db.session.commit()
    key, (failures, account_rule) = _account_key(account), _rules(code)
    try:
        ratelimit.check_exhausted(failures, key, _address())
        ratelimit.check_exhausted(account_rule, key)
    except DialogueError as error:
        seconds = error.extra["retry_after"]
        minutes = max(1, -(-seconds // 60))
        return DialogueError("rate_limited", _("Too many failed sign-ins. Try again in %(n)d min.", n=minutes),
                             retry_after=seconds)
    return None


def failed(account, *, code: bool = False) -> None:
    """Count a failed sign-in (outside any database transaction)."""
    key, (failures, account_rule) = _account_key(account), _rules(code)
    ratelimit.count(failures, key, _address())
    ratelimit.count(account_rule, key)


def succeeded(account) -> None:
    """A successful sign-in forgets this account-and-address's failures."""
    ratelimit.clear("login_failures", _account_key(account), _address())
