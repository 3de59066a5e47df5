"""@mentions reach only the member named, and searching finds what the caller may see,
as plain text, over real sockets."""

from __future__ import annotations

import pytest

from dialogue.moderation import settings as moderation_settings

from .factories import gen_room
from .helpers import joined, release_database, send

pytestmark = pytest.mark.live


def test_a_mention_notifies_only_its_target(ctx, clients):
    room = gen_room(participants=3)
    anahit, leyla, third = room.participants
    a, _ = joined(clients, anahit, room.id)
    b, _ = joined(clients, leyla, room.id)
    c, _ = joined(clients, third, room.id)
    moderator, _ = joined(clients, room.moderator, room.id)
    text = f"Thank you, @{leyla.name}, I would like to hear more. (@Nobody Here is not a member.)"
    message = send(a, room.id, text)["message"]
    got = b.wait_for("mention", lambda m: m["message_id"] == message["id"])
    assert got["by"]["id"] == anahit.member_id and got["session_id"] == room.id
    marker = send(a, room.id, "marker")["message"]
    for client in (a, c, moderator):
        client.wait_for("message", lambda m: m["id"] == marker["id"])
        assert client.of("mention") == [], "nobody else is told"
    # Mentioning oneself notifies nobody; a held message mentions nobody until approved.
    send(b, room.id, f"@{leyla.name} talking to myself")
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "pre"})
    release_database()
    held = send(a, room.id, f"@{third.name} a held hello")["message"]
    assert held["status"] == "held"
    marker = send(moderator, room.id, "marker two")["message"]
    for client in (b, c):
        client.wait_for("message", lambda m: m["id"] == marker["id"])
    assert [m["message_id"] for m in b.of("mention")] == [message["id"]]
    assert c.of("mention") == []
    # Once a moderator approves it, the member it names is told, and still nobody else.
    item = moderator.call("queue", {"session_id": room.id})["items"]
    item_id = next(i["id"] for i in item if i["message"]["id"] == held["id"])
    assert moderator.call("decide", {"item_id": item_id, "action": "approve"})["ok"]
    got = c.wait_for("mention", lambda m: m["message_id"] == held["id"])
    assert got["by"]["id"] == anahit.member_id
    marker = send(moderator, room.id, "marker three")["message"]
    for client in (a, b, moderator):
        client.wait_for("message", lambda m: m["id"] == marker["id"])
    assert [m["message_id"] for m in b.of("mention")] == [message["id"]]
    assert all(m["message_id"] != held["id"] for m in a.of("mention") + moderator.of("mention"))


def test_search_finds_what_the_caller_may_see_as_plain_text(ctx, clients):
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    a, _ = joined(clients, anahit, room.id)
    b, _ = joined(clients, leyla, room.id)
    outsider = clients(room.outsider)
    send(a, room.id, "Мы говорили о Карабахе и о памяти.")
    send(b, room.id, "100% agreed, and 50_50 is a fair split")
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "pre"})
    release_database()
    held = send(a, room.id, "A held remark about memory")["message"]
    found = b.call("search", {"session_id": room.id, "q": "КАРАБАХ"})
    assert [m["body_html"] for m in found["messages"]] == ["<p>Мы говорили о Карабахе и о памяти.</p>"]
    assert b.call("search", {"session_id": room.id, "q": "%"})["messages"][0]["body_html"].startswith("<p>100%")
    assert b.call("search", {"session_id": room.id, "q": "0_5"})["messages"][0]["body_html"].startswith("<p>100%")
    assert b.call("search", {"session_id": room.id, "q": "a.*x"})["messages"] == []
    # The author finds their own held message; the other participant does not.
    assert held["id"] in [m["id"] for m in a.call("search", {"session_id": room.id, "q": "held remark"})["messages"]]
    assert b.call("search", {"session_id": room.id, "q": "held remark"})["messages"] == []
    assert b.call("search", {"session_id": room.id, "q": "  "})["error"]["code"] == "empty"
    assert b.call("search", {"session_id": room.id, "q": "x" * 101})["error"]["code"] == "too_long"
    assert b.call("search", {"session_id": room.id, "q": 5})["error"]["code"] == "empty"
    assert outsider.call("search", {"session_id": room.id, "q": "memory"})["error"]["code"] == "forbidden"
