"""The audience of a message event follows the one visibility rule: for every channel, status
and publication, the sockets that receive a message are exactly those of people who
`permissions.can_see_message`, each in the view they may read, and the SQL clause that pages
history selects the same messages."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import select

from dialogue import audience, emitter, permissions
from dialogue.extensions import db
from dialogue.models import DialogueSession, Message
from dialogue.room import messages

from .factories import gen_room, gen_user

CASES = list(itertools.product(("room", "staff"), ("visible", "held", "hidden", "redacted"), (False, True)))


@pytest.fixture
def scene(ctx):
    room = gen_room(participants=2)
    admin = gen_user("admin")
    author, other = room.participants
    session = db.session.get(DialogueSession, room.id)
    viewers = {
        "moderator": (room.moderator.user, room.moderator.membership, True),
        "admin": (admin, None, True),
        "author": (author.user, author.membership, False),
        "other participant": (other.user, other.membership, False),
        "observer": (room.observer.user, room.observer.membership, False),
    }
    return room, session, viewers


def _rooms_of(session_id, user, staff: bool) -> set[str]:
    """The rooms a viewer's socket is in after `join` (dialogue.audience.enter_session)."""
    side = audience.staff_room(session_id) if staff else audience.public_room(session_id)
    return {audience.session_room(session_id), audience.member_room(session_id, user.id), side}


@pytest.mark.parametrize("channel,status,published", CASES)
def test_message_events_reach_exactly_who_may_see_them(scene, monkeypatch, channel, status, published):
    room, session, viewers = scene
    author_person = room.participants[0] if channel == "room" else room.moderator
    message, _created = messages.send_message(author_person.user, room.id, uuid.uuid4().hex, "Words *here*",
                                              channel=channel)
    message = db.session.get(Message, message.id)
    message.status, message.published = status, published
    if status == "redacted":
        message.body_html = ""
    sent = []
    monkeypatch.setattr(emitter, "on_commit", lambda _s, event, payload, *rooms: sent.append((payload, set(rooms))))
    audience.message(session, message)
    for label, (user, membership, staff) in viewers.items():
        if channel == "staff" and label == "author":
            continue  # the staff channel's author is the moderator
        got = [payload for payload, rooms in sent if rooms & _rooms_of(room.id, user, staff)]
        assert len(got) == int(permissions.can_see_message(user, membership, message)), (label, got)
        for payload in got:
            text_shown = bool(payload["body_html"])
            # A public message held again (its edit waits for review) is withheld from all but staff.
            may_read = (status == "visible" or (status == "held" and (staff or not published))
                        or (status == "hidden" and staff))
            assert text_shown == (may_read and status != "redacted"), label
    db.session.rollback()


@pytest.mark.parametrize("channel,status,published", CASES)
def test_history_selects_what_the_rule_allows(scene, channel, status, published):
    room, session, viewers = scene
    author_person = room.participants[0] if channel == "room" else room.moderator
    message, _created = messages.send_message(author_person.user, room.id, uuid.uuid4().hex, "Words",
                                              channel=channel)
    db.session.execute(Message.__table__.update().where(Message.id == message.id)
                       .values(status=status, published=published))
    message = db.session.get(Message, message.id)
    db.session.refresh(message)
    for label, (user, membership, _staff) in viewers.items():
        selected = db.session.scalar(select(Message.id).where(
            Message.id == message.id, permissions.message_visibility_clause(user, membership))) is not None
        assert selected == permissions.can_see_message(user, membership, message), label
    db.session.rollback()
