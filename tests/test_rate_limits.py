"""Rate limits with the platform's real defaults: per member and event, per socket, per
address; the answer is `rate_limited` with `retry_after`; a member who keeps hitting a limit
is shown to the session's staff. Also: packets that cannot be read are answered `invalid`."""

from __future__ import annotations

import difflib
import json
import re

import pytest
import websocket
from sqlalchemy import select

from dialogue import create_app, init_socketio
from dialogue.extensions import db
from dialogue.models import AuditEntry
from dialogue.ratelimit import DEFAULT_RULES

from .conftest import start_server, stop_server
from .factories import gen_room
from .test_events import Socket


@pytest.fixture(scope="module")
def app(app):
    """The suite's database, no message queue (for the test client), the default limits."""
    limited = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "INSTANCE_PATH": app.instance_path, "DIALOGUE_REDIS_URL": None,
                          "DIALOGUE_RATE_LIMITS": None})
    limited.test_client_class = app.test_client_class
    yield limited
    init_socketio(app)


@pytest.fixture
def room(ctx):
    ctx.extensions.pop("dialogue_limiter", None)  # every test starts with fresh counters
    return gen_room(participants=2)


def _joined(app, person, room):
    socket = Socket(app, person.token)
    assert socket.call("join", {"session_id": room.id})["ok"]
    socket.received()
    return socket


def test_a_burst_of_sends_is_limited_per_member_and_staff_are_told_once(app, room):
    author, other = room.participants
    sender, neighbour = _joined(app, author, room), _joined(app, other, room)
    staff = _joined(app, room.moderator, room)
    answers = [sender.call("send", {"session_id": room.id, "client_id": f"b{i}", "body": f"message {i}"})
               for i in range(60)]
    accepted = [a for a in answers if a["ok"]]
    refused = [a["error"] for a in answers if not a["ok"]]
    assert len(accepted) == 10  # 10 in 5 seconds
    assert {e["code"] for e in refused} == {"rate_limited"} and len(refused) == 50
    assert all(isinstance(e["retry_after"], int) and 1 <= e["retry_after"] <= 60 for e in refused)
    # Another member is not limited by the first one's burst.
    assert neighbour.call("send", {"session_id": room.id, "client_id": "n1", "body": "hello"})["ok"]
    # Staff hear once that this member keeps hitting the limit; members hear nothing of it.
    notices = staff.received("limit_notice")
    assert len(notices) == 1
    assert notices[0][1]["member"]["id"] == author.member_id and notices[0][1]["event"] == "send"
    assert set(notices[0][1]["member"]) == {"id", "name", "side", "role"}  # a member, no account
    assert neighbour.received("limit_notice") == [] and sender.received("limit_notice") == []
    # ...and find it in the review queue, and the audit log keeps it.
    queue = staff.call("queue", {"session_id": room.id})
    assert [n["member"]["id"] for n in queue["limited"][room.id]] == [author.member_id]
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.session_id == room.id, AuditEntry.action == "rate_limited")).all()
    assert [(e.target_id, e.details["event"]) for e in entries] == [(author.member_id, "send")]


def test_pipelined_history_requests_are_limited(app, room):
    reader = _joined(app, room.participants[0], room)
    answers = [reader.call("history", {"session_id": room.id, "since_seq": 0}) for _ in range(40)]
    assert sum(a["ok"] for a in answers) == 30  # 30 a minute
    assert all(a["error"]["code"] == "rate_limited" for a in answers if not a["ok"])


def test_any_event_is_limited_per_socket_even_unknown_ones(app, room):
    socket = Socket(app, room.participants[0].token)
    answers = [socket.call("no_such_event", {}) for _ in range(70)]
    codes = [a["error"]["code"] for a in answers]
    assert codes[:60] == ["invalid"] * 60 and set(codes[60:]) == {"rate_limited"}


def test_limits_are_configurable_and_mistakes_refused_at_start(app):
    with pytest.raises(ValueError):
        create_app({"DIALOGUE_RATE_LIMITS": "sned=5/minute", "INSTANCE_PATH": app.instance_path})
    with pytest.raises(ValueError):
        create_app({"DIALOGUE_RATE_LIMITS": "send=often", "INSTANCE_PATH": app.instance_path})
    from dialogue.ratelimit import parse_rules
    assert parse_rules("send=5/5second,30/minute")["send"] == "5/5second;30/minute"
    assert parse_rules(None) == DEFAULT_RULES
    init_socketio(app)


# --- over a real server ------------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_server(database_url, tmp_path_factory):
    """`dialogue serve` with the default limits but for a small handshake limit."""
    server = start_server(database_url, tmp_path_factory.mktemp("limits") / "server.log",
                          DIALOGUE_RATE_LIMITS="connect=6/minute")
    yield server
    stop_server(server)


