"""Faults with the real services: two server processes on the test database and a Redis
server this test starts on its own port (never the machine's shared one), members split
between the processes. When one process is killed mid-conversation, its members reconnect
to the other and, through `since_seq`, end with exactly the conversation everyone else has:
every message once, in order, nothing lost. When Redis restarts mid-conversation, every
member is told to `resync` and catches up from the database, so nobody is left behind."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import Message

from .conftest import _free_port, start_server, stop_server
from .factories import gen_room
from .helpers import RecordingClient, release_database, wait_until

REDIS_SERVER = shutil.which("redis-server")
pytestmark = [pytest.mark.live, pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")]


class OwnRedis:
    """A Redis server of this test's own, on a free port: it can be stopped and started again
    without touching the machine's shared Redis."""

    def __init__(self, folder):
        self.folder, self.port = folder, _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.folder)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.answers, timeout=15, message="redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    server = OwnRedis(tmp_path)
    yield server
    server.stop()


class Member:
    """One member's view of the conversation, as the room keeps it: each message by id at its
    newest seq, from live events and from the replay of a (re)join."""

    def __init__(self, person, server_url: str, session_id: str):
        self.person, self.session_id = person, session_id
        self.seen: dict[int, int] = {}
        self.synced = 0  # the resume point of the last complete catch-up
        self.resyncs = 0
        self.restarting = 0  # `restarting` events: the process is stopping
        self.live_counts: dict[int, int] = {}
        self.client = None
        self.connect(server_url, 0)

    def take(self, message: dict) -> None:
        self.seen[message["id"]] = max(self.seen.get(message["id"], 0), message["seq"])

    def last_seq(self) -> int:
        return max(self.seen.values(), default=0)

    def connect(self, server_url: str, since_seq: int) -> None:
        client = RecordingClient(server_url, self.person.token)
        client.sio.on("message", self._live)
        client.sio.on("resync", lambda _data: client.sio.start_background_task(self._catch_up))
        client.sio.on("restarting", lambda _data: setattr(self, "restarting", self.restarting + 1))
        client.connect()
        self.client = client
        self._pages(client.call("join", {"session_id": self.session_id, "since_seq": since_seq}))

    def _pages(self, page: dict) -> None:
        while True:
            assert page["ok"], page
            for message in page["messages"]:
                self.take(message)
            self.synced = max(self.synced, page["last_seq"])
            if not page.get("more"):
                return
            page = self.client.call("history", {"session_id": self.session_id, "since_seq": page["last_seq"]})

    def _catch_up(self) -> None:
        """As the room does on `resync`: read from the last complete catch-up."""
        self.resyncs += 1
        self._pages(self.client.call("history", {"session_id": self.session_id, "since_seq": self.synced}))

    def _live(self, message: dict) -> None:
        self.take(message)
        key = (message["id"], message["seq"])
        self.live_counts[key] = self.live_counts.get(key, 0) + 1


def _visible_room_messages(session_id: str) -> list[int]:
    ids = list(db.session.scalars(select(Message.id).where(
        Message.session_id == session_id, Message.channel == "room", Message.status == "visible",
        Message.translation_of_id.is_(None)).order_by(Message.seq)))
    release_database()
    return ids


