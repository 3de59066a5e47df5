"""The typing indicator in Chromium: the other participant sees who is writing while they
write, and it goes when they send; a pseudonymous session shows a count; the page's plural
forms are the language's (Russian: 1, 2, 5)."""

from __future__ import annotations

import pytest

from dialogue.extensions import db

from .factories import gen_room
from .helpers import release_database
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_other_side_sees_who_is_writing_until_it_is_sent(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    a, b = visitors("writer"), visitors("reader")
    for visitor, person in ((a, anahit), (b, leyla)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    a.page.click("#message-input")
    a.page.keyboard.type("I remember the orchard", delay=20)
    b.page.wait_for_selector(f"#typing-indicator:not([hidden]):has-text('{anahit.name} is writing')", timeout=5_000)
    assert a.page.locator("#typing-indicator").is_hidden(), "nobody is told about themselves"
    b.shot("typing")
    a.page.keyboard.press("Enter")
    b.page.wait_for_selector("#messages .message-body:has-text('I remember the orchard')")
    b.page.wait_for_selector("#typing-indicator", state="hidden", timeout=5_000)


def test_a_pseudonymous_session_shows_a_count_in_the_readers_language(ctx, visitors):  # noqa: F811
    room = gen_room(participants=3)
    room.session.pseudonymous = True
    db.session.commit()
    release_database()
    anahit, leyla, third = room.participants
    third.user.locale = "ru"
    db.session.commit()
    release_database()
    a, b, c = visitors("first"), visitors("second"), visitors("reader")
    for visitor, person in ((a, anahit), (b, leyla), (c, third)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    for writer in (a, b):
        writer.page.click("#message-input")
        writer.page.keyboard.type("Одну минуту", delay=20)
    c.page.wait_for_selector("#typing-indicator:not([hidden]):has-text('2 человека пишут')", timeout=5_000)
    text = c.page.inner_text("#typing-indicator")
    assert anahit.name not in text and leyla.name not in text
    c.shot("typing-count-ru")
    forms = c.page.evaluate("""async () => {
        const { pluralTranslator } = await import('/static/js/common.js');
        const tn = pluralTranslator(document.getElementById('room'));
        return [1, 2, 5, 21, 22, 25].map((n) => tn('typingCount', n));
    }""")
    assert forms == ["1 человек пишет…", "2 человека пишут…", "5 человек пишут…",
                     "21 человек пишет…", "22 человека пишут…", "25 человек пишут…"]