def _ws(server, token):
    conn = websocket.create_connection(
        server.url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=5)
    assert conn.recv().startswith("0{")
    conn.send("40" + json.dumps({"token": token}))
    return conn, conn.recv()


def _ack(conn, ack_id: int) -> list:
    while True:
        frame = conn.recv()
        if frame == "2":  # Engine.IO ping
            conn.send("3")
        elif frame.startswith(f"43{ack_id}["):
            return json.loads(frame[len(f"43{ack_id}"):])


def test_unreadable_packets_are_answered_invalid_and_the_socket_goes_on(limited_server, ctx):
    room = gen_room(participants=1)
    conn, connected = _ws(limited_server, room.participants[0].token)
    try:
        assert connected.startswith("40{")
        conn.send('421["join",{"session_id": ')  # broken JSON
        assert _ack(conn, 1)[0]["error"]["code"] == "invalid"
        conn.send('422{"not": "an event"}')  # an object where the event name and arguments go
        assert _ack(conn, 2)[0]["error"]["code"] == "invalid"
        # A binary attachment inside a field.
        conn.send('451-3["send",{"session_id":"' + room.id
                  + '","client_id":"b1","body":{"_placeholder":true,"num":0}}]')
        conn.send_binary(b"\x00\x01binary")
        answer = _ack(conn, 3)[0]
        assert answer["error"]["code"] == "invalid"
        # A packet announcing attachments is answered at once: nothing waits for (or keeps)
        # binary messages that may never end.
        conn.send('45100-5["send",{"session_id":"' + room.id + '","body":{"_placeholder":true,"num":0}}]')
        assert _ack(conn, 5)[0]["error"]["code"] == "invalid"
        conn.send("426" + "[" * 60_000)  # nesting past the parser's recursion
        assert _ack(conn, 6)[0]["error"]["code"] == "invalid"
        # The socket still works.
        conn.send('424["join",{"session_id":"' + room.id + '"}]')
        assert _ack(conn, 4)[0]["ok"] is True
    finally:
        conn.close()
    log = limited_server.log.read_text()
    assert "Traceback" not in log


def test_handshakes_are_limited_per_address(limited_server, ctx):
    room = gen_room(participants=1)
    token = room.participants[0].token
    answers = []
    for _ in range(8):
        conn, answer = _ws(limited_server, token)
        answers.append(answer)
        conn.close()
    refused = [json.loads(a[2:]) for a in answers if a.startswith("44")]
    assert refused, answers
    assert all(r["data"]["code"] == "rate_limited" and r["data"]["retry_after"] >= 1 for r in refused)


# --- signing in and registering over HTTP -----------------------------------------------------


def _attempts(app, email: str, password: str, count: int, address: str = "198.51.100.7"):
    from .test_auth import post_form

    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    answers = []
    for _ in range(count):
        response = post_form(client, "/login", {"email": email, "password": password, "next": ""})
        # The page as a whole, but for its CSRF token and the e-mail address typed back.
        body = re.sub(r'value="[^"]*"', 'value=""', response.get_data(as_text=True)).replace(email, "")
        answers.append((response.status_code, response.headers.get("Retry-After"), body))
    return answers


def test_wrong_passwords_are_throttled_alike_for_known_and_unknown_accounts(app, room):
    from .factories import PASSWORD, gen_user

    user = gen_user()
    db.session.commit()
    known = _attempts(app, user.email, "not the password at all", 25)
    unknown = _attempts(app, "nobody-" + user.email, "not the password at all", 25, address="198.51.100.17")
    assert [status for status, *_ in known] == [400] * 3 + [429] * 22
    # The same answers, word for word, whether or not the account exists.
    for index, ((status, _r, page), (other_status, _o, other_page)) in enumerate(zip(known, unknown, strict=True)):
        assert status == other_status, index
        assert page == other_page, "\n".join(difflib.unified_diff(page.splitlines(), other_page.splitlines(), lineterm=""))
    assert all(int(retry) >= 1 for status, retry, _m in known if status == 429)
    # While throttled, even the right password is not checked from that address...
    assert _attempts(app, user.email, PASSWORD, 1)[0][0] == 429
    # ...but the owner signing in from elsewhere is not locked out by it.
    assert _attempts(app, user.email, PASSWORD, 1, address="203.0.113.9")[0][0] == 302


def test_registration_and_invitation_links_are_limited_per_address(app, room):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    statuses = [client.get("/invite/not-a-real-token").status_code for _ in range(302)]
    assert statuses[:300] == [404] * 300  # an unknown link: not found, as ever
    assert statuses[300:] == [429, 429]
    refused = client.get("/invite/not-a-real-token")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    statuses = [client.post("/register", data={}).status_code for _ in range(101)]
    assert statuses[-1] == 429 and 429 not in statuses[:100]


