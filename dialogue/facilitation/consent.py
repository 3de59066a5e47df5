"""Members' own choices: consent for the record, and whether others see them online."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from .. import permissions, record
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    NAMING_CHOICES,
    Consent,
    DialogueSession,
    User,
    utcnow,
)
from ..protocol import iso
from ..realtime import presence
from ..writes import session_write


def record_consent(user: User, session_id, naming, include, for_member_id=None) -> Consent:
    """A member records how they want to be named in transcripts and whether their words may
    appear at all. Every change is kept with its time; the latest is in force. Naming another
    member (`for_member_id`) is `forbidden`: nobody consents on another's behalf."""
    if for_member_id is not None:
        session = db.session.get(DialogueSession, session_id) if isinstance(session_id, str) else None
        permissions.require_own_consent(permissions.current_membership(user, session) if session else None,
                                        for_member_id)
    if naming not in NAMING_CHOICES:
        raise DialogueError("invalid", _("naming must be one of: %(n)s.", n=", ".join(NAMING_CHOICES)))
    if not isinstance(include, bool):
        raise DialogueError("invalid", _("include must be true or false."))
    with session_write(session_id) as session:
        membership = permissions.require_member(permissions.require_view(user, session))
        consent = Consent(session_id=session.id, user_id=user.id, naming=naming, include=include,
                          created_at=utcnow())
        db.session.add(consent)
        record.consent_changed(session, membership.id, naming, include, consent.created_at)
        db.session.commit()
        return consent


def current_consent(session_id: str, user_id: int) -> Consent | None:
    """The consent in force for a member (None if they never recorded one: treat as withheld)."""
    return db.session.scalar(select(Consent).where(Consent.session_id == session_id, Consent.user_id == user_id)
                             .order_by(Consent.id.desc()).limit(1))


def consent_object(consent: Consent | None) -> dict | None:
    return None if consent is None else {"naming": consent.naming, "include": consent.include,
                                         "since": iso(consent.created_at)}


def set_presence_hidden(user: User, session_id, hidden) -> None:
    """A member hides (or shows) their online status from other members; everyone in the
    session gets the new presence list."""
    if not isinstance(hidden, bool) or not isinstance(session_id, str):
        raise DialogueError("invalid")
    session = db.session.get(DialogueSession, session_id)
    membership = permissions.require_member(permissions.require_view(user, session))
    membership.hide_presence = hidden
    presence.queue_presence(db.session, session.id)
    db.session.commit()
