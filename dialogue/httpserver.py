"""The HTTP layer under the application: bounded request bodies and WebSocket messages.

One client must not be able to hold the server's connections or memory. Three pieces, used
by `dialogue serve` and by gunicorn alike:

- :class:`RefuseOversized`, WSGI middleware around the whole application (Socket.IO's
  transport included): a body larger than allowed, or one of unknown length, is answered at
  once with 413 (or 411), `Connection: close`, without reading it. Pages allow
  ``MAX_CONTENT_LENGTH``, the Socket.IO transport ``DIALOGUE_MAX_PACKET_BYTES``.
- :class:`BoundedHandler`, gevent's request handler with WebSocket support, which closes a
  refused connection without draining the body first (the client may never send it) and
  gives each WebSocket a :class:`BoundedWebSocket`.
- :class:`BoundedWebSocket` refuses a frame, or a message of several frames, over the packet
  limit before reading it into memory (close code 1009).

This module imports only gevent and gevent-websocket, so that gunicorn can load the worker
class (:class:`Worker`) before it patches the standard library.
"""

from __future__ import annotations

import struct

import gevent
from geventwebsocket.exceptions import ProtocolError, WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

REFUSED = "dialogue.body_refused"
TAKEN = "dialogue.websocket_message_bytes"
SOCKET_IO_PREFIX = "/socket.io"
DEFAULT_PAGE_BYTES = 2_000_000
DEFAULT_PACKET_BYTES = 65_536


def limits_of(app) -> tuple[int, int]:
    """(largest page body, largest Socket.IO packet) in bytes, from a Flask app's config."""
    config = getattr(app, "config", None) or {}
    return (config.get("MAX_CONTENT_LENGTH") or DEFAULT_PAGE_BYTES,
            config.get("DIALOGUE_MAX_PACKET_BYTES") or DEFAULT_PACKET_BYTES)


def _refusal(environ, start_response, status: str, text: str):
    environ[REFUSED] = True
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), ("Connection", "close")])
    return [body]


class RefuseOversized:
    """WSGI middleware: bodies over the limit never reach `app` (see the module)."""

    def __init__(self, app, page_bytes: int, packet_bytes: int):
        self.app, self.page_bytes, self.packet_bytes = app, page_bytes, packet_bytes

    def __call__(self, environ, start_response):
        length = (environ.get("CONTENT_LENGTH") or "").strip()
        chunked = "chunked" in (environ.get("HTTP_TRANSFER_ENCODING") or "").lower()
        limit = self.packet_bytes if (environ.get("PATH_INFO") or "").startswith(SOCKET_IO_PREFIX) \
            else self.page_bytes
        if chunked:
            return _refusal(environ, start_response, "411 Length Required",
                            "A request body needs a Content-Length (no chunked bodies).")
        if length and (not length.isascii() or not length.isdigit() or int(length) > limit):
            return _refusal(environ, start_response, "413 Content Too Large",
                            f"Request bodies may have at most {limit} bytes.")
        return self.app(environ, start_response)


_BOUNDED_CLASSES: dict[int, type] = {}


class MessageTooBig(Exception):
    """A WebSocket frame or message over the limit (closed with code 1009). Not a
    ProtocolError nor a socket error, which the base class would answer itself."""


class BoundedWebSocket(WebSocket):
    """gevent-websocket's WebSocket, refusing frames and messages over `limit` bytes. The
    handler turns its WebSocket into one of these (same layout, so no second object exists to
    send a close frame when collected); `limit` comes from the subclass made for the app."""

    __slots__ = ()
    limit = DEFAULT_PACKET_BYTES

    @classmethod
    def bounded_to(cls, limit: int) -> type:
        made = _BOUNDED_CLASSES.get(limit)
        if made is None:
            made = _BOUNDED_CLASSES[limit] = type(cls.__name__, (cls,), {"__slots__": (), "limit": limit})
        return made

    def read_frame(self):
        header = Header.decode_header(self.stream)
        if header.flags:
            raise ProtocolError
        # What the message's frames so far carried (a new text or binary frame starts over).
        taken = 0 if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY) else self.environ.get(TAKEN, 0)
        if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY, self.OPCODE_CONTINUATION):
            self.environ[TAKEN] = taken = taken + header.length
        if header.length > self.limit or taken > self.limit:
            raise MessageTooBig(f"a message over {self.limit} bytes")
        if not header.length:
            return header, b""
        payload = self.raw_read(header.length)
        if len(payload) != header.length:
            raise ProtocolError("Unexpected EOF reading frame payload")
        if header.mask:
            payload = header.unmask_payload(payload)
        return header, payload

    def receive(self):
        try:
            return super().receive()
        except MessageTooBig:
            self.close(1009, b"message too big")
            return None

    def close(self, code=1000, message=b""):
        """Close with the status code in the frame (the base class sends only the reason)."""
        if self.closed:
            return
        try:
            self.send_frame(struct.pack("!H", code) + self._encode_bytes(message), opcode=self.OPCODE_CLOSE)
        except WebSocketError:
            pass  # the peer is gone; the connection closes all the same
        finally:
            self.closed = True
            self.stream = self.raw_write = self.raw_read = self.environ = None


class BoundedHandler(WebSocketHandler):
    """gevent's handler, closing refused requests at once and bounding WebSocket messages."""

    def run_application(self):
        try:
            return super().run_application()
        finally:
            if self.environ.get(REFUSED):
                # Answered without reading the body: close instead of waiting for it.
                # (gevent skips draining an input it marked as broken.)
                self.close_connection = True
                self.wsgi_input._chunked_input_error = True

    def upgrade_websocket(self):
        result = super().upgrade_websocket()
        websocket = getattr(self, "websocket", None)
        if websocket is not None and not isinstance(websocket, BoundedWebSocket):
            websocket.__class__ = BoundedWebSocket.bounded_to(limits_of(self.application)[1])
        return result


# What a stopping gunicorn worker does first (dialogue.server.start registers it: telling
# the sockets to reconnect elsewhere). Registered at start, not imported here: gunicorn loads
# this module before gevent patches the standard library, so it imports nothing of the app.
ON_SHUTDOWN: list = []


try:  # gunicorn is optional for `dialogue serve`
    from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
except ImportError:  # pragma: no cover
    Worker = None
else:
    class Worker(GeventWebSocketWorker):
        """gunicorn's gevent worker with the bounded handler: `-k dialogue.httpserver.Worker`.
        On SIGTERM it first tells its sockets to reconnect elsewhere (as `dialogue serve`
        does), then stops as gunicorn does: no new connections, requests under way finish
        within --graceful-timeout."""

        wsgi_handler = BoundedHandler

        def handle_exit(self, sig, frame):
            gevent.spawn(self._drain_then_exit, sig, frame)  # out of the signal handler

        def _drain_then_exit(self, sig, frame):
            try:
                for hook in ON_SHUTDOWN:
                    hook()
            finally:
                GeventWebSocketWorker.handle_exit(self, sig, frame)
