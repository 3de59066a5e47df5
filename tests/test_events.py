"""Socket.IO handlers through Flask-SocketIO's test client: who receives each kind of event."""

from __future__ import annotations

import pytest

from dialogue.auth import accounts
from dialogue.extensions import socketio
from dialogue.moderation.sanctions import sanction
from dialogue.sessions import actions as dialogues

from .conftest import queueless
from .factories import gen_room


def _first(args):
    """The test client gives a lone dict argument as is, and several as a list."""
    if isinstance(args, list):
        return args[0] if args else None
    return args


class Socket:
    """One test-client socket, with its received events read as (name, data) pairs."""

    def __init__(self, app, token):
        self.client = socketio.test_client(app, auth={"token": token})
        assert self.client.is_connected()

    def call(self, event, payload):
        return self.client.emit(event, payload, callback=True)

    def received(self, name=None):
        if self.client.is_connected():
            packets = self.client.get_received()
        else:  # the test client only hands out what a dropped socket got through its queue
            packets, self.client.queue[:] = list(self.client.queue), []
        events = [(e["name"], _first(e["args"])) for e in packets]
        return [e for e in events if name is None or e[0] == name]


@pytest.fixture(scope="module")
def app(app):
    """The app without a message queue, which Flask-SocketIO's test client cannot work with."""
    with queueless(app) as other:
        yield other


@pytest.fixture
def room(ctx):
    return gen_room(participants=2)


def _join(app, person, room):
    socket = Socket(app, person.token)
    assert socket.call("join", {"session_id": room.id})["ok"]
    socket.received()  # forget what joining produced
    return socket


def test_refuses_connection_without_credentials(app, ctx):
    client = socketio.test_client(app)
    assert not client.is_connected()
    client = socketio.test_client(app, auth={"token": "dlg_nope"})
    assert not client.is_connected()


def test_message_goes_to_joined_members_only(app, room):
    alice, bora = room.participants
    a, b = _join(app, alice, room), _join(app, bora, room)
    f, o = _join(app, room.facilitator, room), _join(app, room.observer, room)
    idle = Socket(app, room.moderator.token)  # connected, never joined
    outsider = Socket(app, room.outsider.token)
    answer = a.call("send", {"session_id": room.id, "client_id": "m1", "body": "hi"})
    assert answer["ok"]
    for socket in (a, b, f, o):
        assert socket.received("message") == [("message", answer["message"])]
    assert idle.received() == [] and outsider.received() == []


def test_presence_goes_to_the_session_room_only(app, room):
    alice, bora = room.participants
    a = _join(app, alice, room)
    other_room = gen_room(participants=1)
    elsewhere = _join(app, other_room.participants[0], other_room)
    b = Socket(app, bora.token)
    assert b.call("join", {"session_id": room.id})["ok"]
    presence = a.received("presence")
    assert presence and sorted(m["id"] for m in presence[-1][1]["online"]) == sorted([alice.member_id, bora.member_id])
    assert elsewhere.received() == []


def test_session_state_goes_to_the_session_room_only(app, room):
    alice = room.participants[0]
    a = _join(app, alice, room)
    outsider = Socket(app, room.outsider.token)
    dialogues.change_state(room.facilitator.user, room.id, "end")
    assert [data["state"] for _name, data in a.received("session")] == ["ended"]
    assert outsider.received() == []


def test_removed_goes_only_to_the_removed_member(app, room):
    alice, bora = room.participants
    a, b = _join(app, alice, room), _join(app, bora, room)
    sanction(room.facilitator.user, room.id, alice.member_id, "remove", reason='removed')
    assert a.received("removed") == [("removed", {"session_id": room.id, "reason": "removed"})]
    assert not a.client.is_connected()
    assert b.received("removed") == [] and b.client.is_connected()


def test_logout_drops_only_that_login(app, ctx):
    room = gen_room(participants=1)
    alice = room.participants[0]
    http_a, http_b = app.test_client(), app.test_client()
    from .test_auth import sign_in

    sign_in(http_a, alice.user.email)
    sign_in(http_b, alice.user.email)
    phone = socketio.test_client(app, flask_test_client=http_a)
    laptop = socketio.test_client(app, flask_test_client=http_b)
    assert phone.is_connected() and laptop.is_connected()
    phone.get_received(), laptop.get_received()
    from .test_auth import post_form

    post_form(http_a, "/logout", {})
    assert not phone.is_connected()
    assert laptop.is_connected() and laptop.get_received() == []


def test_deactivation_drops_every_socket_of_the_account(app, room):
    alice = room.participants[0]
    first, second = _join(app, alice, room), Socket(app, alice.token)
    accounts.deactivate_user(alice.user)
    assert not first.client.is_connected() and not second.client.is_connected()


@pytest.mark.parametrize("event,payload,code", [
    ("join", {}, "invalid"),
    ("join", {"session_id": "x", "since_seq": -1}, "invalid"),
    ("join", {"session_id": "x", "since_seq": "3"}, "invalid"),
    ("join", {"session_id": "x", "since_seq": True}, "invalid"),
    ("join", {"session_id": "x", "since_seq": 2**64}, "invalid"),
    ("flag", {"message_id": 2**64, "reason": "spam"}, "invalid"),
    ("flag", {"message_id": "9" * 40, "reason": "spam"}, "not_found"),
    ("decide", {"item_ids": [1, 2**64], "action": "approve"}, "invalid"),
    ("send", {"session_id": "x", "client_id": "c\ud800", "body": "lone surrogate"}, "invalid"),
    ("history", {"session_id": ["a"]}, "invalid"),
    ("leave", {"session_id": None}, "invalid"),
    ("send", {"session_id": "no-such", "client_id": "c", "body": "x"}, "not_found"),
    ("no_such_event", {"a": 1}, "invalid"),
])
def test_malformed_events_are_answered(app, room, event, payload, code):
    socket = Socket(app, room.participants[0].token)
    answer = socket.call(event, payload)
    assert answer["ok"] is False and answer["error"]["code"] == code
    assert socket.client.is_connected()
