"""Waiting for conditions, and Socket.IO clients that record what they receive."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable

import requests
import socketio
from flask import has_app_context
from sqlalchemy import func, select

from dialogue.extensions import db


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02,
               message: str = "condition not met") -> None:
    """Poll `predicate` until it is true; fail after `timeout` seconds. Never a fixed sleep."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s: {message}")
        time.sleep(interval)


def release_database() -> None:
    """End the test's own transaction before it waits on a server process.

    The server shares the database: a transaction the test left open (a lazy load is
    enough) holds SQLite's write lock, and the server would stall behind it."""
    if has_app_context():
        db.session.commit()


def stored(statement):
    """Run a read in its own short transaction and return all rows (scalars).

    Tests share the database with a server process; ending the transaction at once means
    the test never holds SQLite's lock, nor an old snapshot, while it waits for the server.
    """
    db.session.rollback()
    try:
        return db.session.scalars(statement).all()
    finally:
        db.session.commit()


def stored_count(model, *where) -> int:
    """Count rows of `model` matching `where`, in a short transaction of its own."""
    return stored(select(func.count()).select_from(model).where(*where))[0]


class RecordingClient:
    """A python-socketio client over a real socket that keeps every event it receives."""

    def __init__(self, url: str, token: str | None = None, *, headers: dict | None = None,
                 transports: list[str] | None = None, ssl_verify: bool = True):
        self.url = url
        self.token = token
        self.headers = headers or {}
        self.transports = transports or ["websocket"]
        self.events: list[tuple[str, object]] = []
        self.disconnected = threading.Event()
        self.connect_error = None
        self._lock = threading.Condition()
        if ssl_verify:
            self.sio = socketio.Client(reconnection=False)
        else:  # a self-signed test certificate; no CA bundle from the environment either
            session = requests.Session()
            session.verify, session.trust_env = False, False
            self.sio = socketio.Client(reconnection=False, ssl_verify=False, http_session=session)

        @self.sio.on("*")
        def _any(event, *args):
            with self._lock:
                self.events.append((event, args[0] if args else None))
                self._lock.notify_all()

        @self.sio.on("connect_error")
        def _connect_error(data):
            self.connect_error = data

        @self.sio.on("disconnect")
        def _disconnect(*args):
            self.disconnected.set()

    def connect(self) -> RecordingClient:
        release_database()
        auth = {"token": self.token} if self.token is not None else None
        self.sio.connect(self.url, auth=auth, headers=self.headers, transports=self.transports,
                         wait_timeout=10)
        return self

    def call(self, event: str, payload=None, timeout: float = 10):
        release_database()
        if payload is None:
            return self.sio.call(event, timeout=timeout)
        return self.sio.call(event, payload, timeout=timeout)

    def of(self, event: str) -> list:
        with self._lock:
            return [data for name, data in self.events if name == event]

    def mark(self) -> int:
        """A position in the received events; pass it as `since` to wait only for later ones."""
        with self._lock:
            return len(self.events)

    def wait_for(self, event: str, predicate: Callable[[object], bool] = lambda data: True,
                 timeout: float = 10.0, since: int = 0):
        """Return the first `event` (received after position `since`) whose data satisfies
        `predicate`, waiting if needed."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for name, data in self.events[since:]:
                    if name == event and predicate(data):
                        return data
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"no {event!r} event matching within {timeout}s; got {self.events!r}")
                self._lock.wait(remaining)

    def close(self) -> None:
        if self.sio.connected:
            self.sio.disconnect()


def joined(connect, person, session_id: str, since_seq: int = 0):
    """Connect as `person` and join the session; return (client, join answer)."""
    client = connect(person)
    answer = client.call("join", {"session_id": session_id, "since_seq": since_seq})
    assert answer["ok"], answer
    return client, answer


def send(client: RecordingClient, session_id: str, body: str, client_id: str | None = None, **extra):
    """Send a message with a fresh client_id unless one is given; return the answer."""
    return client.call("send", {"session_id": session_id, "client_id": client_id or uuid.uuid4().hex,
                                "body": body, **extra})
