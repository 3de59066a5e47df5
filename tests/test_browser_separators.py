"""Day and phase separators in Chromium: the room's list marks the first message of each day
(in the reader's time zone) and of each agenda phase, from history and live, with the
phase's title (also of a phase opened while the reader is there); separators are no Tab
stops and the arrow keys step over them."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from dialogue.extensions import db
from dialogue.facilitation import agenda
from dialogue.facilitation.control import control
from dialogue.models import Message, utcnow
from dialogue.room.messages import send_message

from .factories import gen_room
from .helpers import release_database
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

SEPARATORS = """() => [...document.querySelectorAll('#messages > li')].map(li =>
    li.classList.contains('list-separator') ? li.dataset.kind + ': ' + li.textContent
    : li.classList.contains('message') ? 'message ' + li.querySelector('.message-body').textContent.trim() : '')
    .filter(Boolean)"""


def test_days_and_phases_are_marked_in_the_list(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    host = room.facilitator.user
    alice, bora = room.participants
    agenda.set_agenda(host, room.id, [{"title": "Introductions", "prompt": "Say who you are."},
                                      {"title": "Sharing memories", "prompt": "One memory."},
                                      {"title": "Closing", "prompt": "What now?"}])

    def say(person, text):
        message, _created = send_message(person.user, room.id, uuid.uuid4().hex, text)
        return message.id

    earlier = [say(alice, "Before the agenda, yesterday."), say(bora, "Also yesterday.")]
    control(host, room.id, "next_phase")
    say(alice, "In the first phase.")
    control(host, room.id, "next_phase")
    say(bora, "In the second phase.")
    say(alice, "Still the second phase.")
    # The first two were written the day before (the session's readers are in UTC here).
    for message_id in earlier:
        message = db.session.get(Message, message_id)
        message.created_at = message.created_at - timedelta(days=1)
    db.session.commit()
    yesterday, today = utcnow() - timedelta(days=1), utcnow()
    alice_user = alice.user
    release_database()

    reader = visitors("separators")
    reader.sign_in(alice_user.email)
    reader.open_room(room.id)
    page = reader.page
    page.wait_for_selector("#messages li.message:has-text('Still the second phase.')")
    day = page.evaluate("""([a, b]) => [a, b].map(d => new Intl.DateTimeFormat('en',
        {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC'}).format(new Date(d)))""",
                        [yesterday.isoformat(), today.isoformat()])
    assert page.evaluate(SEPARATORS) == [
        f"day: {day[0]}", "message Before the agenda, yesterday.", "message Also yesterday.",
        f"day: {day[1]}", "phase: Phase 1: Introductions", "message In the first phase.",
        "phase: Phase 2: Sharing memories", "message In the second phase.", "message Still the second phase.",
    ]
    # A phase opened while the reader is here is named too.
    control(host, room.id, "next_phase")
    release_database()
    page.wait_for_selector("#phase-title:has-text('Closing')")
    say(bora, "A closing thought.")
    release_database()
    page.wait_for_selector("#messages li.message:has-text('A closing thought.')")
    assert page.evaluate(SEPARATORS)[-2:] == ["phase: Phase 3: Closing", "message A closing thought."]
    # Separators are headings, take no Tab stop, and the arrows step over them.
    assert page.locator("#messages > li.list-separator > h3").count() == 5, "each is a heading in the list"
    assert page.evaluate("[...document.querySelectorAll('#messages .list-separator')].every(s => s.tabIndex < 0)")
    page.focus("#messages li.message:has-text('In the first phase.')")
    page.keyboard.press("ArrowUp")
    assert "Also yesterday." in page.evaluate("document.activeElement.textContent")
    reader.shot("separators")
