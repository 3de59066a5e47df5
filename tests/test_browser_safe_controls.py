"""Safe controls in Chromium: ending a session asks first (what ending means), Cancel leaves it
live and only Confirm ends it, for everyone at once; a facilitator can reopen it within the
grace period. The join form's consent starts unchosen and must be chosen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogue.extensions import db
from dialogue.models import DialogueSession
from dialogue.sessions import actions as dialogues

from .factories import gen_room, gen_session, gen_user
from .helpers import release_database, wait_until
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _state(session_id: str) -> str:
    state = db.session.scalar(select(DialogueSession.state).where(DialogueSession.id == session_id))
    release_database()
    return state


def test_ending_asks_first_and_only_confirm_ends(ctx, visitors):  # noqa: F811
    room = gen_room(participants=1)
    host_email, reader_email = room.facilitator.user.email, room.participants[0].user.email
    release_database()
    host, reader = visitors("facilitator"), visitors("participant")
    host.sign_in(host_email)
    host.open_room(room.id)
    reader.sign_in(reader_email)
    reader.open_room(room.id)
    end = host.page.locator("#facilitator-panel button[data-control=end]")
    end.click()
    dialog = host.page.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    sentence = dialog.locator("[data-confirm-sentence]").inner_text()
    assert sentence.strip(), "the question says what ending means"
    assert host.page.evaluate("document.activeElement.value") == "cancel", "the safe choice has the keyboard"
    host.shot("end-question")
    dialog.locator("button[value=cancel]").click()
    dialog.wait_for(state="hidden")
    assert _state(room.id) == "live", "Cancel ends nothing"
    assert host.page.evaluate("document.activeElement.dataset.control") == "end", "focus goes back to the button"
    # Escape cancels too.
    end.click()
    dialog.wait_for(state="visible")
    host.page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert _state(room.id) == "live"
    # Confirm ends it, and everyone sees the end at once.
    end.click()
    dialog.locator("button[value=confirm]").click()
    reader.page.wait_for_selector("#session-state[data-state=ended]")
    wait_until(lambda: _state(room.id) == "ended", message="the session ended")
    assert reader.page.locator("#message-input").is_disabled()
    # Ended by mistake: reopened within the grace period, in the record.
    reopen = host.page.locator("#facilitator-panel button[data-control=reopen]")
    reopen.wait_for(state="visible")
    reopen.click()
    reader.page.wait_for_selector("#session-state[data-state=live]")
    wait_until(lambda: _state(room.id) == "live", message="the session is live again")


def test_the_join_forms_consent_starts_unchosen(ctx, visitors):  # noqa: F811
    host = gen_user("facilitator")
    session = gen_session(host, state="live", title="Memory and recognition")
    _invitation, token = dialogues.create_invitation(host, session, role="participant", side="a")
    guest_user = gen_user("participant")
    email = guest_user.email
    release_database()
    guest = visitors("joining")
    guest.allow_form_errors = True  # the form is sent once without a choice, on purpose
    guest.sign_in(email)
    guest.visit(f"/invite/{token}")
    page = guest.page
    page.wait_for_selector("#display_name")
    radios = page.locator("input[name=naming], input[name=include]")
    assert radios.count() >= 4
    assert radios.evaluate_all("inputs => inputs.filter(i => i.checked).length") == 0, "nothing is chosen for them"
    page.check("#accept_rules")
    page.click("main button[type=submit], main input[type=submit]")
    # Refused until both are chosen, with the reason next to the fields.
    page.wait_for_selector("#display_name")
    assert "/invite/" in page.url
    for name in ("naming", "include"):
        assert "field-invalid" in page.get_attribute(f"fieldset#{name}", "class"), name
        assert page.inner_text(f"#{name}-error").strip(), name
    assert page.locator(".field-errors li").count() >= 2
    page.check("#naming-1")
    page.check("#include-1")
    page.check("#accept_rules")
    page.click("main button[type=submit], main input[type=submit]")
    page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    assert page.url.endswith(f"/s/{session.id}")
