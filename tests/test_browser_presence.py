""""Here now" in a real browser: a member who hid their presence is left out of the others'
lists but still sees themselves, marked "you (hidden)"."""

from __future__ import annotations

import pytest

from dialogue.extensions import db
from dialogue.models import Membership

from .factories import gen_room
from .test_browser import visitors  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_a_hidden_member_sees_themselves_marked_hidden(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    alice, bora = room.participants
    db.session.get(Membership, alice.membership.id).hide_presence = True
    db.session.commit()
    a, b = visitors("hidden"), visitors("shown")
    for visitor, person in ((a, alice), (b, bora)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
        visitor.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    # Alice sees herself, hidden, beside Bora; Bora sees only himself.
    mine = a.page.wait_for_selector(f"#presence li[data-member-id='{alice.member_id}'][data-hidden=true]")
    assert "you (hidden)" in mine.inner_text() and alice.name in mine.inner_text()
    a.page.wait_for_selector(f"#presence li[data-member-id='{bora.member_id}']")
    b.page.wait_for_selector(f"#presence li[data-member-id='{bora.member_id}']")
    assert alice.name not in b.page.inner_text("#presence")
    assert "(hidden)" not in b.page.inner_text("#presence")
    # Showing herself again: the server lists her, marked as herself as usual.
    a.page.click("#my-settings summary")
    assert a.page.is_checked("#presence-hidden")
    a.page.uncheck("#presence-hidden")
    shown = b.page.wait_for_selector(f"#presence li[data-member-id='{alice.member_id}']")
    assert alice.name in shown.inner_text()
    a.page.wait_for_selector(f"#presence li[data-member-id='{alice.member_id}']:not([data-hidden])")
    assert "(you)" in a.page.inner_text(f"#presence li[data-member-id='{alice.member_id}']")
    # Hiding again: gone from Bora's list, still in her own.
    a.page.check("#presence-hidden")
    b.page.wait_for_selector(f"#presence li[data-member-id='{alice.member_id}']", state="detached")
    a.page.wait_for_selector(f"#presence li[data-member-id='{alice.member_id}'][data-hidden=true]")
