"""Authors' own messages in Chromium: an author edits and deletes a message and the other
participant sees both live."""

from __future__ import annotations

import pytest

from dialogue.extensions import db
from dialogue.models import Membership, utcnow

from .factories import gen_room
from .helpers import release_database, wait_until
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_an_author_edits_and_deletes_and_the_other_side_sees_it_live(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    anahit, leyla = room.participants
    a, b = visitors("author"), visitors("reader")
    for visitor, person in ((a, anahit), (b, leyla)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    a.write("We lived on the same street in 1987.")
    b.page.wait_for_selector("#messages .message-body:has-text('same street in 1987')")
    a.page.click("#messages li.message-own .message-edit-button")
    a.page.fill("#messages .edit-form textarea", "We lived on the same street in 1986.")
    a.page.click("#messages .edit-form button[type=submit]")
    b.page.wait_for_selector("#messages .message-body:has-text('same street in 1986')", timeout=5_000)
    assert b.page.locator("#messages li.message .message-edited").count() == 1
    assert b.page.locator("#messages .message-edit-button").count() == 0, "only the author may edit"
    b.shot("edited")
    a.page.click("#messages li.message-own .message-delete-button")
    a.page.wait_for_selector("#messages .delete-confirm")
    a.shot("delete-question")
    a.page.click("#messages .delete-confirm .button-danger")
    b.page.wait_for_selector("#messages li.message[data-status=deleted]", timeout=5_000)
    assert "1986" not in b.page.inner_text("#messages")
    assert "1986" not in a.page.inner_text("#messages")
    b.shot("deleted")


def test_a_moderator_mutes_from_the_room(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    anahit = room.participants[0]
    p, m = visitors("participant"), visitors("moderator")
    for visitor, person in ((p, anahit), (m, room.moderator)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    p.write("A message the moderator acts on")
    m.page.wait_for_selector("#messages li.message .message-moderate-button")
    m.page.click("#messages li.message .message-moderate-button")
    m.page.fill(".staff-menu input[type=text]", "Please take a break and read the ground rules")
    m.page.select_option(".staff-menu select", "30")
    m.shot("staff-menu")
    m.page.click(".staff-menu button:nth-of-type(4)")
    m.page.wait_for_selector(".staff-menu-status:not(:empty)")
    # The participant is told, and their composer closes.
    p.page.wait_for_selector("#message-input:disabled, #composer[data-closed], #composer-note:has-text('30')",
                             timeout=5_000)
    release_database()
    membership = db.session.get(Membership, anahit.membership.id)
    db.session.refresh(membership)
    assert membership.muted_until is not None
    minutes = (membership.muted_until - utcnow()).total_seconds() / 60
    assert 28 < minutes <= 30
    # The button closes the open panel; Escape closes it too, and the keyboard returns to its button.
    m.page.click("#messages li.message .message-moderate-button")
    m.page.wait_for_selector(".staff-menu", state="detached")
    m.page.click("#messages li.message .message-moderate-button")
    m.page.keyboard.press("Escape")
    m.page.wait_for_selector(".staff-menu", state="detached")
    assert m.page.evaluate("document.activeElement.classList.contains('message-moderate-button')")


def test_the_tab_title_counts_unread_and_a_mention_notifies_only_its_target(ctx, visitors):  # noqa: F811
    room = gen_room(participants=3)
    anahit, leyla, third = room.participants
    a, b, c = visitors("writer"), visitors("named"), visitors("bystander")
    for visitor in (b, c):
        visitor.context.grant_permissions(["notifications"])
        # Record notifications instead of showing them.
        visitor.page.add_init_script("""
            window.__notices = [];
            window.Notification = class { constructor(title, options) { window.__notices.push(title); }
              static get permission() { return "granted"; } static requestPermission() { return "granted"; } };
        """)
    for visitor, person in ((a, anahit), (b, leyla), (c, third)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    base = b.page.title()
    # The named reader's page goes to the background.
    for visitor in (b, c):
        visitor.page.evaluate("""() => {
            Object.defineProperty(document, "visibilityState", { value: "hidden", configurable: true });
            document.dispatchEvent(new Event("visibilitychange"));
        }""")
    a.write("A first thought")
    a.write(f"And a question for @{leyla.name}: what do you remember?")
    wait_until(lambda: b.page.title().startswith("(2) "), message="the title counts two unread")
    assert b.page.title() == "(2) " + base
    wait_until(lambda: b.page.evaluate("window.__notices.length") == 1, message="one notification")
    assert leyla.name not in b.page.evaluate("window.__notices[0]") and anahit.name in b.page.evaluate(
        "window.__notices[0]")
    wait_until(lambda: c.page.title().startswith("(2) "), message="the bystander's title counts too")
    assert c.page.evaluate("window.__notices.length") == 0, "only the member mentioned is notified"
    assert b.page.locator("#messages .unread-divider").count() == 1
    # Coming back reads them.
    b.page.evaluate("""() => {
        Object.defineProperty(document, "visibilityState", { value: "visible", configurable: true });
        document.dispatchEvent(new Event("visibilitychange"));
    }""")
    wait_until(lambda: b.page.title() == base, message="coming back reads them")
    # Search finds a message as plain text.
    b.page.fill("#search-input", "WHAT DO YOU")
    b.page.press("#search-input", "Enter")
    b.page.wait_for_selector("#search-results li")
    assert "what do you remember" in b.page.inner_text("#search-results")
