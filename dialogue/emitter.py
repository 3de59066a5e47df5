"""The only module that sends Socket.IO events and puts sockets in rooms.

Write paths queue events with :func:`on_commit` (through dialogue.audience, which decides the
rooms); they leave when the database transaction commits and are dropped if it rolls back,
so no client ever sees a write that did not happen.
"""

from __future__ import annotations

import logging
import threading
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

import socketio as python_socketio
from flask_socketio import join_room, leave_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import socketio

logger = logging.getLogger(__name__)

_OUTBOX = "dialogue_outbox"


@dataclass(frozen=True)
class _Emit:
    event: str
    payload: dict
    rooms: tuple[str, ...]


@dataclass(frozen=True)
class _Drop:
    room: str
    session_id: str | None
    reason: str


def on_commit(db_session: Session, event_name: str, payload: dict, *rooms: str) -> None:
    """Send `event_name` to `rooms` (each socket once) after the current transaction commits."""
    db_session.info.setdefault(_OUTBOX, []).append(_Emit(event_name, payload, rooms))


def drop_on_commit(db_session: Session, room: str, reason: str, session_id: str | None = None) -> None:
    """After commit, tell each socket in `room` it was removed, then disconnect it."""
    db_session.info.setdefault(_OUTBOX, []).append(_Drop(room, session_id, reason))


@event.listens_for(Session, "after_commit")
def _flush_outbox(db_session: Session) -> None:
    # The data is committed: one failing send (a queue outage) must not stop the others.
    for item in db_session.info.pop(_OUTBOX, []):
        try:
            if isinstance(item, _Emit):
                socketio.emit(item.event, item.payload, to=list(item.rooms), namespace="/")
            else:
                _drop(item)
        except Exception:
            logging.getLogger(__name__).exception("Sending %r after commit failed", item)


@event.listens_for(Session, "after_rollback")
def _discard_outbox(db_session: Session) -> None:
    db_session.info.pop(_OUTBOX, None)


def subscribe(rooms: list[str]) -> None:
    """Put the socket whose event is being handled in `rooms`."""
    for room in rooms:
        join_room(room)


def unsubscribe(rooms: list[str]) -> None:
    """Take the socket whose event is being handled out of `rooms`."""
    for room in rooms:
        leave_room(room)


# The name under which a drop travels between processes; it is never sent to a client.
DROP_EVENT = "dialogue:drop"


def _drop(item: _Drop) -> None:
    payload = {"session_id": item.session_id, "reason": item.reason}
    manager = socketio.server.manager
    if isinstance(manager, DialogueRedisManager):
        # Reaches the sockets of this room in every process, this one included.
        manager.emit(DROP_EVENT, payload, namespace="/", room=item.room)
    else:
        drop_local_sockets(item.room, payload)


def drop_local_sockets(room: str, payload: dict) -> None:
    """Send `removed` to each socket of `room` connected to this process, then disconnect it."""
    server = socketio.server
    for sid, _eio_sid in list(server.manager.get_participants("/", room)):
        server.emit("removed", payload, to=sid, namespace="/", ignore_queue=True)
        server.disconnect(sid, namespace="/", ignore_queue=True)


# Sent to every socket of every process when events may have been lost between processes
# (docs/protocol.md, `resync`): each client reads `history` from the last seq it saw.
RESYNC_EVENT = "resync"


# Sent to each socket of a process that is stopping (SIGTERM), just before its connection
# closes: reconnect (to another process), and rejoin with since_seq (docs/protocol.md).
RESTARTING_EVENT = "restarting"


def close_local_sockets_for_shutdown() -> int:
    """Tell every socket of this process that the process is stopping, then close each
    connection at the Engine.IO level (a "transport close" for the client, which reconnects
    by itself, unlike a Socket.IO disconnect, which asks it not to). Returns how many."""
    server = socketio.server
    if server is None:
        return 0
    sockets = list(server.manager.get_participants("/", None))
    for sid, _eio_sid in sockets:
        server.emit(RESTARTING_EVENT, {"reason": "shutdown"}, to=sid, namespace="/", ignore_queue=True)
    for _sid, eio_sid in sockets:
        server.eio.disconnect(eio_sid)
    logger.warning("stopping: %d connections told to reconnect elsewhere", len(sockets))
    return len(sockets)


class DialogueRedisManager(python_socketio.RedisManager):
    """The Redis message queue, plus drops ("remove these sockets wherever they are"), plus
    closing the holes a pub/sub outage leaves. Redis pub/sub delivers at most once: what is
    published while a process is not subscribed, or what a process fails to publish, is gone.
    So after this process subscribes again following a failure, and after a publish it had to
    give up on once the queue works again, every client is told to `resync` (here and,
    through the queue, in every process) and catches up from the database, where nothing
    was lost."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._lost = False  # an event may be gone: tell everyone once the queue works again
        self._subscribed_once = False

    def _handle_emit(self, message):
        if message.get("event") == DROP_EVENT:
            data = message.get("data") or [{}]
            drop_local_sockets(message.get("room"), data[0] if isinstance(data, list) else data)
            return
        super()._handle_emit(message)

    def _publish(self, data):
        sent = super()._publish(data)
        if sent is None:  # gave up after its retries: nobody, here or elsewhere, got it
            self._lost = True
        elif self._lost:
            self._announce_resync()
        return sent

    def _redis_connect(self):
        """Connect (at start, and again after a failure, by the listener or by a publish):
        a subscription made after the first one follows an outage, during which this
        process heard nothing from the others, so its clients must catch up."""
        super()._redis_connect()
        subscribe = self.pubsub.subscribe

        def subscribe_and_tell(*args, **kwargs):
            result = subscribe(*args, **kwargs)
            if self._subscribed_once:
                self._announce_resync()
            self._subscribed_once = True
            return result

        self.pubsub.subscribe = subscribe_and_tell

    def _announce_resync(self) -> None:
        """Tell this process's clients (they may have missed others' events) and, through the
        queue, every other process's (they may have missed ours) to catch up. If the queue
        fails again, `_publish` marks the loss and the next recovery tells them."""
        self._lost = False
        logger.warning("the message queue is back after a failure: every client is told to resync")
        self.emit(RESYNC_EVENT, {"reason": "gap"}, namespace="/")


# Writes to one session are serialized in this process from the row lock until their events
# are sent, so events leave in seq order. Across processes the database row lock orders the
# writes and clients upsert by id and sort by seq.
_STRIPES = [threading.Lock() for _ in range(64)]


@contextmanager
def ordered_writes(session_id: str):
    """Hold while writing to a session and committing, so its events go out in seq order."""
    lock = _STRIPES[zlib.crc32(session_id.encode()) % len(_STRIPES)]
    with lock:
        yield
