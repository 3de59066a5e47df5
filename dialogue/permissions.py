"""Who may do what. Every permission decision of the platform is made in this module.

Callers pass objects freshly loaded from the database; nothing here trusts what a client
says about itself or what a socket remembered from an earlier event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, true

from .errors import DialogueError
from .extensions import db
from .models import (
    MAX_ROW_ID,
    NAMING_CHOICES,
    PLATFORM_ROLES,
    ApiToken,
    DialogueSession,
    LoginSession,
    Membership,
    Message,
    QueueItem,
    User,
    iso,
    utcnow,
)

# Session roles. Staff moderate and facilitate; writers take part in the conversation;
# speakers are the members the floor, the balance and the nudges are about.
STAFF_ROLES = ("facilitator", "moderator")
WRITING_ROLES = ("facilitator", "moderator", "participant")
SPEAKER_ROLE = "participant"
# Interpreters attach translations to messages; they do not take part in the conversation.
INTERPRETER_ROLE = "interpreter"
INVITABLE_ROLES = ("participant", "observer", "interpreter", "moderator", "facilitator")
# Platform roles that create sessions, and that manage the watched-words list.
CREATOR_ROLES = ("admin", "facilitator")
WORD_KEEPER_ROLES = ("admin", "moderator")
# Platform roles whose accounts can reach what others in a session cannot (names, held
# messages, sanctions): they may, and under DIALOGUE_REQUIRE_STAFF_TWO_FACTOR must, sign in
# with a second factor.
STAFF_PLATFORM_ROLES = ("admin", "facilitator", "moderator")


def current_membership(user: User, session: DialogueSession) -> Membership | None:
    """Return the user's current (not revoked) membership of the session, if any."""
    return db.session.scalar(select(Membership).where(
        Membership.session_id == session.id, Membership.user_id == user.id, Membership.revoked_at.is_(None)))


def named_member(session: DialogueSession, member_id) -> Membership | None:
    """The current member a member id names (None if unknown); anything but a short string is `invalid`."""
    if not isinstance(member_id, str) or not 0 < len(member_id) <= 32:
        raise DialogueError("invalid", _("member_id must be a member id of this session."))
    return db.session.scalar(select(Membership).where(
        Membership.session_id == session.id, Membership.public_id == member_id, Membership.revoked_at.is_(None)))


def can_create_sessions(user: User) -> bool:
    """Facilitators and admins create dialogue sessions."""
    return user.active and user.role in CREATOR_ROLES


def sees_every_session(user: User) -> bool:
    """Admins see (and may open) every session of the platform, member or not."""
    return user.is_admin


def role_in_session(user: User, membership: Membership | None) -> str | None:
    """The role the caller acts in here: their member role, "admin" for an admin non-member, else None."""
    return membership.role if membership is not None else ("admin" if user.is_admin else None)


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


def works_as_staff(user: User, membership: Membership | None) -> bool:
    """Whether pages offer the staff's tools: to the session's facilitators and moderators, and to
    admins who are not members (events treat every admin as staff: `is_session_staff`)."""
    return membership.role in STAFF_ROLES if membership is not None else user.is_admin


def can_see_identities(user: User, membership: Membership | None) -> bool:
    """Only a session's facilitators and admins link members to accounts (names, e-mail); elsewhere admins."""
    return can_manage_session(user, membership)


def can_write(membership: Membership | None) -> bool:
    """Facilitators, moderators and participants write; observers only read."""
    return membership is not None and membership.role in WRITING_ROLES


def muted_until(membership: Membership | None, now: datetime | None = None) -> datetime | None:
    """Until when the member is muted, if they are muted now."""
    if membership is None or membership.muted_until is None:
        return None
    return membership.muted_until if membership.muted_until > (now or utcnow()) else None


def require_send(user: User, session: DialogueSession, membership: Membership | None,
                 channel: str = "room") -> Membership:
    """The caller's membership, if they may write in this channel now: the room while live (writers),
    the staff back-channel until the session ends (facilitators, moderators); never while muted."""
    if channel == "staff":
        if not can_use_staff_channel(membership):
            raise DialogueError("forbidden")
        if session.state == "ended":
            raise DialogueError("session_not_live")
    else:
        if not can_write(membership):
            raise DialogueError("forbidden")
        if session.state != "live":
            raise DialogueError("session_not_live")
    if (until := muted_until(membership)) is not None:
        raise DialogueError("muted", until=iso(until))
    return membership


