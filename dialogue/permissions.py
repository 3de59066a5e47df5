"""Who may do what. Every permission decision of the platform is made in this module.

Callers pass objects freshly loaded from the database; nothing here trusts what a client
says about itself or what a socket remembered from an earlier event.
"""

from __future__ import annotations

from sqlalchemy import select, true

from .errors import DialogueError
from .extensions import db
from .models import DialogueSession, Membership, Message, User

STAFF_ROLES = ("facilitator", "moderator")
WRITING_ROLES = ("facilitator", "moderator", "participant")
INVITABLE_ROLES = ("participant", "observer", "moderator", "facilitator")


def current_membership(user: User, session: DialogueSession) -> Membership | None:
    """Return the user's current (not revoked) membership of the session, if any."""
    return db.session.scalar(
        select(Membership).where(
            Membership.session_id == session.id,
            Membership.user_id == user.id,
            Membership.revoked_at.is_(None),
        )
    )


def require_active(user: User | None) -> User:
    """Refuse a missing or deactivated account."""
    if user is None or not user.active:
        raise DialogueError("unauthorized")
    return user


def can_create_sessions(user: User) -> bool:
    """Facilitators and admins create dialogue sessions."""
    return user.active and user.role in ("admin", "facilitator")


def can_view_session(user: User, membership: Membership | None) -> bool:
    """Current members and admins may open a session's room and read its history."""
    return user.is_admin or membership is not None


def require_view(user: User, session: DialogueSession | None) -> Membership | None:
    """Return the caller's membership after checking they may read the session."""
    if session is None:
        raise DialogueError("not_found")
    membership = current_membership(user, session)
    if not can_view_session(user, membership):
        raise DialogueError("forbidden")
    return membership


def can_manage_session(user: User, membership: Membership | None) -> bool:
    """Facilitators of the session and admins run it: state, invitations, members."""
    return user.is_admin or (membership is not None and membership.role == "facilitator")


def require_manage(user: User, session: DialogueSession | None) -> Membership | None:
    """Return the caller's membership after checking they may run the session."""
    membership = require_view(user, session)
    if not can_manage_session(user, membership):
        raise DialogueError("forbidden")
    return membership


def is_session_staff(user: User, membership: Membership | None) -> bool:
    """Facilitators and moderators of the session, and admins, see what participants do not."""
    return user.is_admin or (membership is not None and membership.role in STAFF_ROLES)


def can_see_identities(user: User, membership: Membership | None) -> bool:
    """Only the session's facilitators and admins may link members to accounts."""
    return can_manage_session(user, membership)


def require_send(user: User, session: DialogueSession, membership: Membership | None) -> Membership:
    """Check that the caller may write in the session now, and return their membership."""
    if membership is None or membership.role not in WRITING_ROLES:
        raise DialogueError("forbidden")
    if session.state != "live":
        raise DialogueError("session_not_live")
    return membership


def can_see_message(user: User, membership: Membership | None, message: Message) -> bool:
    """Everyone in the session sees a visible message, and a notice in place of a published
    message that was later hidden or redacted; a held message, or one rejected before it was
    ever published, is seen only by its author and the session's staff."""
    if is_session_staff(user, membership):
        return True
    if message.channel == "staff":
        return False
    if message.status == "visible" or message.published:
        return True
    return membership is not None and message.author_id == user.id


def message_visibility_clause(user: User, membership: Membership | None):
    """The SQL condition that selects the messages of a session this user may see."""
    if is_session_staff(user, membership):
        return true()
    return (Message.channel == "room") & (
        (Message.status == "visible") | Message.published | (Message.author_id == user.id))


def can_use_staff_channel(membership: Membership | None) -> bool:
    """The back-channel is for the session's facilitators and moderators."""
    return membership is not None and membership.role in STAFF_ROLES


def sees_staff_view(user: User, membership: Membership | None) -> bool:
    """Staff read the text of hidden messages (to review them); nobody reads redacted text."""
    return is_session_staff(user, membership)


def require_staff(user: User, session: DialogueSession | None) -> Membership | None:
    """Moderators, facilitators and admins moderate a session; others are forbidden."""
    membership = require_view(user, session)
    if not is_session_staff(user, membership):
        raise DialogueError("forbidden")
    return membership


def can_flag(user: User, membership: Membership | None) -> bool:
    """Members who take part flag messages; observers only read."""
    return membership is not None and membership.role in WRITING_ROLES


def can_sanction(actor: User, actor_membership: Membership | None, target: Membership) -> bool:
    """Staff sanction participants and observers; facilitators (and admins) also moderators;
    only admins sanction facilitators. Nobody sanctions themselves."""
    if target.user_id == actor.id:
        return False
    if actor.is_admin:
        return True
    if actor_membership is None or actor_membership.role not in STAFF_ROLES:
        return False
    if target.role in ("participant", "observer"):
        return True
    return actor_membership.role == "facilitator" and target.role == "moderator"


def can_manage_words(user: User) -> bool:
    """Admins and platform moderators manage the watched-words list."""
    return user.active and user.role in ("admin", "moderator")


def can_read_audit(user: User, membership: Membership | None) -> bool:
    """Facilitators of the session and admins read and export its audit log."""
    return can_manage_session(user, membership)


def needs_second_key(session: DialogueSession, target_role: str) -> bool:
    """Under the two-key rule, acting against a participant needs a second moderator."""
    return bool(session.two_key) and target_role == "participant"


def require_reply_target(session: DialogueSession, user: User, membership: Membership | None,
                         reply_to) -> Message | None:
    """Resolve `reply_to` to a message of the same session that the author may see."""
    if reply_to is None:
        return None
    if isinstance(reply_to, bool) or not isinstance(reply_to, int | str):
        raise DialogueError("invalid")
    try:
        reply_id = int(reply_to)
    except ValueError:
        raise DialogueError("not_found") from None
    if not 0 < reply_id < 2**63:
        raise DialogueError("not_found")
    target = db.session.get(Message, reply_id)
    if target is None or target.session_id != session.id or not can_see_message(user, membership, target):
        raise DialogueError("not_found")
    # A reply is seen by everyone who sees the reply: it may only point at a public message
    # (or, in the staff channel, at another staff message), or it would reveal a held one.
    if target.channel == "room" and not (target.status == "visible" or target.published):
        raise DialogueError("not_found")
    return target


def require_invitable_role(role: str) -> str:
    """Invitations carry one of the member roles."""
    if role not in INVITABLE_ROLES:
        raise DialogueError("invalid")
    return role
