"""Small helpers that make people, sessions and members through the real write paths."""

from __future__ import annotations

import itertools
import secrets
from dataclasses import dataclass, field

from dialogue.auth import accounts
from dialogue.extensions import db
from dialogue.models import DialogueSession, Membership, User
from dialogue.sessions import actions as dialogues

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def gen_user(role: str = "participant", real_name: str | None = None) -> User:
    """An active account with the shared test password and a unique e-mail."""
    n = next(_counter)
    tag = secrets.token_hex(3)
    return accounts.create_user(f"{role}{n}-{tag}@example.org", real_name or f"Real Name {n} {tag}",
                                PASSWORD, role)


def gen_token(user: User) -> str:
    return accounts.create_api_token(user, "test")[1]


def gen_session(facilitator: User | None = None, state: str = "live", **fields) -> DialogueSession:
    facilitator = facilitator or gen_user("facilitator")
    fields.setdefault("title", "Memory and recognition")
    session = dialogues.create_session(facilitator, **fields)
    if state in ("live", "ended"):
        dialogues.change_state(facilitator, session.id, "start")
    if state == "ended":
        dialogues.change_state(facilitator, session.id, "end")
    return session


def gen_member(session: DialogueSession, role: str = "participant", side: str | None = "a",
               name: str | None = None, user: User | None = None) -> tuple[User, Membership]:
    user = user or gen_user("participant" if role in ("participant", "observer", "interpreter") else role)
    name = name or f"{role.title()} {next(_counter)}"
    return user, dialogues.add_member(session, user, display_name=name, role=role, side=side)


@dataclass
class Person:
    user: User
    membership: Membership | None
    token: str

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def member_id(self) -> str | None:
        """How this person is named in their session's events (protocol version 2)."""
        return self.membership.public_id if self.membership else None

    @property
    def name(self) -> str:
        return self.membership.display_name if self.membership else ""


@dataclass
class Room:
    """A live session with a facilitator, a moderator, participants on both sides and an observer."""

    session: DialogueSession
    facilitator: Person
    moderator: Person
    participants: list[Person] = field(default_factory=list)
    moderators: list[Person] = field(default_factory=list)
    observer: Person | None = None
    outsider: Person | None = None

    @property
    def id(self) -> str:
        return self.session.id


def gen_room(participants: int = 2, state: str = "live", moderators: int = 1,
             moderator_sides: str = "") -> Room:
    facilitator_user = gen_user("facilitator")
    session = gen_session(facilitator_user, state=state)
    facilitator_membership = db.session.query(Membership).filter_by(
        session_id=session.id, user_id=facilitator_user.id).one()
    facilitator = Person(facilitator_user, facilitator_membership, gen_token(facilitator_user))
    people = []
    for index in range(moderators):
        side = moderator_sides[index] if index < len(moderator_sides) else None
        user, membership = gen_member(session, "moderator", side=side)
        people.append(Person(user, membership, gen_token(user)))
    room = Room(session, facilitator, people[0], moderators=people)
    for index in range(participants):
        user, membership = gen_member(session, "participant", side="ab"[index % 2])
        room.participants.append(Person(user, membership, gen_token(user)))
    observer_user, observer_membership = gen_member(session, "observer", side=None)
    room.observer = Person(observer_user, observer_membership, gen_token(observer_user))
    outsider = gen_user("participant")
    room.outsider = Person(outsider, None, gen_token(outsider))
    db.session.commit()
    return room
