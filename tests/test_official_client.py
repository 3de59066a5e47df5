"""The protocol's entry points as an outside client sees them: the official socket.io-client 4.x
against `dialogue serve`, `dialogue demo --json`, /healthz and /login."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import requests

from .conftest import TEST_SECRET, _dialogue_executable
from .factories import gen_room

pytestmark = pytest.mark.live
JS = Path(__file__).parent / "js"


@pytest.fixture(scope="module")
def node():
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "socket.io-client").exists():
        pytest.fail("node and tests/js/node_modules are needed: run `make test`")
    return node


def test_official_socketio_client(ctx, live_server, node):
    room = gen_room(participants=2)
    alice = room.participants[0]
    out = subprocess.run([node, str(JS / "official_client.mjs"), live_server.url, alice.token, room.id],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["refused"]["data"] == {"code": "unauthorized"}
    assert result["anonymous"]["data"] == {"code": "unauthorized"}
    join = result["join"]
    assert join["ok"] is True and join["session"]["session_id"] == room.id and join["session"]["state"] == "live"
    me = join["me"]
    assert {k: me[k] for k in ("id", "name", "side", "role", "muted_until")} == {
        "id": alice.member_id, "name": alice.name, "side": "Armenia", "role": "participant", "muted_until": None}
    assert me["consent"]["naming"] == "pseudonym" and me["consent"]["include"] is True
    assert join["messages"] == [] and join["more"] is False and isinstance(join["last_seq"], int)
    message = result["send"]["message"]
    assert result["send"]["ok"] is True
    assert set(message) >= {"id", "session_id", "seq", "client_id", "reply_to", "author", "body_html",
                             "status", "created_at"}
    assert message["channel"] == "room" and message["phase"] is None
    assert message["body_html"] == "<p>Hello from <strong>socket.io-client</strong></p>"
    assert message["client_id"] == "official-1" and message["reply_to"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", message["created_at"])
    assert result["resend"] == result["send"]
    assert result["empty"]["ok"] is False and result["empty"]["error"]["code"] == "empty"
    assert result["live"] == [message]
    assert result["history"]["messages"] == [message] and result["history"]["last_seq"] == message["seq"]
    assert result["leave"] == {"ok": True}


def test_demo_json_gives_working_logins_and_tokens(live_server, database_url):
    env = dict(os.environ, DIALOGUE_DATABASE_URL=database_url, DIALOGUE_SECRET_KEY=TEST_SECRET)
    env.pop("DIALOGUE_REDIS_URL", None)
    out = subprocess.run([_dialogue_executable(), "demo", "--json", "--participants", "4",
                          "--base-url", live_server.url], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    demo = json.loads(out.stdout)
    assert set(demo) == {"session_id", "url", "facilitator", "moderator", "interpreter", "participants"}
    assert demo["url"] == f"{live_server.url}/s/{demo['session_id']}"
    people = [demo["facilitator"], demo["moderator"], demo["interpreter"], *demo["participants"]]
    for person in people:
        assert set(person) == {"id", "member_id", "name", "email", "password", "token", "side", "role"}
        assert isinstance(person["id"], int) and isinstance(person["member_id"], str)
    assert [p["role"] for p in people] == ["facilitator", "moderator", "interpreter"] + ["participant"] * 4
    assert sorted(p["side"] for p in demo["participants"]) == ["Armenia", "Armenia", "Azerbaijan", "Azerbaijan"]

    # Every login works on /login, and the room page opens for it.
    for person in people:
        web = requests.Session()
        page = web.get(f"{live_server.url}/login", timeout=10)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        response = web.post(f"{live_server.url}/login", data={"email": person["email"], "password": person["password"],
                                                              "csrf_token": csrf, "next": ""}, timeout=10)
        assert response.status_code == 200 and response.url.rstrip("/") == live_server.url, person["email"]
        assert web.get(demo["url"], timeout=10).status_code == 200

    # The session is live and the tokens authenticate real-time clients.
    from .helpers import RecordingClient

    client = RecordingClient(live_server.url, demo["participants"][0]["token"]).connect()
    try:
        joined = client.call("join", {"session_id": demo["session_id"]})
        assert joined["ok"] and joined["session"]["state"] == "live"
        assert joined["me"]["id"] == demo["participants"][0]["member_id"]
        sent = client.call("send", {"session_id": demo["session_id"], "client_id": "demo-1", "body": "Hello"})
        assert sent["ok"], sent
    finally:
        client.close()


def test_healthz_answers_once_serving(live_server):
    response = requests.get(live_server.url + "/healthz", timeout=5)
    assert response.status_code == 200 and response.json() == {"ok": True}


def test_member_id_events_with_the_official_client(ctx, live_server, node):
    room = gen_room(participants=2)
    alice = room.participants[0]
    out = subprocess.run([node, str(JS / "official_floor.mjs"), live_server.url, room.facilitator.token,
                          alice.token, room.id], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    me = result["guestJoin"]["me"]["id"]
    assert me == alice.member_id and isinstance(me, str) and me != str(alice.id)
    assert result["queueMode"]["ok"] and result["early"]["error"]["code"] == "not_your_turn"
    assert result["hand"] == {"ok": True} and result["handsSeen"] == [me]
    assert result["give"] == {"ok": True} and result["floorSeen"]["member_id"] == me
    assert result["send"]["ok"] and result["send"]["message"]["author"]["id"] == me
    assert result["warn"]["ok"] and result["notice"]["reason"] == "Please stay on topic"
    assert result["byAccountId"]["error"]["code"] == "invalid", "members are named by member id, not account id"
    assert result["take"] == {"ok": True}
