"""Who receives each event. The one place that names Socket.IO rooms, puts sockets in them
and picks the rooms each kind of event goes to; dialogue.emitter then sends after commit.

A socket that joined a session is in its session room, in its member room, and in either the
staff room (facilitators, moderators and admins: `permissions.is_session_staff`) or the
public room (everyone else). Which of them a message reaches follows from
`permissions.message_readers`, the same rule `permissions.can_see_message` applies, so the
live audience and the history a client reads cannot drift apart.
"""

from __future__ import annotations

from . import emitter, permissions
from .extensions import db
from .models import DialogueSession, Membership, Message, User
from .protocol import message_object

# --- the rooms -------------------------------------------------------------------------------


def session_room(session_id: str) -> str:
    """Every socket that joined the session and may read its public conversation."""
    return f"session:{session_id}"


def staff_room(session_id: str) -> str:
    """Sockets of the session's facilitators, moderators and admins."""
    return f"session:{session_id}:staff"


def public_room(session_id: str) -> str:
    """Sockets of the session's participants and observers (everyone but staff)."""
    return f"session:{session_id}:public"


def member_room(session_id: str, user_id: int) -> str:
    """Sockets of one user that joined this session."""
    return f"session:{session_id}:user:{user_id}"


def user_room(user_id: int) -> str:
    """Every socket of one user, whatever sessions it joined."""
    return f"user:{user_id}"


def login_room(login_id: str) -> str:
    """Sockets opened with one browser login (dropped at logout)."""
    return f"login:{login_id}"


def token_room(token_id: int) -> str:
    """Sockets opened with one API token (dropped when it is revoked)."""
    return f"token:{token_id}"


# --- putting the caller's socket in rooms ----------------------------------------------------

def enter_connected(principal: dict) -> None:
    """A socket that just connected: its user's room, and its login's or token's."""
    rooms = [user_room(principal["user_id"])]
    if principal.get("token_id") is not None:
        rooms.append(token_room(principal["token_id"]))
    else:
        rooms.append(login_room(principal["login_id"]))
    emitter.subscribe(rooms)


def enter_session(user: User, membership: Membership | None, session_id: str) -> None:
    """A socket that joined a session: its rooms follow the caller's role there, read now."""
    side = staff_room(session_id) if permissions.is_session_staff(user, membership) else public_room(session_id)
    emitter.subscribe([session_room(session_id), member_room(session_id, user.id), side])


def enter_queues(user: User, session_ids: list[str]) -> None:
    """A moderator's queue page: the staff room of each session it serves, and the member
    room too, so that ending this person's membership drops this socket."""
    emitter.subscribe([room for session_id in session_ids
                       for room in (staff_room(session_id), member_room(session_id, user.id))])


def leave_session(user: User, session_id: str) -> None:
    """A socket that left a session stops receiving its events."""
    emitter.unsubscribe([session_room(session_id), member_room(session_id, user.id),
                         staff_room(session_id), public_room(session_id)])


# --- events ----------------------------------------------------------------------------------

def message(session: DialogueSession, message: Message, event: str = "message") -> None:
    """After commit, send a message in its current status to exactly those who may see it,
    each in the view they are allowed (staff read the text of hidden messages)."""
    readers = permissions.message_readers(message)
    staff_view = message_object(session, message, staff_view=True)
    member_view = message_object(session, message)
    if readers.everyone and member_view == staff_view:
        emitter.on_commit(db.session, event, staff_view, session_room(session.id))
        return
    emitter.on_commit(db.session, event, staff_view, staff_room(session.id))
    if readers.everyone:
        emitter.on_commit(db.session, event, member_view, public_room(session.id))
    elif readers.author:
        emitter.on_commit(db.session, event, member_view, member_room(session.id, message.author_id))


def session_views(session_id: str, event: str, staff_view: dict, member_view: dict) -> None:
    """After commit, send the staff's view to the staff and the members' view to the others."""
    emitter.on_commit(db.session, event, staff_view, staff_room(session_id))
    emitter.on_commit(db.session, event, member_view, public_room(session_id))


def to_member(session_id: str, user_id: int, event: str, payload: dict) -> None:
    """After commit, send an event to one member's sockets in the session (a notice)."""
    emitter.on_commit(db.session, event, payload, member_room(session_id, user_id))


def to_staff(session_id: str, event: str, payload: dict) -> None:
    """After commit, send an event to the session's staff only (queue items, balance alerts)."""
    emitter.on_commit(db.session, event, payload, staff_room(session_id))


def typing(session_id: str, payload: dict) -> None:
    """That someone is writing goes to everyone in the session's room (writers ignore their own,
    by the writer id their `typing` answer gave them)."""
    emitter.on_commit(db.session, "typing", payload, session_room(session_id))


def to_session(db_session, session_id: str, event: str, payload: dict) -> None:
    """After `db_session` commits, send an event to every socket in the session (presence)."""
    emitter.on_commit(db_session, event, payload, session_room(session_id))


# --- drops -----------------------------------------------------------------------------------

def drop_member(session_id: str, user_id: int, reason: str) -> None:
    """After commit, drop a removed member's sockets in the session, wherever they are."""
    emitter.drop_on_commit(db.session, member_room(session_id, user_id), reason, session_id=session_id)


def drop_user(user_id: int, reason: str) -> None:
    """After commit, drop every socket of a user (deactivation)."""
    emitter.drop_on_commit(db.session, user_room(user_id), reason)


def drop_login(login_id: str, reason: str) -> None:
    """After commit, drop the sockets opened with one browser login (logout)."""
    emitter.drop_on_commit(db.session, login_room(login_id), reason)


def drop_token(token_id: int, reason: str) -> None:
    """After commit, drop the sockets opened with one API token (revocation)."""
    emitter.drop_on_commit(db.session, token_room(token_id), reason)
