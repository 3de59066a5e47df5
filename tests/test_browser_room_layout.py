"""The room's layout in Chromium: the composer stays in view with a long conversation, at a
laptop's and a phone's size, and the keyboard reaches it from the top of the page quickly."""

from __future__ import annotations

import uuid

import pytest

from dialogue.room.messages import send_message

from .factories import gen_room
from .helpers import release_database
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _long_room():
    room = gen_room(participants=2)
    for index in range(60):
        person = room.participants[index % 2]
        send_message(person.user, room.id, uuid.uuid4().hex, f"Message number {index} about what we remember.")
    release_database()
    return room


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)])
def test_the_composer_is_in_view_with_sixty_messages(ctx, visitors, size):  # noqa: F811
    room = _long_room()
    visitor = visitors(f"layout-{size[0]}")
    visitor.page.set_viewport_size({"width": size[0], "height": size[1]})
    visitor.sign_in(room.participants[0].user.email)
    visitor.open_room(room.id)
    visitor.page.wait_for_selector("#messages li.message:nth-child(60)")
    for scroll in ("top", "bottom"):
        visitor.page.evaluate(f"window.scrollTo(0, {0 if scroll == 'top' else 'document.body.scrollHeight'})")
        box = visitor.page.locator("#message-input").bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size[1], (scroll, box)
        send = visitor.page.locator("#send-button").bounding_box()
        assert send["y"] + send["height"] <= size[1], (scroll, send)
    visitor.shot(f"layout-{size[0]}")


def test_the_keyboard_reaches_the_composer_in_three_tabs(ctx, visitors):  # noqa: F811
    room = _long_room()
    visitor = visitors("keyboard")
    visitor.sign_in(room.participants[0].user.email)
    visitor.open_room(room.id)
    visitor.page.wait_for_selector("#messages li.message:nth-child(60)")
    visitor.page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    presses = 0
    for presses in range(1, 4):  # noqa: B007 (read after the loop)
        visitor.page.keyboard.press("Tab")
        if visitor.page.evaluate("document.activeElement.id") == "message-input":
            break
        focused = visitor.page.evaluate("document.activeElement.getAttribute('href')")
        if focused == "#message-input":
            visitor.page.keyboard.press("Enter")
            break
    assert visitor.page.evaluate("document.activeElement.id") == "message-input", presses