def is_speaker(membership: Membership | None) -> bool:
    """Participants: the floor orders their turns, the balance counts their words (staff always write)."""
    return membership is not None and membership.role == SPEAKER_ROLE


def speakers_clause():
    """The SQL condition that selects a session's speakers among its memberships."""
    return Membership.role == SPEAKER_ROLE


def require_turn(session: DialogueSession, membership: Membership, now: datetime | None = None) -> None:
    """In queue and alternate modes a participant writes only while holding the floor."""
    if session.floor_mode == "open" or not is_speaker(membership):
        return
    holds = session.floor_user_id == membership.user_id and (
        session.floor_ends_at is None or session.floor_ends_at > (now or utcnow()))
    if not holds:
        raise DialogueError("not_your_turn")


def require_hand(session: DialogueSession, membership: Membership | None, raised: bool) -> Membership:
    """Participants raise and lower their hands (no new hands once the session ended, nor while
    muted); staff need none, observers may not."""
    if membership is None or not can_write(membership):
        raise DialogueError("forbidden")
    if not is_speaker(membership):
        raise DialogueError("invalid", _("Facilitators and moderators may always write."))
    if session.state == "ended" and raised:
        raise DialogueError("session_not_live")
    if raised and (until := muted_until(membership)) is not None:
        raise DialogueError("muted", until=iso(until))
    return membership


def can_hold_floor(membership: Membership | None) -> bool:
    """The floor goes to a current participant of the session who is not muted."""
    return (membership is not None and membership.revoked_at is None and is_speaker(membership)
            and muted_until(membership) is None)


def balance_shown(session: DialogueSession, *, staff: bool) -> bool:
    """Staff always see the side balance; members only while facilitators show the bar."""
    return staff or bool(session.show_balance)


def balance_view(user: User, membership: Membership | None, session: DialogueSession) -> str:
    """What of the balance the caller may read: "detail" (each participant, who is silent)
    for staff, "sides" for members while the bar is shown; otherwise `forbidden`."""
    if is_session_staff(user, membership):
        return "detail"
    if balance_shown(session, staff=False):
        return "sides"
    raise DialogueError("forbidden")


def require_own_consent(membership: Membership | None, for_member_id) -> None:
    """Members record consent for themselves only, never on another's behalf."""
    if for_member_id is not None and (membership is None or for_member_id != membership.public_id):
        raise DialogueError("forbidden", _("Only members themselves change their consent."))


def reopen_deadline(session: DialogueSession, minutes: int) -> datetime | None:
    """The end of the grace period in which facilitators may reopen an ended session (None: it is
    not ended, or its members' personal data is gone)."""
    if session.state != "ended" or session.ended_at is None or session.personal_data_removed_at is not None:
        return None
    return session.ended_at + timedelta(minutes=minutes)


def can_reopen(session: DialogueSession, minutes: int, now: datetime | None = None) -> bool:
    deadline = reopen_deadline(session, minutes)
    return deadline is not None and (now or utcnow()) <= deadline


def require_member(membership: Membership | None) -> Membership:
    """Choices about oneself in a session (consent, presence, own messages) need a membership."""
    if membership is None:
        raise DialogueError("forbidden")
    return membership


def require_joinable(session: DialogueSession, earlier: Membership | None) -> None:
    """Nobody rejoins a session they were removed from, and nobody new joins a locked one."""
    if earlier is not None and earlier.revoked_at is not None:
        raise DialogueError("forbidden", _("You were removed from this session."))
    if session.locked:
        raise DialogueError("forbidden", _("The facilitators have closed this session to new members for now."))


def gets_neutral_name(session: DialogueSession, role: str) -> bool:
    """In a pseudonymous session participants and observers are given neutral names."""
    return bool(session.pseudonymous) and role in ("participant", "observer")


def invitation_needs_side(role: str) -> bool:
    """Participants are invited for a side; other roles may have none."""
    return role == SPEAKER_ROLE


