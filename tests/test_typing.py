"""The typing indicator over real sockets: who may say they are writing, who hears it, with
no member id in a pseudonymous session, and the per-session switch."""

from __future__ import annotations

import pytest

from dialogue.extensions import db
from dialogue.moderation import sanctions

from .factories import gen_room
from .helpers import joined, release_database

pytestmark = pytest.mark.live


def _typing(client, session_id, active=True):
    return client.call("typing", {"session_id": session_id, "typing": active})


def test_everyone_in_the_room_hears_who_is_writing(ctx, clients):
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    a, _ = joined(clients, anahit, room.id)
    b, _ = joined(clients, leyla, room.id)
    moderator, _ = joined(clients, room.moderator, room.id)
    observer, _ = joined(clients, room.observer, room.id)
    outsider = clients(room.outsider)
    answer = _typing(a, room.id)
    assert answer["ok"] and answer["writer"].startswith("w")
    for client in (a, b, moderator, observer):
        got = client.wait_for("typing", lambda t: t["writer"] == answer["writer"] and t["typing"])
        assert got == {"session_id": room.id, "writer": answer["writer"], "typing": True,
                       "member_id": anahit.member_id}
    assert outsider.of("typing") == []
    assert _typing(a, room.id, False)["ok"]
    b.wait_for("typing", lambda t: t["writer"] == answer["writer"] and not t["typing"])
    # The writer id is the same every time within the session, and differs between members.
    assert _typing(a, room.id)["writer"] == answer["writer"] != _typing(b, room.id)["writer"]
    # Observers do not write, so they do not type; outsiders are refused; bad values are invalid.
    assert _typing(observer, room.id)["error"]["code"] == "forbidden"
    assert _typing(outsider, room.id)["error"]["code"] == "forbidden"
    assert a.call("typing", {"session_id": room.id, "typing": "yes"})["error"]["code"] == "invalid"
    assert a.call("typing", {"session_id": "nope", "typing": True})["error"]["code"] == "not_found"


def test_a_pseudonymous_session_names_nobody(ctx, clients):
    room = gen_room(participants=2)
    room.session.pseudonymous = True
    db.session.commit()
    release_database()
    anahit, leyla = room.participants
    a, _ = joined(clients, anahit, room.id)
    b, _ = joined(clients, leyla, room.id)
    writer = _typing(a, room.id)["writer"]
    got = b.wait_for("typing", lambda t: t["writer"] == writer)
    assert "member_id" not in got and anahit.member_id not in str(got)


def test_muted_members_do_not_type_and_facilitators_can_turn_it_off(ctx, clients):
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    a, _ = joined(clients, anahit, room.id)
    b, _ = joined(clients, leyla, room.id)
    sanctions.sanction(room.moderator.user, room.id, anahit.member_id, "mute", 10, "Cooling down")
    release_database()
    assert _typing(a, room.id)["error"]["code"] == "muted"
    assert _typing(a, room.id, False)["ok"], "stopping is always allowed"
    facilitator, _ = joined(clients, room.facilitator, room.id)
    changed = facilitator.call("session_settings", {"session_id": room.id, "typing_indicator": False})
    assert changed["ok"] and changed["session"]["typing_indicator"] is False
    b.wait_for("session", lambda s: s.get("typing_indicator") is False)
    before = len(a.of("typing"))
    assert _typing(b, room.id)["error"]["code"] == "conflict"
    marker = facilitator.call("send", {"session_id": room.id, "client_id": "marker-1", "body": "marker"})
    a.wait_for("message", lambda m: m["id"] == marker["message"]["id"])
    assert len(a.of("typing")) == before, "nothing is sent while it is off"
    assert b.call("session_settings", {"session_id": room.id, "typing_indicator": True})["error"]["code"] \
        == "forbidden"
    assert facilitator.call("session_settings", {"session_id": room.id, "typing_indicator": "no"})["error"][
        "code"] == "invalid"
