"""Dialogue sessions, their invitations and their members: the write paths and their reads."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import permissions
from ..errors import DialogueError
from ..extensions import db
from ..facilitation import glossary
from ..facilitation.control import control
from ..localization import zone_or_none
from ..models import (
    NAMING_CHOICES,
    SIDES,
    Consent,
    DialogueSession,
    Invitation,
    Membership,
    User,
    name_key,
    utcnow,
)
from .names import clean_display_name, name_taken, shown_name

# In the language of whoever creates the session (the new-session form shows them first).
DEFAULT_GROUND_RULES = _l("""\
1. Speak for yourself, from your own experience. Nobody here speaks for a whole people.
2. Listen to understand, not to answer. Ask before you assume.
3. No insults, slurs, threats or calls to violence, against anyone, on either side.
4. Protect each other: do not share anyone's real name, address, workplace or photos, and do not repeat outside what others said here in a way that could identify them.
5. You may pass, pause or leave at any time. The facilitators and moderators are here to keep the space safe for everyone.""")


def create_session(user: User, *, title: str, description: str = "", side_a_label: str = "Armenia",
                   side_b_label: str = "Azerbaijan", language: str = "en", time_zone: str = "UTC",
                   ground_rules: str | None = None, facilitator_name: str | None = None,
                   pseudonymous: bool = False) -> DialogueSession:
    """Create a draft session; its creator becomes its first facilitator, and its glossary
    starts as a copy of the platform's list."""
    if not permissions.can_create_sessions(user):
        raise DialogueError("forbidden")
    title = (title or "").strip()
    if not title:
        raise DialogueError("empty", _("A session needs a title."))
    side_a_label = (side_a_label or "").strip() or "Armenia"
    side_b_label = (side_b_label or "").strip() or "Azerbaijan"
    if name_key(side_a_label) == name_key(side_b_label):
        raise DialogueError("invalid", _("The two sides need different labels."))
    if zone_or_none(time_zone) is None:
        raise DialogueError("invalid", _("Choose a time zone from the list, for example Asia/Yerevan or Asia/Baku."),
                            field="time_zone")
    session = DialogueSession(
        title=title[:200], description=(description or "").strip(),
        side_a_label=side_a_label[:60], side_b_label=side_b_label[:60],
        language=language if language in current_app.config["DIALOGUE_LANGUAGES"] else "en",
        ground_rules=(ground_rules if ground_rules is not None else str(DEFAULT_GROUND_RULES)).strip(),
        created_by_id=user.id, pseudonymous=bool(pseudonymous), time_zone=time_zone,
    )
    db.session.add(session)
    db.session.flush()
    shown = clean_display_name(facilitator_name or _("Facilitator"))
    db.session.add(Membership(session_id=session.id, user_id=user.id, display_name=shown,
                              name_key=name_key(shown), side=None, role="facilitator"))
    db.session.add(Consent(session_id=session.id, user_id=user.id, naming="pseudonym", include=True))
    glossary.copy_platform_list(session, user)  # the session's glossary starts from the platform's list
    db.session.commit()
    return session


def set_language_and_zone(user: User, session: DialogueSession, language: str, time_zone: str) -> DialogueSession:
    """Facilitators choose the session's language (its pages' language for people who chose
    none) and its time zone (of its record, and of its pages for people who set none)."""
    permissions.require_manage(user, session)
    if language not in current_app.config["DIALOGUE_LANGUAGES"]:
        raise DialogueError("invalid", _("Choose one of the platform's languages."), field="language")
    if zone_or_none(time_zone) is None:
        raise DialogueError("invalid", _("Choose a time zone from the list, for example Asia/Yerevan or Asia/Baku."),
                            field="time_zone")
    session.language = language
    session.time_zone = time_zone
    db.session.commit()
    return session


def change_state(user: User, session_id: str, action: str) -> DialogueSession:
    """Start or end a session (pause, resume or, within the grace period, reopen it) and tell
    everyone in it."""
    if action not in ("start", "pause", "resume", "end", "reopen"):
        raise DialogueError("invalid")
    return control(user, session_id, action)


def members(session: DialogueSession, include_revoked: bool = False) -> list[Membership]:
    """The session's members by role, side and name."""
    query = select(Membership).where(Membership.session_id == session.id)
    if not include_revoked:
        query = query.where(Membership.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(Membership.role, Membership.side, Membership.display_name)))


