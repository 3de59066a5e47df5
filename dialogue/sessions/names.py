"""The names members show in a session: checked, folded so look-alikes collide, and the
neutral names of pseudonymous sessions."""

from __future__ import annotations

import secrets
import unicodedata

from flask_babel import gettext as _
from sqlalchemy import func, select

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    DialogueSession,
    Membership,
    name_key,
)

MAX_NAME = 40


def clean_display_name(display_name) -> str:
    """Validate the name a member shows in a session."""
    if not isinstance(display_name, str):
        raise DialogueError("invalid")
    display_name = " ".join(unicodedata.normalize("NFC", display_name).split())
    if not display_name:
        raise DialogueError("empty", _("Choose a name to show in this session."))
    if len(display_name) > MAX_NAME:
        raise DialogueError("too_long", _("Names can be at most %(n)d characters.", n=MAX_NAME))
    if any(unicodedata.category(c)[0] == "C" for c in display_name):
        raise DialogueError("invalid", _("The name contains characters that cannot be shown."))
    return display_name


def suggest_name(session: DialogueSession, side: str | None) -> str:
    """A neutral pseudonym suggestion, such as "Participant 7", numbered from 1 for the
    session's first participant (facilitators, moderators and others do not count)."""
    count = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.session_id == session.id, permissions.speakers_clause())) or 0
    for n in range(count + 1, count + 200):
        candidate = _("Participant %(n)d", n=n)
        if not name_taken(session, candidate):
            return candidate
    return _("Participant %(n)s", n=secrets.token_hex(2))


def name_taken(session: DialogueSession, display_name: str, except_user: int | None = None) -> bool:
    query = select(Membership.id).where(Membership.session_id == session.id,
                                        Membership.name_key == name_key(display_name))
    if except_user is not None:
        query = query.where(Membership.user_id != except_user)
    return db.session.scalar(query) is not None


def shown_name(session: DialogueSession, role: str, display_name) -> str:
    """The name a new member shows: their choice, or an assigned neutral one in a
    pseudonymous session (for participants and observers)."""
    if permissions.gets_neutral_name(session, role):
        return neutral_name(session)
    return clean_display_name(display_name)


def neutral_name(session: DialogueSession) -> str:
    """A name that says nothing about its bearer or their side, such as "Participant K7"."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    for _attempt in range(200):
        candidate = _("Participant %(code)s", code=secrets.choice(letters) + str(secrets.randbelow(9) + 1))
        taken = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.session_id == session.id, Membership.display_name == candidate))
        if not taken:
            return candidate
    return _("Participant %(code)s", code=secrets.token_hex(3).upper())
