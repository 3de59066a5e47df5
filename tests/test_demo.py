"""`dialogue demo` on a fresh database: a live session on the memory template with its first
phase open, a sample exchange from both sides, an interpreter's translation and one message
held for the moderator, with every login printed (docs/protocol.md section 17)."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from sqlalchemy import select

from dialogue import create_app, init_socketio
from dialogue.extensions import db
from dialogue.facilitation.agenda import TEMPLATES
from dialogue.facilitation.state import phases
from dialogue.models import DialogueSession, Membership, Message, QueueItem
from dialogue.record import verify
from dialogue.transcripts.build import build

from .conftest import TEST_SECRET, _dialogue_executable, new_database

pytestmark = pytest.mark.live

USER_FIELDS = {"id", "member_id", "name", "email", "password", "token", "side", "role"}


def _dialogue(url: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DIALOGUE_DATABASE_URL=url, DIALOGUE_SECRET_KEY=TEST_SECRET)
    env.pop("DIALOGUE_REDIS_URL", None)
    out = subprocess.run([_dialogue_executable(), *args], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def demo_database(app, tmp_path):
    """A fresh database with its schema from `dialogue db upgrade`, and an app to read it;
    the shared Socket.IO object goes back to the suite's app afterwards."""
    with new_database() as url:
        _dialogue(url, "db", "upgrade")
        other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
                            "INSTANCE_PATH": str(tmp_path), "DIALOGUE_REDIS_URL": None})
        yield other, url
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    init_socketio(app)


def test_demo_shows_facilitation_moderation_and_interpretation(demo_database):
    other, url = demo_database
    demo = json.loads(_dialogue(url, "demo", "--json", "--participants", "4").stdout)

    # The documented fields are all there; the interpreter is added beside them.
    assert set(demo) >= {"session_id", "url", "facilitator", "moderator", "participants"}
    people = [demo["facilitator"], demo["moderator"], demo["interpreter"], *demo["participants"]]
    for person in people:
        assert set(person) == USER_FIELDS
    assert [p["role"] for p in people] == ["facilitator", "moderator", "interpreter"] + ["participant"] * 4
    assert demo["interpreter"]["side"] is None and demo["interpreter"]["token"].startswith("dlg_")

    with other.app_context():
        session = db.session.get(DialogueSession, demo["session_id"])
        assert session.state == "live" and not session.pseudonymous and session.floor_mode == "open"
        assert session.moderation_mode == "post"  # the held message did not need pre-moderation

        # The memory template, its first phase open.
        template = TEMPLATES["memory"]["phases"]
        assert [phase.title for phase in phases(session)] == [title for title, _prompt, _minutes in template]
        assert session.phase_index == 0 and phases(session)[0].title == template[0][0] == "Introductions"

        messages = db.session.scalars(select(Message).where(Message.session_id == session.id)
                                      .order_by(Message.seq)).all()
        members = {m.id: m for m in db.session.scalars(select(Membership).where(
            Membership.session_id == session.id))}
        for message in messages:
            assert message.phase_index == 0 and message.channel == "room"
            assert "<script" not in message.body_html and message.body_html.startswith("<p>")

        # The sample exchange: visible, from both sides, alternating.
        said = [m for m in messages if m.status == "visible" and m.translation_of_id is None
                and members[m.membership_id].side is not None]
        assert len(said) >= 4
        assert [members[m.membership_id].side for m in said] == ["a", "b"] * (len(said) // 2)
        assert {"en", "hy", "az"} <= {m.lang for m in said}

        # The interpreter's translation, attached to a message of the exchange.
        translations = [m for m in messages if m.translation_of_id is not None]
        assert translations
        for translation in translations:
            assert members[translation.membership_id].public_id == demo["interpreter"]["member_id"]
            assert translation.status == "visible" and translation.lang == "en"
            assert translation.translation_of_id in {m.id for m in said}

        # One message held by the screening, waiting in the queue for the moderator.
        held = [m for m in messages if m.status == "held"]
        assert len(held) == 1 and not held[0].published
        item = db.session.scalar(select(QueueItem).where(QueueItem.message_id == held[0].id))
        assert item is not None and item.status == "pending" and item.decided_at is None
        assert [reason["kind"] for reason in item.reasons] == ["identifying_info"]
        assert db.session.scalars(select(QueueItem).where(QueueItem.session_id == session.id)).all() == [item]

        # Every message went through the record's chain, and the chain verifies.
        document = build(session, attribution="pseudonym", version="staff")
        assert verify(document)[0], verify(document)[1]
        db.session.remove()


def test_demo_prints_every_login(demo_database):
    _other, url = demo_database
    text = _dialogue(url, "demo", "--participants", "2").stdout
    assert re.search(r"^Demo session: http://127\.0\.0\.1:5000/s/\S+$", text, re.M)
    for pattern in (r"facilitator +Facilitator: ", r"moderator +Moderator: ", r"interpreter +Interpreter: ",
                    r"participant +Participant 1, Armenia: ", r"participant +Participant 2, Azerbaijan: "):
        assert re.search(pattern + r"demo-\S+@example\.org / \S{12,}$", text, re.M), (pattern, text)
    assert "review queue" in text
