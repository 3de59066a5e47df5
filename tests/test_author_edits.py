"""Authors editing and deleting their own messages, over real sockets: who receives what, the
edit window, re-screening, the record, and the refusals."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue import record
from dialogue.extensions import db
from dialogue.models import Message, MessageRevision, QueueItem, SessionEvent, WatchedWord
from dialogue.moderation import words as watched_words
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import build

from .factories import gen_room
from .helpers import joined, release_database, send, stored

pytestmark = pytest.mark.live


class Room:
    def __init__(self, clients):
        self.room = gen_room(participants=2)
        self.author, _ = joined(clients, self.room.participants[0], self.room.id)
        self.other, _ = joined(clients, self.room.participants[1], self.room.id)
        self.observer, _ = joined(clients, self.room.observer, self.room.id)
        self.moderator, _ = joined(clients, self.room.moderator, self.room.id)
        self.outsider = clients(self.room.outsider)

    @property
    def readers(self):
        return [self.author, self.other, self.observer, self.moderator]


def test_an_author_edits_a_message_and_everyone_sees_the_correction(ctx, clients):
    room = Room(clients)
    first = send(room.author, room.room.id, "My grandmother was born in Ganja in 1931.")["message"]
    answer = room.author.call("edit", {"message_id": first["id"], "body": "My grandmother was born in Ganja in 1932."})
    assert answer["ok"], answer
    edited = answer["message"]
    assert edited["edited_at"] and edited["seq"] > first["seq"] and edited["status"] == "visible"
    for client in room.readers:
        got = client.wait_for("message_updated", lambda m: m["id"] == first["id"])
        assert got["body_html"] == "<p>My grandmother was born in Ganja in 1932.</p>" and got["edited_at"]
    assert [e for e, _ in room.outsider.events if e.startswith("message")] == []
    # The earlier wording is kept for the staff and the change is chained; the record still verifies.
    assert stored(select(MessageRevision.body_source).where(MessageRevision.message_id == first["id"])) == [
        "My grandmother was born in Ganja in 1931."]
    kinds = stored(select(SessionEvent.kind).where(SessionEvent.session_id == room.room.id))
    assert "message_edited" in kinds
    session = room.room.session
    db.session.refresh(session)
    document = json.loads("".join(build.stream_json(session, version="staff")))
    assert record.verify(document)[0]


def test_edit_refusals(ctx, clients, app):
    room = Room(clients)
    mine = send(room.author, room.room.id, "Mine")["message"]
    theirs = send(room.other, room.room.id, "Theirs")["message"]
    cases = [
        (room.author, {"message_id": theirs["id"], "body": "Hijacked"}, "forbidden"),
        (room.moderator, {"message_id": mine["id"], "body": "Moderated"}, "forbidden"),
        (room.author, {"message_id": mine["id"], "body": "  "}, "empty"),
        (room.author, {"message_id": mine["id"], "body": "x" * 4001}, "too_long"),
        (room.author, {"message_id": 10**12, "body": "Nothing"}, "not_found"),
        (room.author, {"message_id": [1], "body": "Nothing"}, "invalid"),
        (room.outsider, {"message_id": mine["id"], "body": "Outside"}, "forbidden"),
        (room.author, {"message_id": mine["id"], "body": 12}, "invalid"),
    ]
    for client, payload, code in cases:
        answer = client.call("edit", payload)
        assert answer["ok"] is False and answer["error"]["code"] == code, (payload, answer)
    # After the window: conflict, naming when it ended.
    row = db.session.get(Message, mine["id"])
    row.created_at = row.created_at - timedelta(minutes=app.config["DIALOGUE_EDIT_MINUTES"] + 1)
    db.session.commit()
    late = room.author.call("edit", {"message_id": mine["id"], "body": "Too late"})
    assert late["error"]["code"] == "conflict" and late["error"]["until"]
    # Unchanged everywhere.
    assert stored(select(Message.body_source).where(Message.id == mine["id"])) == ["Mine"]


def test_an_edit_is_screened_like_a_new_message(ctx, clients):
    room = Room(clients)
    watched_words.add_word(None, "zebra-edit-block", "block", language="en")
    watched_words.add_word(None, "zebra-edit-hold", "hold", language="en")
    release_database()
    try:
        message = send(room.author, room.room.id, "A first wording")["message"]
        blocked = room.author.call("edit", {"message_id": message["id"], "body": "zebra-edit-block now"})
        assert blocked["error"]["code"] == "blocked"
        held = room.author.call("edit", {"message_id": message["id"], "body": "Call me: +374 91 234567"})
        # Everyone but the staff (its author too, who is told it waits for review) sees it withheld
        # until a moderator decides; staff read the new wording to review it.
        assert held["ok"] and held["message"]["status"] == "hidden" and held["message"]["body_html"] == ""
        assert room.author.wait_for("notice", lambda n: n["kind"] == "held")["message_id"] == message["id"]
        for client in (room.other, room.observer, room.author):
            got = client.wait_for("message_updated", lambda m: m["id"] == message["id"])
            assert got["status"] == "hidden" and got["body_html"] == ""
        staff = room.moderator.wait_for("message_updated", lambda m: m["id"] == message["id"])
        assert staff["status"] == "held" and "234567" in staff["body_html"]
        item = room.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == message["id"])
        assert {"kind": "identifying_info", "found": ["phone"]} in item["reasons"]
        assert room.moderator.call("decide", {"item_id": item["id"], "action": "approve"})["ok"]
        approved = room.other.wait_for("message_updated", lambda m: m["id"] == message["id"] and m["status"] == "visible")
        assert "234567" in approved["body_html"]
    finally:
        for term in ("zebra-edit-block", "zebra-edit-hold"):
            watched_words.remove_word(None, db.session.scalar(select(WatchedWord.id).where(WatchedWord.term == term)))
        release_database()


def test_an_author_deletes_a_message_at_any_time(ctx, clients):
    room = Room(clients)
    message = send(room.author, room.room.id, "Something I regret writing, with my street name")["message"]
    assert room.other.call("flag", {"message_id": message["id"], "reason": "identifying_info",
                                    "note": "street name"})["ok"]
    refused = room.other.call("delete", {"message_id": message["id"]})
    assert refused["error"]["code"] == "forbidden"
    answer = room.author.call("delete", {"message_id": message["id"]})
    assert answer["ok"] and answer["message"]["status"] == "deleted" and answer["message"]["body_html"] == ""
    for client in room.readers:
        got = client.wait_for("message_updated", lambda m: m["id"] == message["id"] and m["status"] == "deleted")
        assert got["body_html"] == ""
    row = stored(select(Message).where(Message.id == message["id"]))[0]
    assert row.body_source == "" and row.body_html == "" and len(row.content_hash) == 64
    # The review has nothing left to decide, and the flag's note (which may quote it) is gone.
    item = stored(select(QueueItem).where(QueueItem.message_id == message["id"]))[0]
    assert item.status == "withdrawn"
    assert room.author.call("delete", {"message_id": message["id"]})["error"]["code"] == "conflict"
    assert room.author.call("edit", {"message_id": message["id"], "body": "Back"})["error"]["code"] == "conflict"
    history = {m["id"]: m for m in room.other.call("history", {"session_id": room.room.id})["messages"]}
    assert history[message["id"]]["status"] == "deleted"
    # Even after the session ended.
    later = send(room.author, room.room.id, "Another")["message"]
    dialogues.change_state(room.room.facilitator.user, room.room.id, "end")
    release_database()
    assert room.author.call("delete", {"message_id": later["id"]})["ok"]
