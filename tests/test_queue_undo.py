"""Undoing a decision from the queue's recently decided list: an approval or a rejection of
the last few minutes goes back, live for everyone who may see the message; a redaction, a
second undo and a late one are refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import AuditEntry, QueueItem, utcnow
from dialogue.moderation import settings as moderation_settings

from .factories import gen_room
from .helpers import release_database, send, stored
from .test_moderation import Everyone

pytestmark = pytest.mark.live


def test_an_approval_is_undone_and_the_message_goes_back_to_review(ctx, clients):
    room = gen_room(participants=2)
    people = Everyone(clients, room)
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "pre"})
    release_database()
    held = send(people.author, room.id, "Waiting for a decision")["message"]
    item = people.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    people.moderator.call("queue", {"session_id": room.id})
    approved = people.moderator.call("decide", {"item_id": item["id"], "action": "approve"})["item"]
    assert approved["status"] == "approved" and approved["decided_at"]
    people.other.wait_for("message", lambda m: m["id"] == held["id"] and m["status"] == "visible")
    recent = people.moderator.call("queue", {"session_id": room.id})
    assert [i["id"] for i in recent["recent"]] == [item["id"]] and recent["undo_minutes"] == 5
    answer = people.moderator.call("undo", {"item_id": item["id"]})
    assert answer["ok"] and answer["item"]["status"] == "pending" and answer["item"]["decided_by"] is None
    # The other participant and the observer see it go; the author is told it is in review again.
    for client in (people.other, people.observer):
        client.wait_for("message_updated", lambda m: m["id"] == held["id"] and m["status"] == "hidden")
    people.author.wait_for("notice", lambda n: n.get("kind") == "held" and n.get("message_id") == held["id"]
                           and n.get("reason") == "review")
    people.facilitator.wait_for("queue_item", lambda i: i["id"] == item["id"] and i["status"] == "pending")
    assert people.outsider.of("message_updated") == []
    status = stored(select(QueueItem.status).where(QueueItem.id == item["id"]))
    assert status == ["pending"]
    assert stored(select(AuditEntry.action).where(AuditEntry.session_id == room.id,
                                                  AuditEntry.action == "undo")) == ["undo"]
    # Undoing again is a conflict: there is no decision left to take back.
    assert people.moderator.call("undo", {"item_id": item["id"]})["error"]["code"] == "conflict"
    assert people.author.call("undo", {"item_id": item["id"]})["error"]["code"] == "forbidden"


def test_a_rejection_is_undone_and_a_visible_message_returns(ctx, clients):
    room = gen_room(participants=2)
    people = Everyone(clients, room)
    shown = send(people.author, room.id, "Visible before a moderator looked")["message"]
    people.other.wait_for("message", lambda m: m["id"] == shown["id"])
    moderated = people.moderator.call("moderate", {"message_id": shown["id"], "action": "hide", "reason": "Too sharp"})
    item_id = moderated["item"]["id"]
    people.other.wait_for("message_updated", lambda m: m["id"] == shown["id"] and m["status"] == "hidden")
    assert people.moderator.call("undo", {"item_id": item_id})["item"]["status"] == "pending"
    people.other.wait_for("message_updated", lambda m: m["id"] == shown["id"] and m["status"] == "visible")
    people.author.wait_for("notice", lambda n: n.get("kind") == "approved" and n.get("message_id") == shown["id"])


def test_a_redaction_and_a_late_undo_are_refused(ctx, clients):
    room = gen_room(participants=2)
    people = Everyone(clients, room)
    first = send(people.author, room.id, "Something identifying")["message"]
    second = send(people.author, room.id, "Something sharp")["message"]
    redacted = people.moderator.call("moderate", {"message_id": first["id"], "action": "redact",
                                                  "reason": "Identifies someone"})["item"]
    assert people.moderator.call("undo", {"item_id": redacted["id"]})["error"]["code"] == "conflict"
    hidden = people.moderator.call("moderate", {"message_id": second["id"], "action": "hide",
                                                "reason": "Too sharp"})["item"]
    release_database()
    item = db.session.get(QueueItem, hidden["id"])
    item.decided_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    release_database()
    refused = people.moderator.call("undo", {"item_id": hidden["id"]})
    assert refused["error"]["code"] == "conflict" and "5 minutes" in refused["error"]["message"]
    assert people.moderator.call("undo", {"item_id": 10**9})["error"]["code"] == "not_found"
    assert people.moderator.call("undo", {"item_id": "x"})["error"]["code"] == "invalid"
    # What is older than the window is not in the recently decided list either.
    recent = people.moderator.call("queue", {"session_id": room.id})["recent"]
    assert [i["id"] for i in recent] == [redacted["id"]]