def test_wrong_two_factor_codes_are_throttled_too(app, room):
    from .factories import gen_user
    from .test_account_security import code_at, enrol
    from .test_auth import post_form, sign_in

    user = gen_user("moderator")
    db.session.commit()
    setup = app.test_client()
    sign_in(setup, user.email)
    secret = enrol(setup, user)
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "198.51.100.9"
    assert sign_in(browser, user.email).headers["Location"] == "/login/code"
    right = code_at(secret, 1)
    wrong = "000000" if right != "000000" else "111111"
    statuses = [post_form(browser, "/login/code", {"code": wrong}).status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    refused = post_form(browser, "/login/code", {"code": right})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1


def test_behind_a_proxy_the_limits_count_the_forwarded_address(app):
    proxied = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "INSTANCE_PATH": app.instance_path, "DIALOGUE_REDIS_URL": None,
                          "DIALOGUE_RATE_LIMITS": "invitation=2/minute", "DIALOGUE_PROXY_COUNT": 1})
    try:
        client = proxied.test_client()

        def opened(address: str) -> int:
            return client.get("/invite/not-a-token", headers={"X-Forwarded-For": address}).status_code

        assert [opened("192.0.2.1") for _ in range(3)][-1] == 429
        assert opened("192.0.2.2") != 429, "another client behind the same proxy is not limited"
    finally:
        init_socketio(app)


@pytest.mark.browser
@pytest.mark.live
def test_the_review_queue_page_shows_a_member_hitting_limits(browser, database_url, tmp_path, ctx):
    """In Chromium, against a server with the default limits: a member's burst of sends puts
    them in the queue page's panel live, under their session name."""
    from .helpers import RecordingClient
    from .test_browser import Visitor

    server = start_server(database_url, tmp_path / "server.log", DIALOGUE_RATE_LIMITS="")
    moderator = None
    try:
        room = gen_room(participants=1)
        author = room.participants[0]
        db.session.commit()
        moderator = Visitor(browser, server.url, "moderator")
        moderator.sign_in(room.moderator.user.email)
        moderator.visit(f"/moderation?session={room.id}")
        moderator.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
        assert moderator.page.locator("#queue-limits").is_hidden()
        writer = RecordingClient(server.url, author.token).connect()
        try:
            assert writer.call("join", {"session_id": room.id})["ok"]
            answers = [writer.call("send", {"session_id": room.id, "client_id": f"f{i}", "body": f"again {i}"})
                       for i in range(30)]
            assert any(not a["ok"] and a["error"]["code"] == "rate_limited" for a in answers)
        finally:
            writer.close()
        panel = moderator.page.locator("#queue-limits")
        panel.wait_for(state="visible", timeout=5_000)
        text = moderator.page.locator("#queue-limits-list").inner_text()
        assert author.name in text and "keeps sending messages" in text
        moderator.shot("queue-limits")
        assert [p for p in moderator.problems if "favicon" not in p] == []
    finally:
        if moderator is not None:
            moderator.close()
        stop_server(server)


def test_an_ipv6_block_counts_as_one_address():
    from dialogue.ratelimit import address_key

    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:192.0.2.1") == address_key("192.0.2.1") == "192.0.2.1"
    assert address_key(None) == ""


def test_without_a_proxy_setting_a_forwarded_address_is_not_believed(app, room):
    limited = create_app({"TESTING": True, "SECRET_KEY": app.config["SECRET_KEY"],
                          "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                          "INSTANCE_PATH": app.instance_path, "DIALOGUE_REDIS_URL": None,
                          "DIALOGUE_RATE_LIMITS": "invitation=2/minute"})
    try:
        client = limited.test_client()
        statuses = [client.get("/invite/not-a-token", headers={"X-Forwarded-For": f"192.0.2.{i}"}).status_code
                    for i in range(3)]
        assert statuses[-1] == 429, "each request claimed another address, but came from the same peer"
    finally:
        init_socketio(app)


def test_wrong_current_passwords_on_the_settings_page_are_throttled(app, room):
    from .factories import gen_user
    from .test_auth import post_form, sign_in

    user = gen_user()
    db.session.commit()
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = "198.51.100.21"
    sign_in(browser, user.email)
    statuses = [post_form(browser, "/settings/password", {"password-current_password": "not it at all",
                                                          "password-new_password": "a brand new passphrase"},
                          form_page="/settings").status_code for _ in range(5)]
    assert statuses == [400, 400, 400, 429, 429]
    # And the admin security filter takes any actor without a 500.
    assert browser.get("/admin/security?actor=99999999999999999999999").status_code in (403, 200)