def _invitation_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_invitation(user: User, session: DialogueSession, *, role: str = "participant",
                      side: str | None = None, max_uses: int | None = 1, days: int | None = None,
                      label: str = "") -> tuple[Invitation, str]:
    """Create an invitation link, valid `days` days (DIALOGUE_INVITATION_DAYS unless given); the
    token is returned once and only its hash is kept."""
    if days is None:
        days = current_app.config["DIALOGUE_INVITATION_DAYS"]
    permissions.require_manage(user, session)
    permissions.require_invitable_role(role)
    if side not in SIDES and side is not None:
        raise DialogueError("invalid")
    if permissions.invitation_needs_side(role) and side is None:
        raise DialogueError("invalid", _("Participants are invited for a side."))
    if max_uses is not None and (not isinstance(max_uses, int) or max_uses < 1 or max_uses > 10_000):
        raise DialogueError("invalid")
    if not isinstance(days, int) or not 1 <= days <= 365:
        raise DialogueError("invalid")
    token = secrets.token_urlsafe(24)
    invitation = Invitation(session_id=session.id, token_hash=_invitation_hash(token),
                            label=(label or "").strip()[:120], side=side, role=role,
                            max_uses=max_uses, expires_at=utcnow() + timedelta(days=days),
                            created_by_id=user.id)
    db.session.add(invitation)
    db.session.commit()
    return invitation, token


def invitations(session: DialogueSession) -> list[Invitation]:
    """The session's invitations, newest first."""
    return list(db.session.scalars(
        select(Invitation).where(Invitation.session_id == session.id).order_by(Invitation.id.desc())
    ))


def revoke_invitation(user: User, invitation_id: int) -> Invitation:
    """Stop an invitation link from working."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise DialogueError("not_found")
    permissions.require_manage(user, invitation.session)
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
    db.session.commit()
    return invitation


def find_invitation(token) -> Invitation | None:
    """Return the usable invitation for a link token, or None."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _invitation_hash(token)))
    if invitation is None or not invitation.usable() or invitation.session.state == "ended":
        return None
    return invitation


def accept_invitation(user: User, token: str, display_name: str, accepted_rules: bool,
                      naming: str = "pseudonym", include: bool = True) -> Membership:
    """Join a session through an invitation, under a chosen (or, in a pseudonymous session,
    an assigned) name, having accepted its rules and recorded consent for the record."""
    invitation = find_invitation(token)
    if invitation is None:
        raise DialogueError("not_found", _("This invitation link is not valid any more."))
    session = invitation.session
    existing = db.session.scalar(select(Membership).where(Membership.session_id == session.id,
                                                          Membership.user_id == user.id))
    if existing is not None and existing.revoked_at is None:
        return existing
    permissions.require_joinable(session, existing)
    if not accepted_rules:
        raise DialogueError("invalid", _("Please read and accept the ground rules to join."))
    if naming not in NAMING_CHOICES or not isinstance(include, bool):
        raise DialogueError("invalid")
    display_name = shown_name(session, invitation.role, display_name)
    if name_taken(session, display_name):
        raise DialogueError("conflict", _("Someone in this session already uses that name."))
    # Count the use under a conditional update so a single-use link cannot be used twice.
    claimed = db.session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == invitation.id, Invitation.revoked_at.is_(None),
               (Invitation.max_uses.is_(None)) | (Invitation.uses < Invitation.max_uses))
        .values(uses=Invitation.uses + 1)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise DialogueError("not_found", _("This invitation link is not valid any more."))
    membership = Membership(session_id=session.id, user_id=user.id, display_name=display_name,
                            name_key=name_key(display_name), side=invitation.side,
                            role=invitation.role, invitation_id=invitation.id)
    db.session.add(membership)
    db.session.add(Consent(session_id=session.id, user_id=user.id, naming=naming, include=include))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DialogueError("conflict", _("Someone in this session already uses that name.")) from None
    return membership


def add_member(session: DialogueSession, user: User, *, display_name: str, role: str,
               side: str | None) -> Membership:
    """Add a member directly (command line and demo), bypassing invitations; their consent
    for the record starts as pseudonym, included (they can change it in the room)."""
    permissions.require_invitable_role(role)
    display_name = shown_name(session, role, display_name)
    membership = Membership(session_id=session.id, user_id=user.id, display_name=display_name,
                            name_key=name_key(display_name), side=side, role=role)
    db.session.add(membership)
    db.session.add(Consent(session_id=session.id, user_id=user.id, naming="pseudonym", include=True))
    db.session.commit()
    return membership
