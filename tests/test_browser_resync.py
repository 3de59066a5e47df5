"""`resync` in Chromium: a message whose live event never reached the page (lost between
server processes) appears once the server says `resync`, read from the last complete
catch-up even though a later message did arrive live, once and in its place."""

from __future__ import annotations

import uuid

import pytest

from dialogue.extensions import socketio
from dialogue.room.messages import send_message

from .factories import gen_room
from .helpers import release_database
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

BODIES = """() => [...document.querySelectorAll('#messages li.message .message-body')].map(b => b.textContent.trim())"""


def test_a_lost_live_event_is_caught_up_after_resync(ctx, visitors, monkeypatch):  # noqa: F811
    room = gen_room(participants=2)
    writer, reader_person = room.participants
    send_message(writer.user, room.id, uuid.uuid4().hex, "Before anything went wrong.")
    email = reader_person.user.email
    release_database()
    reader = visitors("reader")
    reader.sign_in(email)
    reader.open_room(room.id)
    page = reader.page
    page.wait_for_selector("#messages .message-body:has-text('Before anything went wrong.')")
    # The next message is stored, but its live event is lost on the way (as in a queue outage).
    with monkeypatch.context() as patch:
        patch.setattr(socketio, "emit", lambda *args, **kwargs: None)
        send_message(writer.user, room.id, uuid.uuid4().hex, "Lost on the way.")
    # A later one arrives live: the page's highest seq is now past the lost one.
    send_message(writer.user, room.id, uuid.uuid4().hex, "Arrived live.")
    release_database()
    page.wait_for_selector("#messages .message-body:has-text('Arrived live.')")
    assert "Lost on the way." not in page.evaluate(BODIES)
    # The server says events may have been lost: the page reads them from the database.
    socketio.emit("resync", {"reason": "gap"}, namespace="/")
    page.wait_for_selector("#messages .message-body:has-text('Lost on the way.')")
    assert page.evaluate(BODIES) == ["Before anything went wrong.", "Lost on the way.", "Arrived live."]
