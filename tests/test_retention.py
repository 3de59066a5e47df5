"""The retention period: ended sessions' personal data goes after the set number of days, by
command or by the server's own loop, while the record stays whole."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import select

from dialogue.extensions import db
from dialogue.facilitation import consent
from dialogue.models import DialogueSession, Flag, Membership, SecurityEvent, utcnow
from dialogue.moderation import flags
from dialogue.record import verify
from dialogue.room import messages
from dialogue.sessions import actions as dialogues
from dialogue.sessions import retention
from dialogue.transcripts import build as transcript_build

from .factories import gen_room


def _ended_days_ago(room, days: int) -> None:
    dialogues.change_state(room.facilitator.user, room.id, "end")
    session = db.session.get(DialogueSession, room.id)
    session.ended_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_old_sessions_lose_their_personal_data_and_keep_their_record(ctx, app):
    old, recent = gen_room(participants=2), gen_room(participants=2)
    for room in (old, recent):
        alice, bora = room.participants
        consent.record_consent(alice.user, room.id, "named", True)
        said, _ = messages.send_message(alice.user, room.id, uuid.uuid4().hex, "Words that stay")
        flags.flag(bora.user, said.id, "other", note="Bora's note about Alice")
        dialogues.create_invitation(room.facilitator.user, room.session, side="a", label="Yerevan group")
    _ended_days_ago(old, 40)
    _ended_days_ago(recent, 5)
    before = transcript_build.build(db.session.get(DialogueSession, old.id), attribution="named", version="staff")
    names = [p.name for p in old.participants] + [p.user.real_name for p in old.participants]
    assert any(name in json.dumps(before, ensure_ascii=False) for name in names)
    db.session.add(SecurityEvent(kind="login", details={}, created_at=utcnow() - timedelta(days=60)))
    db.session.commit()

    cleared, removed = retention.apply(30)
    assert cleared == 1 and removed >= 1
    db.session.expire_all()
    after = transcript_build.build(db.session.get(DialogueSession, old.id), attribution="named", version="staff")
    assert verify(json.loads(json.dumps(after)))[0]
    assert after["final_digest"] == before["final_digest"] and after["chain"] == before["chain"]
    raw = json.dumps(after, ensure_ascii=False)
    assert not any(name in raw for name in names) and "Words that stay" in raw
    members = db.session.scalars(select(Membership).where(Membership.session_id == old.id)).all()
    assert all(m.display_name.startswith("Former member") for m in members)
    assert db.session.scalars(select(Flag.note).where(Flag.session_id == old.id)).all() == [""]
    assert all(i.label == "" for i in dialogues.invitations(db.session.get(DialogueSession, old.id)))
    # The recent one is untouched, and nothing happens twice.
    kept = db.session.scalars(select(Membership).where(Membership.session_id == recent.id)).all()
    assert {m.display_name for m in kept} >= {p.name for p in recent.participants}
    assert retention.apply(30) == (0, 0)


def test_the_retention_command(ctx, app):
    room = gen_room(participants=1)
    _ended_days_ago(room, 10)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["retention", "apply"])
    assert refused.exit_code != 0 and "DIALOGUE_RETENTION_DAYS" in refused.output
    done = runner.invoke(args=["retention", "apply", "--days", "7"])
    assert done.exit_code == 0 and "Removed the personal data of" in done.output
    db.session.expire_all()
    assert db.session.get(DialogueSession, room.id).personal_data_removed_at is not None
