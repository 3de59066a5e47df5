"""The permission matrix of the real-time protocol: every client-to-server event × every kind
of actor, in a live session, answered as allowed or with the exact refusal code. An event
without a row fails the test, so nothing new ships unchecked.

Handlers run through Flask-SocketIO's test client (the same handlers as the live server)."""

from __future__ import annotations

import uuid

import pytest

from dialogue.extensions import db, socketio
from dialogue.models import DialogueSession, User
from dialogue.moderation import decisions
from dialogue.moderation import queue as review_queue
from dialogue.moderation.sanctions import sanction
from dialogue.room import messages, translations

from .conftest import queueless
from .factories import gen_member, gen_room, gen_token, gen_user

ACTORS = ("outsider", "other_session", "removed", "observer", "interpreter", "participant", "moderator", "facilitator",
          "admin")
OK = "ok"

# event -> expected answer for each actor, in the order of ACTORS.
MATRIX = {
    "join": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, OK),
    "history": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, OK),
    "leave": (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    "send": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK, "forbidden"),
    "flag": ("not_found", "not_found", "not_found", "forbidden", OK, OK, OK, OK, "not_found"),
    "queue": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "claim": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "release": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "decide": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "sanction": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "session_settings": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK),
    "session_control": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK),
    "hand": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, "invalid", "invalid", "forbidden"),
    "floor": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK),
    "consent": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, "forbidden"),
    "presence_settings": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, "forbidden"),
    "balance": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "translate": ("forbidden", "forbidden", "forbidden", "forbidden", OK, "forbidden", OK, OK, "forbidden"),
    "translation_edit": ("forbidden", "forbidden", "forbidden", "forbidden", OK, "forbidden", "forbidden", "forbidden",
                         "forbidden"),
    "untranslated": ("forbidden", "forbidden", "forbidden", "forbidden", OK, "forbidden", OK, OK, "forbidden"),
    "preferences": (OK, OK, OK, OK, OK, OK, OK, OK, OK),
    "glossary": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, OK),
    # On one's own message where one has one (participant, moderator, facilitator), else on another's.
    "edit": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK, "forbidden"),
    "delete": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK, "forbidden"),
    "search": ("forbidden", "forbidden", "forbidden", OK, OK, OK, OK, OK, OK),
    "moderate": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    "undo": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK),
    # Saying one is writing needs what sending needs.
    "typing": ("forbidden", "forbidden", "forbidden", "forbidden", "forbidden", OK, OK, OK, "forbidden"),
}
# Events the server handles that are not requests of a client.
NOT_REQUESTS = {"connect", "disconnect", "*"}


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue, which Flask-SocketIO's test client cannot work with."""
    with queueless(app) as other:
        yield other


@pytest.fixture(scope="module")
def scene(app):
    """One live session with every kind of actor, and a second session for its member."""
    with app.app_context():
        room = gen_room(participants=3)
        author, removed_person, _third = room.participants
        other_room_member = gen_user("participant")
        other = gen_room(participants=0)
        gen_member(other.session, "participant", side="a", user=other_room_member)
        admin = gen_user("admin")
        interpreter, _membership = gen_member(room.session, "interpreter", side=None)
        sanction(room.facilitator.user, room.id, removed_person.member_id, "remove", reason="Left for good")
        users = {"outsider": room.outsider.user, "other_session": other_room_member, "removed": removed_person.user,
                 "observer": room.observer.user, "interpreter": interpreter, "participant": room.participants[2].user,
                 "moderator": room.moderator.user, "facilitator": room.facilitator.user, "admin": admin}
        tokens = {actor: gen_token(user) for actor, user in users.items()}
        facts = {"room_id": room.id, "author_id": author.user.id,
                 "user_ids": {actor: user.id for actor, user in users.items()}, "interpreter_id": interpreter.id, "member_ids": {"author": author.member_id},
                 "tokens": tokens}
        db.session.commit()
        db.session.remove()  # every case runs in an app context (and a transaction) of its own
    return facts


def test_every_request_event_has_a_row():
    registered = {name for name, _handler, _namespace in socketio.handlers} - NOT_REQUESTS
    assert registered == set(MATRIX), "add the new event to the permission matrix"


def test_a_connection_without_credentials_is_refused(app):
    assert not socketio.test_client(app).is_connected()
    assert not socketio.test_client(app, auth={"token": "dlg_not-a-token"}).is_connected()


