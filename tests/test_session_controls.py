"""Safe controls: a session ended by mistake is reopened by its facilitators within the grace
period (DIALOGUE_REOPEN_MINUTES), with the reopening on its chain and in its audit log;
afterwards, or for anyone else, it stays ended."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogue import record
from dialogue.extensions import db
from dialogue.models import AuditEntry, DialogueSession, SessionEvent, utcnow
from dialogue.sessions import actions as dialogues
from dialogue.sessions import retention
from dialogue.transcripts import build

from .factories import gen_room
from .helpers import joined, release_database, send, stored

pytestmark = pytest.mark.live


def control(client, room, action):
    return client.call("session_control", {"session_id": room.id, "action": action})


def _ended_minutes_ago(room, minutes: int) -> None:
    release_database()
    db.session.expire_all()
    session = db.session.get(DialogueSession, room.id)
    session.ended_at = utcnow() - timedelta(minutes=minutes)
    db.session.commit()


def test_reopening_within_the_grace_period(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    a, _ = joined(clients, room.participants[0], room.id)
    assert send(a, room.id, "Before the end")["ok"]
    ended = control(host, room, "end")
    assert ended["ok"] and ended["session"]["state"] == "ended"
    # The staff learn until when they may reopen; members do not.
    assert ended["session"]["reopen_until"] > ended["session"]["ended_at"]
    assert a.wait_for("session", lambda s: s["state"] == "ended")["reopen_until"] is None
    _ended_minutes_ago(room, 9)
    reopened = control(host, room, "reopen")
    assert reopened["ok"], reopened
    assert reopened["session"]["state"] == "live" and reopened["session"]["ended_at"] is None
    assert reopened["session"]["reopen_until"] is None
    assert a.wait_for("session", lambda s: s["state"] == "live")
    assert send(a, room.id, "After the reopening")["ok"]
    # On the chain (and the transcript still verifies) and in the audit log.
    link = stored(select(SessionEvent).where(SessionEvent.session_id == room.id, SessionEvent.kind == "session_reopened"))
    assert len(link) == 1 and link[0].payload["state"] == "live" and link[0].payload["ended_at"]
    session = db.session.get(DialogueSession, room.id)
    db.session.refresh(session)
    document = json.loads("".join(build.stream_json(session, version="staff")))
    assert record.verify(document)[0], record.verify(document)
    assert stored(select(AuditEntry.action).where(AuditEntry.session_id == room.id,
                                                  AuditEntry.actor_id == room.facilitator.user.id)) \
        == ["session_reopened"]
    # Reopening is for ended sessions only.
    assert control(host, room, "reopen")["error"]["code"] == "conflict"


def test_reopening_after_the_grace_period_is_a_conflict_with_the_deadline(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    assert control(host, room, "end")["ok"]
    _ended_minutes_ago(room, 11)
    refused = control(host, room, "reopen")
    assert refused["error"]["code"] == "conflict" and "10 minutes" in refused["error"]["message"]
    assert refused["error"]["until"]
    release_database()
    db.session.expire_all()
    assert db.session.get(DialogueSession, room.id).state == "ended"


def test_only_facilitators_reopen(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    assert control(host, room, "end")["ok"]
    for person in (room.participants[0], room.moderator, room.observer):
        client, _ = joined(clients, person, room.id)
        assert control(client, room, "reopen")["error"]["code"] == "forbidden"
    release_database()
    db.session.expire_all()
    assert db.session.get(DialogueSession, room.id).state == "ended"


def test_a_session_ended_while_paused_reopens_paused(ctx, clients):
    room = gen_room(participants=1)
    host, _ = joined(clients, room.facilitator, room.id)
    assert control(host, room, "pause")["ok"]
    assert control(host, room, "end")["ok"]
    assert control(host, room, "reopen")["session"]["state"] == "paused"
    assert control(host, room, "resume")["session"]["state"] == "live"


def test_invitations_and_retention_after_reopening(ctx, app):
    room = gen_room(participants=1)
    _invitation, token = dialogues.create_invitation(room.facilitator.user, room.session, side="a")
    dialogues.change_state(room.facilitator.user, room.id, "end")
    assert dialogues.find_invitation(token) is None, "an ended session's links do not work"
    dialogues.change_state(room.facilitator.user, room.id, "reopen")
    assert dialogues.find_invitation(token) is not None, "they work again once it is reopened"
    # Retention counts from the latest end: a reopened session is not due.
    assert room.id not in retention.due_sessions(0)
    dialogues.change_state(room.facilitator.user, room.id, "end")
    assert room.id in retention.due_sessions(0)
    retention.remove_personal_data(room.id)
    with pytest.raises(Exception) as refused:
        dialogues.change_state(room.facilitator.user, room.id, "reopen")
    assert getattr(refused.value, "code", None) == "conflict", "nothing is reopened once its personal data is gone"
