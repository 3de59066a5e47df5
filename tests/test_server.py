"""One start-up for every server process: the WSGI entry point under gunicorn starts as
`dialogue serve` does (starter words, matcher, presence clean-up, background loops), and a
process clears only presence rows that no live process keeps."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialogue import create_app, init_socketio
from dialogue.extensions import db
from dialogue.models import AuditEntry, DialogueSession, Presence, WatchedWord, utcnow
from dialogue.moderation.words import STARTER_MARK
from dialogue.realtime import presence
from dialogue.server import SchemaOutOfDate, check_schema, prepare, upgrade_schema
from dialogue.sessions import actions as dialogues

from .conftest import TEST_SECRET, new_database, start_server, stop_server
from .factories import gen_room
from .helpers import wait_until

pytestmark = pytest.mark.live

GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-k", "dialogue.httpserver.Worker",
            "-w", "1", "-b", "127.0.0.1:{port}", "--graceful-timeout", "5", "dialogue.wsgi:app"]


@pytest.fixture
def fresh(app, tmp_path):
    """An app of its own on an empty database of this run's kind, schema built; the shared
    Socket.IO object goes back to the suite's app afterwards."""
    with new_database() as url:
        other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
                            "INSTANCE_PATH": str(tmp_path), "DIALOGUE_REDIS_URL": None})
        with other.app_context():
            upgrade_schema()
            db.session.remove()
        yield other, url
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    init_socketio(app)


def _read(app, statement):
    with app.app_context():
        try:
            return db.session.execute(statement).all()
        finally:
            db.session.remove()


def test_wsgi_app_loads_starter_words_and_runs_the_loops(fresh, tmp_path):
    other, url = fresh
    with other.app_context():
        room = gen_room(participants=2)
        holder = room.participants[0]
        session = db.session.get(DialogueSession, room.id)
        # A timed floor whose time is already up: the clocks loop must give it back.
        session.floor_mode, session.floor_user_id = "queue", holder.id
        session.floor_ends_at = utcnow() - timedelta(seconds=1)
        # A presence row a dead process left two hours ago, and one a live process keeps.
        db.session.add(Presence(sid="dead-socket", session_id=room.id, user_id=holder.id,
                                process_id="gone:1:dead", seen_at=utcnow() - timedelta(hours=2)))
        db.session.add(Presence(sid="live-socket", session_id=room.id, user_id=room.participants[1].id,
                                process_id="elsewhere:2:live", seen_at=utcnow()))
        # An ended session past the retention period: the start-up removes its personal data.
        room_id = room.id
        old = gen_room(participants=1)
        old_id = old.id
        dialogues.change_state(old.facilitator.user, old_id, "end")
        db.session.get(DialogueSession, old_id).ended_at = utcnow() - timedelta(days=40)
        db.session.commit()
        assert db.session.scalar(select(func.count(WatchedWord.id))) == 0
        db.session.remove()

    server = start_server(url, tmp_path / "gunicorn.log", command=GUNICORN, DIALOGUE_SWEEP_SECONDS="0.5",
                          DIALOGUE_NUDGE_SECONDS="0.5", DIALOGUE_REDIS_URL="", DIALOGUE_RETENTION_DAYS="30")
    try:
        [(words,)] = _read(other, select(func.count(WatchedWord.id)))
        assert words > 0, "the starter words were loaded before serving"
        assert _read(other, select(AuditEntry.id).where(AuditEntry.action == STARTER_MARK))
        wait_until(lambda: _read(other, select(DialogueSession.floor_user_id).where(
            DialogueSession.id == room_id)) == [(None,)], timeout=20, message="the timed floor was not given back")
        wait_until(lambda: not _read(other, select(Presence.sid).where(Presence.sid == "dead-socket")),
                   timeout=20, message="the dead process's presence row was not cleared")
        assert _read(other, select(Presence.sid).where(Presence.sid == "live-socket")) == [("live-socket",)]
        [(removed_at,)] = _read(other, select(DialogueSession.personal_data_removed_at).where(
            DialogueSession.id == old_id))
        assert removed_at is not None, "the retention period was applied"
        assert server.process.poll() is None
    finally:
        stop_server(server)
    log = server.log.read_text()
    assert "Traceback" not in log, log


def test_starter_words_are_loaded_once_per_database(fresh):
    other, _url = fresh

    prepare(other)
    [(first,)] = _read(other, select(func.count(WatchedWord.id)))
    prepare(other)  # a second process starting on the same database
    assert _read(other, select(func.count(WatchedWord.id))) == [(first,)]
    assert len(_read(other, select(AuditEntry.id).where(AuditEntry.action == STARTER_MARK))) == 1


def test_a_process_refuses_a_database_behind_its_schema(tmp_path):
    with new_database() as url:
        other = create_app({"TESTING": True, "SECRET_KEY": TEST_SECRET, "SQLALCHEMY_DATABASE_URI": url,
                            "INSTANCE_PATH": str(tmp_path), "DIALOGUE_REDIS_URL": None})
        with other.app_context():
            with pytest.raises(SchemaOutOfDate, match="dialogue db upgrade"):
                check_schema()
            db.engine.dispose()


def test_presence_rows_of_live_processes_are_kept(fresh):
    other, _url = fresh
    with other.app_context():
        room = gen_room(participants=2)
        alice, bora = room.participants
        mine, theirs = presence.process_id(), "elsewhere:7:alive"
        now = utcnow()
        db.session.add_all([
            Presence(sid="mine-live", session_id=room.id, user_id=alice.id, process_id=mine,
                     seen_at=now - timedelta(seconds=30)),
            Presence(sid="theirs-live", session_id=room.id, user_id=bora.id, process_id=theirs, seen_at=now),
            Presence(sid="theirs-dead", session_id=room.id, user_id=bora.id, process_id="gone:8:x",
                     seen_at=now - timedelta(minutes=10)),
        ])
        db.session.commit()
        removed = presence.refresh_and_expire({"mine-live"})
        rows = dict(db.session.execute(select(Presence.sid, Presence.seen_at)).all())
        assert removed == 1
        assert set(rows) == {"mine-live", "theirs-live"}
        assert rows["mine-live"] > now - timedelta(seconds=5), "this process refreshed its own row"
        db.session.remove()


def test_dialogue_serve_and_the_wsgi_module_share_the_start_up():
    """Both entry points call dialogue.server.start and nothing else of their own."""
    root = Path(__file__).resolve().parent.parent
    cli = (root / "dialogue" / "cli.py").read_text()
    wsgi = (root / "dialogue" / "wsgi.py").read_text()
    assert "server.start(app)" in cli and "server.start(app)" in wsgi
    assert "start_background_task" not in cli + wsgi
    out = subprocess.run([sys.executable, "-c", "import dialogue, sys; print('dialogue.app' in sys.modules)"],
                         capture_output=True, text=True, check=True, cwd=root)
    assert out.stdout.strip() == "False", "importing the package must not import the platform (gevent patches first)"