def _payload(event: str, scene: dict, actor: str = "") -> dict:
    """A well-formed request of `event`, on fresh data where it changes something."""
    room_id, author_member = scene["room_id"], scene["member_ids"]["author"]
    if event in ("edit", "delete"):
        writer = scene["user_ids"][actor] if actor in ("participant", "moderator", "facilitator") else scene["author_id"]
        message, _created = messages.send_message(db.session.get(User, writer), room_id, uuid.uuid4().hex, "Typo hier")
        return {"message_id": message.id, **({"body": "Typo here"} if event == "edit" else {})}
    if event in ("flag", "claim", "release", "decide"):
        author = db.session.get(User, scene["author_id"])
        message, _created = messages.send_message(author, room_id, uuid.uuid4().hex, "A message to act on")
        if event == "flag":
            return {"message_id": message.id, "reason": "off_topic"}
        item = review_queue.enqueue(db.session.get(DialogueSession, room_id), message, [{"kind": "premoderation"}], None)
        db.session.commit()
        if event == "decide":
            return {"item_id": item.id, "action": "approve"}
        return {"item_id": item.id}
    if event == "undo":
        author = db.session.get(User, scene["author_id"])
        message, _created = messages.send_message(author, room_id, uuid.uuid4().hex, "Approved, then taken back")
        item = review_queue.enqueue(db.session.get(DialogueSession, room_id), message, [{"kind": "premoderation"}], None)
        db.session.commit()
        decisions.decide(db.session.get(User, scene["user_ids"]["moderator"]), item.id, "approve")
        return {"item_id": item.id}
    if event == "moderate":
        author = db.session.get(User, scene["author_id"])
        message, _created = messages.send_message(author, room_id, uuid.uuid4().hex, "Hide me")
        return {"message_id": message.id, "action": "hide", "reason": "Off topic"}
    if event in ("translate", "translation_edit"):
        author = db.session.get(User, scene["author_id"])
        message, _created = messages.send_message(author, room_id, uuid.uuid4().hex, "A message to translate", lang="en")
        if event == "translate":
            return {"session_id": room_id, "message_id": message.id, "lang": "ru", "body": "Сообщение",
                    "client_id": uuid.uuid4().hex}
        interpreter = db.session.get(User, scene["interpreter_id"])
        translation, _created, _warnings = translations.translate(interpreter, room_id, message.id, "hy", "Հաղորդագրություն",
                                                                  uuid.uuid4().hex)
        return {"message_id": translation.id, "body": "Հաղորդագրությունը"}
    return {
        "join": {"session_id": room_id},
        "history": {"session_id": room_id, "since_seq": 0},
        "leave": {"session_id": room_id},
        "send": {"session_id": room_id, "client_id": uuid.uuid4().hex, "body": "Hello"},
        "queue": {"session_id": room_id},
        "sanction": {"session_id": room_id, "member_id": author_member, "action": "warn", "reason": "Mind the rules"},
        "session_settings": {"session_id": room_id, "flag_threshold": 3},
        "session_control": {"session_id": room_id, "action": "unlock"},
        "hand": {"session_id": room_id, "raised": True},
        "floor": {"session_id": room_id, "member_id": None},
        "consent": {"session_id": room_id, "naming": "pseudonym", "include": True},
        "presence_settings": {"session_id": room_id, "hidden": False},
        "balance": {"session_id": room_id},
        "untranslated": {"session_id": room_id, "lang": "az"},
        "preferences": {"translation_view": "all"},
        "search": {"session_id": room_id, "q": "hello"},
        "glossary": {"session_id": room_id},
        "typing": {"session_id": room_id, "typing": True},
    }[event]


@pytest.mark.parametrize("event", sorted(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_permission_matrix(app, scene, event, actor):
    expected = MATRIX[event][ACTORS.index(actor)]
    with app.app_context():
        client = socketio.test_client(app, auth={"token": scene["tokens"][actor]})
        assert client.is_connected()
        try:
            answer = client.emit(event, _payload(event, scene, actor), callback=True)
        finally:
            client.disconnect()
            db.session.remove()
    got = OK if answer.get("ok") else answer["error"]["code"]
    assert got == expected, (event, actor, answer)
    if event in ("join", "history") and got == OK and actor not in ("moderator", "facilitator", "admin"):
        # What a member reads carries nothing of the staff's: no staff channel, nobody else's
        # held message, no text of a hidden one.
        for message in answer["messages"]:
            assert message["channel"] == "room" and message["status"] != "held", (actor, message)
            assert message["status"] == "visible" or message["body_html"] == "", (actor, message)
