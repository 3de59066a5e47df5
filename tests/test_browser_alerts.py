"""Alerts in Chromium: a participant given the floor, or warned, gets a notification and a
chime; the other side's participant gets neither; arriving while already holding the floor
alerts nobody; the chime can be turned off (the notification stays), and the choice is kept."""

from __future__ import annotations

import pytest

from dialogue.moderation import sanctions

from .factories import gen_room
from .helpers import release_database, wait_until
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

# Notifications and sound recorded instead of shown and played: each chime starts two tones.
RECORDER = """
    window.__notices = [];
    window.__tones = 0;
    window.Notification = class {
        constructor(title, options) { window.__notices.push(title); }
        static get permission() { return "granted"; }
        static requestPermission() { return Promise.resolve("granted"); }
    };
    window.AudioContext = class {
        constructor() { this.state = "running"; this.currentTime = 0; this.destination = {}; }
        resume() { return Promise.resolve(); }
        createGain() {
            return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect(next) { return next; } };
        }
        createOscillator() {
            return { frequency: {}, connect(next) { return next; }, start() { window.__tones += 1; }, stop() {} };
        }
    };
"""


def _recorded(visitor) -> tuple[list[str], int]:
    notices, tones = visitor.page.evaluate("[window.__notices, window.__tones]")
    return notices, tones


def test_the_floor_and_a_warning_alert_only_their_member(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    alice, bora = room.participants
    # Read now: a lazy load later would open a read that SQLite's writer then waits behind.
    alice_id, bora_id, host_user = alice.member_id, bora.member_id, room.facilitator.user
    release_database()
    host, a, b = visitors("facilitator"), visitors("armenia"), visitors("azerbaijan")
    for visitor in (a, b):
        visitor.context.grant_permissions(["notifications"])
        visitor.page.add_init_script(RECORDER)
    for visitor, person in ((host, room.facilitator), (a, alice), (b, bora)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    for visitor in (a, b):
        visitor.page.click("#session-state")  # a first click lets the page play sound
    yours = a.page.get_attribute("#room", "data-i18n-floor-yours")

    # The facilitator gives Alice the floor: she is told, Bora is not.
    host.page.select_option("#floor-mode", "queue")
    a.page.wait_for_selector("#hand-button")
    a.page.click("#hand-button")
    host.page.wait_for_selector(f"#hands li[data-member-id='{alice_id}']")
    host.page.click(f"button[data-give-floor='{alice_id}']")
    a.page.wait_for_selector("#room[data-floor=mine]")
    wait_until(lambda: _recorded(a) == ([yours], 2), message="one notification and one chime for the floor")
    b.page.wait_for_selector("#floor-text:not(:empty)")
    assert _recorded(b) == ([], 0), "the other participant is not alerted"

    # Arriving while holding the floor is no news.
    a.open_room(room.id)
    a.page.wait_for_selector("#room[data-floor=mine]")
    a.page.click("#session-state")
    assert _recorded(a) == ([], 0)

    # A moderator's warning reaches only Bora, with its sentence.
    sanctions.sanction(host_user, room.id, bora_id, "warn", reason="Please keep to the topic.")
    release_database()
    wait_until(lambda: len(_recorded(b)[0]) == 1, message="the warned member is notified")
    notices, tones = _recorded(b)
    assert "Please keep to the topic." in notices[0] and tones == 2
    b.page.wait_for_selector(".room-notice-item[data-kind=warned]")
    assert _recorded(a) == ([], 0), "nobody else is alerted"

    # Alice turns the chime off; the floor comes to her again: a notification, no sound.
    a.page.click("#my-settings summary")
    a.page.uncheck("#sound-toggle")
    host.page.click("#take-floor")
    a.page.wait_for_selector("#room[data-floor=waiting]")
    a.page.click("#hand-button")
    host.page.wait_for_selector(f"#hands li[data-member-id='{alice_id}']")
    host.page.click(f"button[data-give-floor='{alice_id}']")
    wait_until(lambda: len(_recorded(a)[0]) == 1, message="notified again")
    assert _recorded(a) == ([yours], 0)
    # The choice stays in this browser.
    a.open_room(room.id)
    a.page.click("#my-settings summary")
    assert not a.page.is_checked("#sound-toggle")


def test_the_settings_page_sets_the_same_alerts_as_the_room(ctx, visitors):  # noqa: F811
    room = gen_room(participants=1)
    person = room.participants[0]
    email = person.user.email
    release_database()
    visitor = visitors("settings-alerts")
    visitor.context.grant_permissions(["notifications"])
    visitor.page.add_init_script(RECORDER)
    visitor.sign_in(email)
    visitor.visit("/settings")
    page = visitor.page
    page.wait_for_selector("#notifications .alert-controls:not([hidden])")
    assert page.inner_text("#notifications-button") == page.get_attribute("#notifications", "data-i18n-notifications-off")
    page.uncheck("#sound-toggle")
    page.click("#notifications-button")  # notifications off for this browser
    assert page.get_attribute("#notifications-button", "aria-pressed") == "false"
    visitor.shot("settings-alerts")
    # The room follows what was chosen on the settings page.
    visitor.open_room(room.id)
    page.click("#my-settings summary")
    assert not page.is_checked("#sound-toggle")
    assert page.get_attribute("#notifications-button", "aria-pressed") == "false"