def held_for_review(membership: Membership) -> bool:
    """Participants' messages and interpreters' translations may be held; staff's are queued."""
    return is_speaker(membership) or (membership is not None and membership.role == INTERPRETER_ROLE)


def can_translate(user: User, membership: Membership | None) -> bool:
    """Interpreters, facilitators and moderators translate (admins who are not members do not)."""
    return membership is not None and membership.role in (*STAFF_ROLES, INTERPRETER_ROLE)


def require_translate(user: User, session: DialogueSession, membership: Membership | None) -> Membership | None:
    """Interpreters and staff translate while live, unless muted; the floor does not apply."""
    if not can_translate(user, membership):
        raise DialogueError("forbidden")
    if session.state != "live":
        raise DialogueError("session_not_live")
    if (until := muted_until(membership)) is not None:
        raise DialogueError("muted", until=iso(until))
    return membership


def require_translation_target(session: DialogueSession, user: User, membership: Membership | None,
                               message: Message | None) -> Message:
    """A translation renders a public room message the caller can see, never a translation."""
    if (message is None or message.session_id != session.id or message.channel != "room"
            or not can_see_message(user, membership, message) or message.status != "visible"):
        raise DialogueError("not_found")
    if message.translation_of_id is not None:
        raise DialogueError("invalid", _("A translation cannot be translated again; translate the original."))
    return message


def require_own_message(user: User, session: DialogueSession, membership: Membership | None, message: Message | None,
                        *, action: str, window_ends: datetime | None = None) -> Message:
    """Authors change only their own messages: "delete" at any time, "edit" within its window
    while they may write, "correct" (an interpreter's translation) while they may translate."""
    wrong_kind = (action == "correct") != (message is not None and message.translation_of_id is not None)
    if (message is None or message.session_id != session.id or not can_see_message(user, membership, message)
            or (action != "delete" and wrong_kind)):
        raise DialogueError("not_found")
    if message.author_id != user.id:
        raise DialogueError("forbidden")
    if message.status in ("redacted", "deleted") or (action != "delete" and message.status == "hidden"):
        raise DialogueError("conflict", _("This message can no longer be changed."))
    if action == "correct":
        require_translate(user, session, membership)
    elif action == "edit":
        require_send(user, session, membership, message.channel)
        if window_ends is not None and window_ends <= utcnow():
            raise DialogueError("conflict", _("Messages can be edited only for a few minutes after they are written."),
                                until=iso(window_ends))
    return message


def can_revoke_token(user: User | None, token: ApiToken) -> bool:
    """People revoke their own API tokens, admins anyone's; `None` is the operator's command line."""
    return user is None or token.user_id == user.id or user.is_admin


def may_use_two_factor(user: User) -> bool:
    """Staff accounts (admins, facilitators, moderators) may turn on two-factor sign-in."""
    return user.role in STAFF_PLATFORM_ROLES


def must_use_two_factor(user: User, required_for_staff: bool) -> bool:
    """Staff accounts must sign in with a second factor when the platform setting requires it."""
    return required_for_staff and may_use_two_factor(user)


def can_end_login(user: User | None, login: LoginSession) -> bool:
    """People end their own browser logins; `None` is the operator's command line."""
    return user is None or login.user_id == user.id


def can_change_platform_role(actor: User | None) -> bool:
    """Only admins (and the operator's command line, `None`) change an account's role."""
    return actor is None or (actor.active and actor.is_admin)


def can_release_claim(user: User, membership: Membership | None, item: QueueItem) -> bool:
    """Moderators release their own claims; facilitators and admins release anyone's."""
    return item.claimed_by_id in (None, user.id) or can_manage_session(user, membership)


def can_read_transcript(user: User, membership: Membership | None, session: DialogueSession,
                        version: str) -> bool:
    """Facilitators and admins export any version; members the participants' once published."""
    if can_manage_session(user, membership):
        return True
    return membership is not None and version == "participants" and session.published_at is not None


