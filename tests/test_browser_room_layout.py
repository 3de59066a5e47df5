"""The room's layout in Chromium: the composer stays in view with a long conversation, at a
laptop's and a phone's size, and the keyboard reaches it from the top of the page quickly."""

from __future__ import annotations

import uuid

import pytest

from dialogue.room.messages import send_message

from .factories import gen_room
from .helpers import release_database
from .test_browser import ARTIFACTS, visitors  # noqa: F401 (the fixture)

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


TAB_STOPS = """() => [...document.querySelectorAll('#messages-scroller, #messages-scroller *')]
    .filter(el => el.tabIndex >= 0 && !el.disabled && el.getClientRects().length > 0)
    .map(el => el.id || el.className)"""


def _focused(page) -> str:
    return page.evaluate("""() => { const el = document.activeElement;
        const item = el.closest('li.message');
        return (item ? item.id : '') + (el === item ? '' : ' > ' + el.className); }""")


def test_the_message_list_is_one_tab_stop_with_arrow_keys_inside(ctx, visitors):  # noqa: F811
    room = _long_room()
    first, last = room.participants[0], room.participants[1]
    visitor = visitors("arrows")
    visitor.sign_in(first.user.email)
    visitor.open_room(room.id)
    page = visitor.page
    page.wait_for_selector("#messages li.message:nth-child(60)")
    ids = page.locator("#messages li.message").evaluate_all("items => items.map(li => li.id)")
    # Sixty messages with their Reply and Flag buttons: one Tab stop, the newest message.
    assert page.evaluate(TAB_STOPS) == [ids[-1]]
    page.focus(f"#{ids[-1]}")
    page.keyboard.press("ArrowUp")
    assert _focused(page) == ids[-2]
    page.keyboard.press("Home")
    assert _focused(page) == ids[0]
    page.keyboard.press("ArrowDown")
    assert _focused(page) == ids[1]
    assert page.evaluate(TAB_STOPS) == [ids[1]], "the Tab stop moves with the keyboard"
    # Right and Left walk the message's buttons; Escape comes back to the message.
    page.keyboard.press("ArrowRight")
    first_control = _focused(page)
    assert first_control.startswith(ids[1] + " > ")
    page.keyboard.press("ArrowRight")
    assert _focused(page) != first_control and _focused(page).startswith(ids[1] + " > ")
    page.keyboard.press("ArrowLeft")
    assert _focused(page) == first_control
    page.keyboard.press("Escape")
    assert _focused(page) == ids[1]
    # The flag form opened from the keyboard keeps its own Tab order; Escape closes it and the
    # keyboard is back on the Flag button.
    page.keyboard.press("End")
    while "message-flag-button" not in _focused(page):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{ids[-1]} .flag-form select")
    assert page.evaluate("document.activeElement.closest('.flag-form') !== null")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.flag-form') !== null"), "Tab stays in the open form"
    page.keyboard.press("Escape")
    page.wait_for_selector(f"#{ids[-1]} .flag-form", state="detached")
    assert "message-flag-button" in _focused(page)
    # Tab leaves the list at once.
    page.focus(f"#{ids[-1]}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#messages') === null")
    # A message arriving live adds no Tab stop.
    page.focus(f"#{ids[10]}")
    send_message(last.user, room.id, uuid.uuid4().hex, "One more thought, arriving live.")
    release_database()
    page.wait_for_selector("#messages li.message:has-text('arriving live')")
    assert page.evaluate(TAB_STOPS) == [ids[10]]
    page.screenshot(path=str(ARTIFACTS / "roving-viewport.png"))  # what the reader sees, not the full page
    visitor.shot("roving")