class Conversation:
    """Two processes, four participants split between them, a writer on each side sending
    40 messages, 20 a second."""

    def __init__(self, database_url: str, folder, redis_url: str, command: list[str] | None = None):
        settings = dict(DIALOGUE_REDIS_URL=redis_url, DIALOGUE_REDIS_CHANNEL="faults-" + uuid.uuid4().hex[:8],
                        DIALOGUE_SWEEP_SECONDS="1")
        self.first = start_server(database_url, folder / "first.log", command=command, **settings)
        try:
            self.second = start_server(database_url, folder / "second.log", command=command, **settings)
        except Exception:
            stop_server(self.first)  # never leave a process behind
            raise
        self.acknowledged: list[str] = []  # client ids of the sends the server answered ok
        self.room = gen_room(participants=4)
        release_database()
        self.members = [Member(person, (self.first if index < 2 else self.second).url, self.room.id)
                        for index, person in enumerate(self.room.participants)]
        self.threads = [threading.Thread(target=self._write, args=(index,), daemon=True) for index in (0, 2)]

    def _write(self, index: int) -> None:
        member = self.members[index]
        for number in range(1, 41):
            try:
                answer = member.client.call("send", {"session_id": self.room.id, "client_id": f"w{index}-{number}",
                                                     "body": f"Writer {index}, message {number}."}, timeout=5)
                if answer and answer.get("ok"):
                    self.acknowledged.append(f"w{index}-{number}")
            except Exception:  # noqa: BLE001 (the process died under this writer: wait for the rejoin)
                wait_until(lambda: member.client.sio.connected, timeout=20, message="rejoined")
            time.sleep(0.05)  # the writer's pace, not a synchronisation

    def start(self) -> None:
        for thread in self.threads:
            thread.start()
        wait_until(lambda: len(_visible_room_messages(self.room.id)) >= 15, timeout=20,
                   message="the conversation runs")

    def finish(self) -> list[int]:
        """Wait for the writers; every member must end with the whole conversation, in order."""
        for thread in self.threads:
            thread.join(timeout=60)
        expected = _visible_room_messages(self.room.id)
        assert len(expected) >= 40
        for member in self.members:
            wait_until(lambda m=member: set(m.seen) >= set(expected), timeout=20,
                       message="every member ends with every message")
            assert sorted(member.seen, key=member.seen.get) == expected, "the same conversation, in order"
            assert all(count == 1 for count in member.live_counts.values()), "no live event twice on one socket"
        return expected

    def close(self) -> None:
        for member in self.members:
            if member.client is not None:
                member.client.close()
        for server in (self.first, self.second):
            if server.process.poll() is None:
                stop_server(server)


def test_members_of_a_killed_process_reconnect_to_the_other_and_miss_nothing(ctx, database_url, tmp_path,
                                                                            own_redis):
    conversation = Conversation(database_url, tmp_path, own_redis.url)
    try:
        conversation.start()
        # The first process dies without warning; its members rejoin on the second from the
        # last seq they saw.
        conversation.first.process.send_signal(signal.SIGKILL)
        conversation.first.process.wait(timeout=10)
        for member in conversation.members[:2]:
            wait_until(lambda m=member: m.client.disconnected.is_set(), timeout=15, message="the socket dropped")
            member.connect(conversation.second.url, member.last_seq())
        conversation.finish()
    finally:
        conversation.close()


def test_a_redis_restart_leaves_no_member_behind(ctx, database_url, tmp_path, own_redis):
    conversation = Conversation(database_url, tmp_path, own_redis.url)
    try:
        conversation.start()
        # The queue goes away under both processes while both writers write, and comes back.
        own_redis.stop()
        wait_until(lambda: len(_visible_room_messages(conversation.room.id)) >= 30, timeout=20,
                   message="messages are written while the queue is down")
        own_redis.start()
        conversation.finish()
        # Each process told its members to catch up once the queue worked again.
        assert all(member.resyncs >= 1 for member in conversation.members)
    finally:
        conversation.close()


GUNICORN = [str(Path(sys.executable).parent / "gunicorn"), "-k", "dialogue.httpserver.Worker", "-w", "1",
            "--bind", "127.0.0.1:{port}", "--graceful-timeout", "20", "--no-control-socket", "dialogue.wsgi:app"]


@pytest.mark.parametrize("how", ["dialogue serve", "gunicorn"])
def test_sigterm_drains_a_process_under_load(ctx, database_url, tmp_path, own_redis, how):
    conversation = Conversation(database_url, tmp_path, own_redis.url, command=GUNICORN if how == "gunicorn" else None)
    try:
        conversation.start()
        stopped_at = time.monotonic()
        conversation.first.process.send_signal(signal.SIGTERM)
        # Its members are told, and their connections close at once (not after a timeout).
        for member in conversation.members[:2]:
            wait_until(lambda m=member: m.client.disconnected.is_set(), timeout=8, message="the socket closed")
            assert member.restarting == 1, "told why before the connection closed"
            member.connect(conversation.second.url, member.last_seq())
        assert conversation.first.process.wait(timeout=15) == 0, "the process ends cleanly"
        assert time.monotonic() - stopped_at < 12, "well within the graceful timeout"
        conversation.finish()
        # Every send the stopping process answered was stored whole.
        stored = set(db.session.scalars(select(Message.client_id).where(Message.session_id == conversation.room.id)))
        release_database()
        assert set(conversation.acknowledged) <= stored
        assert all(member.restarting == 0 for member in conversation.members[2:]), "members of the other process are not told"
    finally:
        conversation.close()
