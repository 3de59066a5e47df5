"""Interpreters in a real browser: an Armenian-language and an Azerbaijani-language participant
each read the room in their language; an interpreter's translation appears under the message
for both, live; the Armenian reader hides translations; the transcript carries it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import Flag, User
from dialogue.transcripts import publishing

from .factories import Person, gen_member, gen_room, gen_token
from .helpers import release_database, stored_count, wait_until
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

ARMENIAN = "Իմ տատիկը Շուշիից էր, և ես ուզում եմ լսել ձեր պատմությունը։"
AZERBAIJANI = "Mənim nənəm Şuşadan idi və mən sizin hekayənizi eşitmək istəyirəm."


def test_an_interpreters_translation_reaches_both_sides_in_their_languages(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    user, membership = gen_member(room.session, "interpreter", side=None, name="Interpreter Nare")
    interpreter = Person(user, membership, gen_token(user))
    for person, locale in ((anahit, "hy"), (leyla, "az"), (interpreter, "en")):
        db.session.get(User, person.id).locale = locale
    db.session.commit()
    release_database()

    a, b, i = visitors("armenian"), visitors("azerbaijani"), visitors("interpreter")
    for visitor, person in ((a, anahit), (b, leyla), (i, interpreter)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    # Each reads the room in their own language.
    assert a.page.get_attribute("html", "lang") == "hy" and b.page.get_attribute("html", "lang") == "az"
    assert a.page.inner_text("#send-button") != "Send" and b.page.inner_text("#send-button") != "Send"
    assert a.page.inner_text("#send-button") != b.page.inner_text("#send-button")
    # The composer offers one's own language first; the message records it.
    assert a.page.input_value("#composer-lang") == "hy"
    a.write(ARMENIAN)
    for visitor in (a, b, i):
        visitor.page.wait_for_selector(f"#messages li.message .message-body[lang=hy]:has-text('{ARMENIAN[:20]}')")
    # The interpreter finds it in the list of what is not yet translated into Azerbaijani, newest
    # first, and translates it from there.
    i.page.select_option("#untranslated-lang", "az")
    i.page.click("#untranslated-list li:first-child a")
    assert i.page.input_value(".translate-form select") == "az"
    i.page.fill(".translate-form textarea", AZERBAIJANI)
    i.page.click(".translate-form button[type=submit]")
    i.page.wait_for_selector("#untranslated-list li", state="detached")
    for visitor in (a, b, i):
        translation = visitor.page.wait_for_selector("#messages li.message .translation .message-body[lang=az]",
                                                     state="visible", timeout=5_000)
        assert translation.inner_text() == AZERBAIJANI
        label = visitor.page.inner_text("#messages li.message .translation .translation-meta")
        assert "Interpreter Nare" in label
    b.shot("translation")
    a.shot("translation")
    i.shot("translation")
    # Marked as an interpretation in each reader's language.
    assert a.page.inner_text(".translation-label") != b.page.inner_text(".translation-label")
    # The Armenian reader hides translations; the choice stays after a reload.
    a.page.select_option("#translation-view", "none")
    a.page.wait_for_selector("#messages .translation", state="hidden")
    release_database()

    def saved():
        # Read the column itself: the test's session keeps loaded objects across commits.
        view = db.session.scalar(select(User.translation_view).where(User.id == anahit.id))
        release_database()  # each look ends its read, or SQLite's writer waits behind it
        return view

    wait_until(lambda: saved() == "none", message="the choice is kept in the profile")
    a.open_room(room.id)
    a.page.wait_for_selector("#messages li.message .message-body[lang=hy]")
    assert a.page.locator("#messages .translation").first.is_hidden()
    assert b.page.locator("#messages .translation").first.is_visible()
    # Members flag a translation as any message.
    b.page.click("#messages .translation .message-flag-button")
    b.page.select_option(".translation .flag-form select", "off_topic")
    b.page.click(".translation .flag-form button[type=submit]")
    b.page.wait_for_selector("#messages .translation .flag-result")
    release_database()
    wait_until(lambda: stored_count(Flag, Flag.flagger_id == leyla.id) == 1, message="the flag is stored")
    # The published transcript carries the translation beside its original.
    publishing.publish(room.facilitator.user, room.id, "pseudonym")
    release_database()
    for fmt in ("md", "html"):
        response = b.page.request.get(f"/api/sessions/{room.id}/transcript?format={fmt}")
        assert response.ok, response.status
        text = response.text()
        assert ARMENIAN in text and AZERBAIJANI in text
        assert text.index(ARMENIAN) < text.index(AZERBAIJANI)