def transcript_attribution(user: User, membership: Membership | None, session: DialogueSession,
                           requested: str) -> str:
    """Facilitators and admins get the attribution they ask for; members what was published or more
    private, never more named (NAMING_CHOICES runs from the least to the most private)."""
    if can_manage_session(user, membership) or session.published_attribution not in NAMING_CHOICES:
        return requested
    return max(requested, session.published_attribution, key=NAMING_CHOICES.index)


@dataclass(frozen=True)
class Readers:
    """Who may read a message besides the session's staff, who read every message."""
    everyone: bool  # every member of the session
    author: bool  # its author


def message_readers(message: Message) -> Readers:
    """Everyone reads a visible message (and a notice in place of a once-public one); a held or
    never-public one only its author (and staff); the back-channel only staff."""
    if message.channel == "staff":
        return Readers(everyone=False, author=False)
    return Readers(everyone=message.status == "visible" or message.published, author=True)


def can_see_message(user: User, membership: Membership | None, message: Message) -> bool:
    """Whether this user may see this message (`message_readers`, staff see all)."""
    if is_session_staff(user, membership):
        return True
    readers = message_readers(message)
    return readers.everyone or (readers.author and membership is not None and message.author_id == user.id)


def message_visibility_clause(user: User, membership: Membership | None):
    """The SQL condition of the messages this user may see: `message_readers` as SQL (tests check they agree)."""
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
    """Members who take part flag messages, and so do interpreters; observers only read."""
    return can_write(membership) or (membership is not None and membership.role == INTERPRETER_ROLE)


def sessions_served_by(user: User):
    """A query of the sessions whose review queue this user serves: all for admins, else their staff ones."""
    if user.is_admin:
        return select(DialogueSession)
    return (select(DialogueSession).join(Membership, Membership.session_id == DialogueSession.id)
            .where(Membership.user_id == user.id, Membership.revoked_at.is_(None),
                   Membership.role.in_(STAFF_ROLES)))


def can_sanction(actor: User, actor_membership: Membership | None, target: Membership) -> bool:
    """Staff sanction participants and observers; facilitators (and admins) also moderators;
    only admins sanction facilitators. Nobody sanctions themselves."""
    if target.user_id == actor.id:
        return False
    if actor.is_admin:
        return True
    if actor_membership is None or actor_membership.role not in STAFF_ROLES:
        return False
    if target.role in ("participant", "observer", INTERPRETER_ROLE):
        return True
    return actor_membership.role == "facilitator" and target.role == "moderator"


def can_read_security_log(user: User) -> bool:
    """Only admins read the security log (it names accounts and networks)."""
    return user.active and user.is_admin


def can_manage_words(user: User) -> bool:
    """Admins and platform moderators manage the watched-words list."""
    return user.active and user.role in WORD_KEEPER_ROLES


def can_edit_glossary(user: User, session: DialogueSession | None) -> bool:
    """A session's glossary is kept by its facilitators and admins; the platform's list by admins."""
    if not user.active or session is None:
        return user.active and user.is_admin
    return can_manage_session(user, current_membership(user, session))


def require_edit_glossary(user: User, session: DialogueSession | None) -> None:
    """May the caller change this glossary (None: the platform's)? Else `forbidden`, or as `require_view`."""
    if session is not None:
        require_view(user, session)
    if not can_edit_glossary(user, session):
        raise DialogueError("forbidden")


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
    if not 0 < reply_id <= MAX_ROW_ID:
        raise DialogueError("not_found")
    target = db.session.get(Message, reply_id)
    if target is None or target.session_id != session.id or not can_see_message(user, membership, target):
        raise DialogueError("not_found")
    # A reply is seen by everyone who sees the reply: it may only point at a public message
    # (or, in the staff channel, at another staff message), or it would reveal a held one.
    if target.channel == "room" and not (target.status == "visible" or target.published):
        raise DialogueError("not_found")
    return target


def require_platform_role(role: str) -> str:
    """An account has one of the platform's roles."""
    if role not in PLATFORM_ROLES:
        raise DialogueError("invalid", _("Role must be one of: %(roles)s.", roles=", ".join(PLATFORM_ROLES)),
                            field="role")
    return role


def require_invitable_role(role: str) -> str:
    """Invitations carry one of the member roles."""
    if role not in INVITABLE_ROLES:
        raise DialogueError("invalid")
    return role
