"""The review queue in Chromium: an approval taken back from the recently decided list puts
the item back in the queue (and the message out of the participant's view), and a mute lasts
the duration the moderator chose."""

from __future__ import annotations

import pytest

from dialogue.extensions import db
from dialogue.models import Membership, utcnow
from dialogue.moderation import settings as moderation_settings

from .factories import gen_room
from .helpers import RecordingClient, release_database
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_an_approval_is_undone_from_the_recent_list(ctx, visitors, live_server):  # noqa: F811
    room = gen_room(participants=2)
    moderation_settings.update_settings(room.facilitator.user, room.id, {"moderation": "pre"})
    author, reader_person = room.participants
    moderator = visitors("moderator")
    moderator.sign_in(room.moderator.user.email)
    moderator.visit(f"/moderation?session={room.id}")
    moderator.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    assert moderator.page.is_visible("#recent-empty")
    reader = visitors("participant")
    reader.sign_in(reader_person.user.email)
    reader.open_room(room.id)
    writer = RecordingClient(live_server.url, author.token).connect()
    try:
        assert writer.call("join", {"session_id": room.id})["ok"]
        sent = writer.call("send", {"session_id": room.id, "client_id": "held-1",
                                    "body": "My grandmother's village had two names."})["message"]
        queued = moderator.page.locator(f"li.queue-item[data-message-id='{sent['id']}']")
        queued.wait_for(timeout=5_000)
        # The flag count reads in the singular when there is one (none here: pre-moderation).
        queued.locator("button[data-action=approve]").click()
        queued.wait_for(state="detached", timeout=5_000)
        reader.page.wait_for_selector("#messages .message-body:has-text('two names')", timeout=5_000)
        recent = moderator.page.locator("#recent-list li.queue-recent-item")
        recent.wait_for(timeout=5_000)
        assert "approved" in recent.inner_text()
        assert moderator.page.is_hidden("#recent-empty")
        moderator.shot("recent")
        recent.locator("button").click()
        moderator.page.wait_for_selector(f"li.queue-item[data-message-id='{sent['id']}']", timeout=5_000)
        assert moderator.page.locator("#recent-list li").count() == 0
        assert "back in the queue" in moderator.page.inner_text("#queue-announce")
        # The participant saw it; now it is out of their view again, its words gone.
        reader.page.wait_for_selector(f"#messages li.message[data-message-id='{sent['id']}'][data-status=hidden]",
                                      timeout=5_000)
        assert "two names" not in reader.page.inner_text("#messages")
    finally:
        writer.close()


def test_a_mute_lasts_the_chosen_time_and_flags_are_counted_in_words(ctx, visitors, live_server):  # noqa: F811
    room = gen_room(participants=2)
    author, flagger = room.participants
    moderator = visitors("moderator")
    moderator.sign_in(room.moderator.user.email)
    moderator.visit(f"/moderation?session={room.id}")
    moderator.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    writer = RecordingClient(live_server.url, author.token).connect()
    other = RecordingClient(live_server.url, flagger.token).connect()
    try:
        assert writer.call("join", {"session_id": room.id})["ok"]
        assert other.call("join", {"session_id": room.id})["ok"]
        sent = writer.call("send", {"session_id": room.id, "client_id": "sharp-1",
                                    "body": "You people never listen."})["message"]
        assert other.call("flag", {"message_id": sent["id"], "reason": "personal_attack"})["ok"]
        queued = moderator.page.locator(f"li.queue-item[data-message-id='{sent['id']}']")
        queued.wait_for(timeout=5_000)
        assert queued.locator(".queue-flag-count").inner_text() == "1 flag"
        queued.locator(".queue-reason-input").fill("Please speak for yourself")
        queued.locator("select[id^=queue-mute-]").select_option("30")
        queued.locator("button[data-sanction=mute]").click()
        queued.locator(".queue-item-status:not(:empty)").wait_for(timeout=5_000)
    finally:
        writer.close()
        other.close()
    release_database()
    membership = db.session.get(Membership, author.membership.id)
    db.session.refresh(membership)
    minutes = (membership.muted_until - utcnow()).total_seconds() / 60
    assert 28 < minutes <= 30
