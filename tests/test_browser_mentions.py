"""@mention completion in Chromium: after "@" and the start of a name the composer lists the
members whose session name matches; the arrow keys choose, Enter puts the name in the text
(and does not send), Escape closes the list and keeps the text; the mentioned member alone is
told when the message goes out."""

from __future__ import annotations

import uuid

import pytest

from dialogue.extensions import db
from dialogue.models import DialogueSession
from dialogue.room.messages import send_message

from .factories import gen_member, gen_room
from .helpers import release_database
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_the_composer_completes_a_members_name_after_an_at_sign(ctx, visitors):  # noqa: F811
    room = gen_room(participants=1)
    session = db.session.get(DialogueSession, room.id)
    writer = room.participants[0]
    leyla, _ = gen_member(session, "participant", side="b", name="Leyla Aliyeva")
    levon, _ = gen_member(session, "participant", side="a", name="Levon Sargsyan")
    # A name that starts with another: offered too (the page learnt it from a message), and
    # choosing the shorter one closes the list for good.
    junior, _ = gen_member(session, "participant", side="a", name="Levon Sargsyan Jr")
    send_message(junior, room.id, uuid.uuid4().hex, "Hello from the younger Levon.")
    db.session.commit()
    emails = (writer.user.email, leyla.email, levon.email)
    release_database()
    a, b, c = visitors("writer"), visitors("leyla"), visitors("levon")
    for visitor, email in zip((a, b, c), emails, strict=True):
        visitor.sign_in(email)
        visitor.open_room(room.id)
    page = a.page
    page.wait_for_selector("#presence li:has-text('Levon Sargsyan')")
    page.wait_for_selector("#messages .message-body:has-text('younger Levon')")
    page.click("#message-input")
    page.keyboard.type("Thank you, @le")
    page.wait_for_selector("#mention-options:not([hidden])")
    options = page.locator("#mention-options [role=option]").all_inner_texts()
    assert options == ["Levon Sargsyan", "Levon Sargsyan Jr", "Leyla Aliyeva"]
    a.shot("mention-list")
    assert page.get_attribute("#message-input", "aria-activedescendant") == "mention-options-0"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#mention-options-1", "aria-selected") == "true"
    page.keyboard.press("ArrowUp")
    assert page.get_attribute("#message-input", "aria-activedescendant") == "mention-options-0"
    page.keyboard.press("Enter")
    assert page.input_value("#message-input") == "Thank you, @Levon Sargsyan "
    assert page.is_hidden("#mention-options")
    assert page.locator("#messages li.message").count() == 1, "choosing a name sends nothing"
    # Escape closes the list and keeps what was written; an unknown name offers nothing.
    page.keyboard.type("and @zz")
    assert page.is_hidden("#mention-options")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("Ley")
    page.wait_for_selector("#mention-options:not([hidden])")
    page.keyboard.press("Escape")
    assert page.is_hidden("#mention-options") and page.input_value("#message-input").endswith("and @Ley")
    a.shot("mention-typed")
    page.fill("#message-input", "")
    page.keyboard.type("Thank you, @Lev")
    page.wait_for_selector("#mention-options:not([hidden])")
    page.keyboard.press("Tab")
    page.keyboard.type("for that.")
    page.keyboard.press("Enter")
    page.wait_for_selector("#messages .message-body:has-text('@Levon Sargsyan for that.')")
    # Levon is told (his message is marked); Leyla is not, nor is Levon Sargsyan Jr.
    c.page.wait_for_selector("#messages li.message-mentions-me")
    b.page.wait_for_selector("#messages .message-body:has-text('@Levon Sargsyan for that.')")
    assert b.page.locator("#messages li.message-mentions-me").count() == 0
