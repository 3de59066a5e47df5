"""Dialogue sessions, their invitations and their members."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import emitter, permissions
from ..errors import DialogueError
from ..extensions import db
from ..models import (
    NAMING_CHOICES,
    SIDES,
    Consent,
    DialogueSession,
    Invitation,
    Membership,
    User,
    utcnow,
)

DEFAULT_GROUND_RULES = """\
1. Speak for yourself, from your own experience. Nobody here speaks for a whole people.
2. Listen to understand, not to answer. Ask before you assume.
3. No insults, slurs, threats or calls to violence, against anyone, on either side.
4. Protect each other: do not share anyone's real name, address, workplace or photos, and do not repeat outside what others said here in a way that could identify them.
5. You may pass, pause or leave at any time. The facilitators and moderators are here to keep the space safe for everyone.
"""

MAX_NAME = 40


def name_key(display_name: str) -> str:
    """Fold a display name so look-alike spellings of one name collide."""
    return unicodedata.normalize("NFKC", display_name).casefold().replace(" ", "")[:60]


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


def create_session(user: User, *, title: str, description: str = "", side_a_label: str = "Armenia",
                   side_b_label: str = "Azerbaijan", language: str = "en",
                   ground_rules: str | None = None, facilitator_name: str | None = None,
                   pseudonymous: bool = False) -> DialogueSession:
    """Create a draft session; its creator becomes its first facilitator."""
    if not permissions.can_create_sessions(user):
        raise DialogueError("forbidden")
    title = (title or "").strip()
    if not title:
        raise DialogueError("empty", _("A session needs a title."))
    side_a_label = (side_a_label or "").strip() or "Armenia"
    side_b_label = (side_b_label or "").strip() or "Azerbaijan"
    if name_key(side_a_label) == name_key(side_b_label):
        raise DialogueError("invalid", _("The two sides need different labels."))
    session = DialogueSession(
        title=title[:200], description=(description or "").strip(),
        side_a_label=side_a_label[:60], side_b_label=side_b_label[:60],
        language=language or "en",
        ground_rules=(ground_rules if ground_rules is not None else DEFAULT_GROUND_RULES).strip(),
        created_by_id=user.id, pseudonymous=bool(pseudonymous),
    )
    db.session.add(session)
    db.session.flush()
    shown = clean_display_name(facilitator_name or _("Facilitator"))
    db.session.add(Membership(session_id=session.id, user_id=user.id, display_name=shown,
                              name_key=name_key(shown), side=None, role="facilitator"))
    db.session.add(Consent(session_id=session.id, user_id=user.id, naming="pseudonym", include=True))
    db.session.commit()
    return session


def update_session(user: User, session: DialogueSession, **fields) -> DialogueSession:
    """Edit a session's title, description, side labels, language or ground rules."""
    permissions.require_manage(user, session)
    for key in ("title", "description", "side_a_label", "side_b_label", "language", "ground_rules"):
        if key in fields and fields[key] is not None:
            setattr(session, key, fields[key].strip())
    if not session.title:
        raise DialogueError("empty", _("A session needs a title."))
    db.session.commit()
    return session


def change_state(user: User, session_id: str, action: str) -> DialogueSession:
    """Start or end a session (and pause or resume it) and tell everyone in it."""
    from .facilitation import control

    if action not in ("start", "pause", "resume", "end"):
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
                      side: str | None = None, max_uses: int | None = 1, days: int = 14,
                      label: str = "") -> tuple[Invitation, str]:
    """Create an invitation link; the token is returned once and only its hash is kept."""
    permissions.require_manage(user, session)
    permissions.require_invitable_role(role)
    if side not in SIDES and side is not None:
        raise DialogueError("invalid")
    if role == "participant" and side is None:
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


def suggest_name(session: DialogueSession, side: str | None) -> str:
    """A neutral pseudonym suggestion, such as "Participant 7"."""
    count = db.session.scalar(select(func.count()).select_from(Membership).where(
        Membership.session_id == session.id)) or 0
    for n in range(count + 1, count + 200):
        candidate = _("Participant %(n)d", n=n)
        if not _name_taken(session, candidate):
            return candidate
    return _("Participant %(n)s", n=secrets.token_hex(2))


def _name_taken(session: DialogueSession, display_name: str, except_user: int | None = None) -> bool:
    query = select(Membership.id).where(Membership.session_id == session.id,
                                        Membership.name_key == name_key(display_name))
    if except_user is not None:
        query = query.where(Membership.user_id != except_user)
    return db.session.scalar(query) is not None


def _shown_name(session: DialogueSession, role: str, display_name) -> str:
    """The name a new member shows: their choice, or an assigned neutral one in a
    pseudonymous session (for participants and observers)."""
    if session.pseudonymous and role in ("participant", "observer"):
        from .facilitation import neutral_name

        return neutral_name(session)
    return clean_display_name(display_name)


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
    if existing is not None:
        raise DialogueError("forbidden", _("You were removed from this session."))
    if session.locked:
        raise DialogueError("forbidden", _("The facilitators have closed this session to new members for now."))
    if not accepted_rules:
        raise DialogueError("invalid", _("Please read and accept the ground rules to join."))
    if naming not in NAMING_CHOICES or not isinstance(include, bool):
        raise DialogueError("invalid")
    display_name = _shown_name(session, invitation.role, display_name)
    if _name_taken(session, display_name):
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
    display_name = _shown_name(session, role, display_name)
    membership = Membership(session_id=session.id, user_id=user.id, display_name=display_name,
                            name_key=name_key(display_name), side=side, role=role)
    db.session.add(membership)
    db.session.add(Consent(session_id=session.id, user_id=user.id, naming="pseudonym", include=True))
    db.session.commit()
    return membership


def revoke_membership(user: User, membership_id: int, reason: str = "removed") -> Membership:
    """Remove a member from a session through the moderation write path (its rules, the
    two-key rule and the audit log); their live sockets in it are dropped at once."""
    from .moderation import sanction

    membership = db.session.get(Membership, membership_id)
    if membership is None:
        raise DialogueError("not_found")
    sanction(user, membership.session_id, membership.user_id, "remove", reason=reason or "removed")
    return membership


def end_membership(membership: Membership, reason: str) -> None:
    """Revoke a membership; once committed, the member's live sockets in the session are dropped."""
    membership.revoked_at = utcnow()
    membership.revoked_reason = (reason or "removed")[:200]
    emitter.drop_on_commit(db.session, emitter.member_room(membership.session_id, membership.user_id),
                           "removed", session_id=membership.session_id)
