"""The live room over real sockets: a `dialogue serve` process and python-socketio clients."""

from __future__ import annotations

import threading

import pytest
import socketio
from sqlalchemy import select

from dialogue.auth import accounts
from dialogue.extensions import db
from dialogue.models import Message
from dialogue.moderation.sanctions import sanction
from dialogue.sessions import actions as dialogues

from .factories import gen_room
from .helpers import RecordingClient, joined, send, stored, stored_count, wait_until

pytestmark = pytest.mark.live


def test_send_reaches_exactly_the_members_who_joined(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    f, _ = joined(clients, room.facilitator, room.id)
    o, _ = joined(clients, room.observer, room.id)
    # Members who are connected but did not join, and non-members, get nothing.
    idle = clients(room.moderator)
    outsider = clients(room.outsider)

    answer = send(a, room.id, "Hello from *Yerevan*")
    assert answer["ok"], answer
    message = answer["message"]
    assert message["body_html"] == "<p>Hello from <em>Yerevan</em></p>"
    assert message["author"] == {"id": alice.member_id, "name": alice.name, "side": "Armenia", "role": "participant"}
    assert message["status"] == "visible" and message["seq"] >= 1
    for client in (a, b, f, o):
        got = client.wait_for("message", lambda m: m["id"] == message["id"])
        assert got == message
    # Reach the others with a second event so that absence of the first is meaningful.
    b.call("leave", {"session_id": room.id})
    for client in (idle, outsider):
        assert client.call("join", {"session_id": "nope"})["error"]["code"] in ("not_found",)
        assert client.of("message") == []
    assert len(a.of("message")) == 1 and len(f.of("message")) == 1


def test_message_record_contains_no_real_identity(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    b, _ = joined(clients, bora, room.id)
    a, join = joined(clients, alice, room.id)
    send(a, room.id, "Is anyone there?")
    b.wait_for("message")
    b.wait_for("presence", lambda p: len(p["online"]) == 2)
    text = repr(b.events) + repr(join)
    for person in (alice, bora, room.facilitator):
        assert person.user.email not in text
        assert person.user.real_name not in text


def test_presence_lists_each_online_member_once(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a1, _ = joined(clients, alice, room.id)
    a2, _ = joined(clients, alice, room.id)  # a second tab
    b, _ = joined(clients, bora, room.id)
    online = b.wait_for("presence", lambda p: len(p["online"]) == 2)["online"]
    assert sorted(m["id"] for m in online) == sorted([alice.member_id, bora.member_id])
    a1.close()
    a2.call("leave", {"session_id": room.id})
    b.wait_for("presence", lambda p: [m["id"] for m in p["online"]] == [bora.member_id])


def test_six_clients_sending_concurrently_get_identical_gap_free_histories(ctx, clients):
    room = gen_room(participants=6)
    session_id = room.id
    sockets = [joined(clients, person, session_id)[0] for person in room.participants]
    per_client = 15
    errors: list = []

    def burst(client: RecordingClient):
        try:
            for i in range(per_client):
                answer = send(client, session_id, f"message {i}")
                assert answer["ok"], answer
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=burst, args=(c,)) for c in sockets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    total = per_client * len(sockets)
    for client in sockets:
        wait_until(lambda c=client: len(c.of("message")) == total, timeout=30,
                   message="every client receives every message")
    streams = [[m["seq"] for m in client.of("message")] for client in sockets]
    first = streams[0]
    assert first == sorted(first), "live events arrive in seq order"
    assert first == list(range(first[0], first[0] + total)), "seq is gap-free"
    for stream in streams[1:]:
        assert stream == first, "every client sees the same order"
    history = sockets[0].call("history", {"session_id": session_id, "since_seq": 0})
    assert [m["seq"] for m in history["messages"]] == first
    assert history["last_seq"] == first[-1]
    assert stored(select(Message.seq).where(Message.session_id == session_id).order_by(Message.seq)) == first


def test_reconnect_with_since_seq_gets_exactly_what_was_missed(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    seen = [send(a, room.id, f"before {i}")["message"] for i in range(3)]
    b.wait_for("message", lambda m: m["id"] == seen[-1]["id"])
    last_seen = max(m["seq"] for m in b.of("message"))
    b.close()
    missed = [send(a, room.id, f"while away {i}")["message"] for i in range(4)]
    b2, answer = joined(clients, bora, room.id, since_seq=last_seen)
    assert [m["id"] for m in answer["messages"]] == [m["id"] for m in missed]
    assert answer["last_seq"] == missed[-1]["seq"] and answer["more"] is False
    after = send(a, room.id, "after return")["message"]
    b2.wait_for("message", lambda m: m["id"] == after["id"])
    assert [m["id"] for m in b2.of("message")] == [after["id"]]


def test_resent_client_id_produces_no_duplicate(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    first = send(a, room.id, "only once", client_id="resend-1")
    again = send(a, room.id, "only once (retry)", client_id="resend-1")
    assert first["ok"] and again["ok"]
    assert again["message"] == first["message"]
    marker = send(a, room.id, "marker")["message"]
    b.wait_for("message", lambda m: m["id"] == marker["id"])
    assert [m["id"] for m in b.of("message")] == [first["message"]["id"], marker["id"]]
    # The same client_id from another author is another message.
    other = send(b, room.id, "mine", client_id="resend-1")
    assert other["ok"] and other["message"]["id"] != first["message"]["id"]
    assert stored_count(Message, Message.session_id == room.id, Message.client_id == "resend-1") == 2


def test_non_member_is_forbidden_and_unknown_session_not_found(ctx, clients):
    room = gen_room(participants=1)
    outsider = clients(room.outsider)
    assert outsider.call("join", {"session_id": room.id})["error"]["code"] == "forbidden"
    assert outsider.call("history", {"session_id": room.id})["error"]["code"] == "forbidden"
    assert send(outsider, room.id, "let me in")["error"]["code"] == "forbidden"
    assert outsider.call("join", {"session_id": "does-not-exist"})["error"]["code"] == "not_found"


def test_observer_cannotsend(ctx, clients):
    room = gen_room(participants=1)
    observer, _ = joined(clients, room.observer, room.id)
    assert send(observer, room.id, "hello")["error"]["code"] == "forbidden"


@pytest.mark.parametrize("token", [None, "", "dlg_not-a-real-token", "garbage", 12345])
def test_unauthenticated_connection_is_refused(live_server, token):
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, auth=None if token is None else {"token": token},
                       transports=["websocket"], wait_timeout=5)
    assert [e["data"] for e in errors] == [{"code": "unauthorized"}]


def test_revoked_token_is_refused_and_its_live_socket_dropped(ctx, live_server, clients):
    room = gen_room(participants=1)
    alice = room.participants[0]
    a, _ = joined(clients, alice, room.id)
    token_id = accounts.resolve_token(alice.token).id
    db.session.commit()
    accounts.revoke_api_token(alice.user, token_id)
    a.disconnected.wait(10)
    assert a.disconnected.is_set()
    assert a.of("removed") == [{"session_id": None, "reason": "token_revoked"}]
    client = socketio.Client(reconnection=False)
    errors = []
    client.on("connect_error", lambda data: errors.append(data))
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, auth={"token": alice.token}, transports=["websocket"], wait_timeout=5)
    assert [e["data"] for e in errors] == [{"code": "unauthorized"}]


def test_deactivated_users_live_socket_is_dropped(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    accounts.deactivate_user(alice.user)
    a.disconnected.wait(10)
    assert a.disconnected.is_set()
    assert a.of("removed") == [{"session_id": None, "reason": "account_deactivated"}]
    # Bora stays, and sees Alice leave.
    b.wait_for("presence", lambda p: [m["id"] for m in p["online"]] == [bora.member_id])
    assert b.sio.connected and b.of("removed") == []


def test_revoked_membership_drops_the_socket_and_refuses_rejoin(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    sanction(room.facilitator.user, room.id, alice.member_id, "remove", reason="left the ground rules")
    a.disconnected.wait(10)
    assert a.of("removed") == [{"session_id": room.id, "reason": "removed"}]
    assert b.of("removed") == []
    again = clients(alice)
    assert again.call("join", {"session_id": room.id})["error"]["code"] == "forbidden"


def test_session_state_changes_reach_the_room_and_gate_sending(ctx, clients):
    room = gen_room(participants=1, state="draft")
    alice = room.participants[0]
    a, answer = joined(clients, alice, room.id)
    assert answer["session"]["state"] == "draft"
    assert send(a, room.id, "too early")["error"]["code"] == "session_not_live"
    dialogues.change_state(room.facilitator.user, room.id, "start")
    assert a.wait_for("session")["state"] == "live"
    assert send(a, room.id, "now")["ok"]
    dialogues.change_state(room.facilitator.user, room.id, "end")
    a.wait_for("session", lambda s: s["state"] == "ended")
    assert send(a, room.id, "too late")["error"]["code"] == "session_not_live"


def test_long_polling_transport_works(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a = clients(alice, transports=["polling"])
    assert a.call("join", {"session_id": room.id})["ok"]
    b, _ = joined(clients, bora, room.id)
    sent = send(b, room.id, "over websocket")["message"]
    assert a.wait_for("message", lambda m: m["id"] == sent["id"])["body_html"] == "<p>over websocket</p>"


def test_foreign_origin_is_refused(live_server, ctx):
    room = gen_room(participants=1)
    client = socketio.Client(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        client.connect(live_server.url, auth={"token": room.participants[0].token},
                       headers={"Origin": "https://evil.example"}, transports=["polling"], wait_timeout=5)


@pytest.mark.parametrize("payload,code", [
    (None, "invalid"),
    ("a string", "invalid"),
    ([1, 2], "invalid"),
    ({"session_id": 5}, "invalid"),
    ({"session_id": "x" * 65}, "invalid"),
    ({"session_id": "SESSION", "client_id": "", "body": "hi"}, "invalid"),
    ({"session_id": "SESSION", "client_id": "x" * 65, "body": "hi"}, "invalid"),
    ({"session_id": "SESSION", "client_id": "c1", "body": 42}, "invalid"),
    ({"session_id": "SESSION", "client_id": "c1"}, "invalid"),
    ({"session_id": "SESSION", "client_id": "c2", "body": "   \n\t "}, "empty"),
    ({"session_id": "SESSION", "client_id": "c3", "body": "x" * 4001}, "too_long"),
    ({"session_id": "SESSION", "client_id": "c4", "body": "x" * 20000}, "too_long"),
    ({"session_id": "SESSION", "client_id": "c5", "body": "hi", "reply_to": 10**9}, "not_found"),
    ({"session_id": "SESSION", "client_id": "c6", "body": "hi", "reply_to": {"id": 1}}, "invalid"),
    ({"session_id": "unknown-session", "client_id": "c7", "body": "hi"}, "not_found"),
    ({"session_id": "SESSION", "client_id": "c8", "body": "hi", "reply_to": 2**70}, "invalid"),
    ({"session_id": "SESSION", "client_id": "c9", "body": "hi", "reply_to": "9" * 30}, "not_found"),
    ({"session_id": "SESSION", "client_id": "c10", "body": "nul \x00 inside"}, "invalid"),
    ({"session_id": "SESSION\x00", "client_id": "c12", "body": "hi"}, "invalid"),
    ({"session_id": "SESSION", "client_id": "c13", "body": "hi", "extra": [[[[[[[[[[1]]]]]]]]]]}, "invalid"),
])
def test_malformed_send_is_refused_and_changes_nothing(ctx, clients, payload, code):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    if isinstance(payload, dict) and str(payload.get("session_id", "")).startswith("SESSION"):
        payload = {**payload, "session_id": payload["session_id"].replace("SESSION", room.id)}
    answer = a.call("send", payload) if payload is not None else a.call("send")
    assert answer["ok"] is False and answer["error"]["code"] == code, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]
    # Nothing stored, nobody disconnected, and the room still works.
    assert stored_count(Message, Message.session_id == room.id) == 0
    ok = send(a, room.id, "still fine")
    assert ok["ok"] and ok["message"]["seq"] == 1
    b.wait_for("message", lambda m: m["id"] == ok["message"]["id"])


def test_unknown_event_and_huge_payload_are_answered_not_fatal(ctx, clients):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, _ = joined(clients, alice, room.id)
    b, _ = joined(clients, bora, room.id)
    assert a.call("launch_rockets", {"x": 1})["error"]["code"] == "invalid"
    huge = {"session_id": room.id, "client_id": "big", "body": "x" * 3000, "padding": "y" * 50_000}
    assert a.call("send", huge)["error"]["code"] == "too_long"
    assert a.sio.connected and b.sio.connected
    assert send(a, room.id, "after all that")["ok"]


@pytest.fixture(scope="module")
def server_without_queue(database_url, tmp_path_factory):
    """A second server with no message queue: only its sweep can learn of outside changes."""
    from .conftest import start_server, stop_server

    server = start_server(database_url, tmp_path_factory.mktemp("lone") / "server.log",
                          DIALOGUE_REDIS_URL="", DIALOGUE_SWEEP_SECONDS="0.5")
    yield server
    stop_server(server)


def test_sweep_drops_sockets_changed_by_another_process(ctx, server_without_queue):
    room = gen_room(participants=3)
    alice, bora, chris = room.participants
    made = [RecordingClient(server_without_queue.url, p.token).connect() for p in (alice, bora, chris)]
    try:
        a, b, c = made
        for client in made:
            assert client.call("join", {"session_id": room.id})["ok"]
        accounts.deactivate_user(alice.user)
        sanction(room.facilitator.user, room.id, bora.member_id, "remove", reason='removed')
        a.disconnected.wait(10)
        b.disconnected.wait(10)
        assert a.of("removed") == [{"session_id": None, "reason": "account_deactivated"}]
        assert b.of("removed") == [{"session_id": room.id, "reason": "removed"}]
        assert c.sio.connected and c.of("removed") == []
    finally:
        for client in made:
            client.close()
