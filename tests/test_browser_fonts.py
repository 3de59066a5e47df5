"""Fonts and layout in Chromium on a 390×844 phone: a 60-letter Armenian word, a 60-letter
Russian word and a long URL in a session's title, description, ground rules and a message
widen no page, and Armenian is drawn with the font the site ships (Noto Sans Armenian)."""

from __future__ import annotations

import uuid

import pytest

from dialogue.extensions import db
from dialogue.models import DialogueSession
from dialogue.room import messages
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import publishing

from .factories import gen_room
from .helpers import release_database
from .test_browser import ARTIFACTS, visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]

ARMENIAN = "".join(chr(0x0561 + i % 38) for i in range(60))  # ա … և, 60 letters, no break
RUSSIAN = "".join("абвгдежзийклмнопрстуфхцчшщыэюя"[i % 30] for i in range(60))
AZERBAIJANI = "Azərbaycan: ə ğ ı ö ş ç ü Ə Ğ İ Ö Ş Ç Ü"
URL = "https://example.org/" + "a" * 120 + "?q=" + "b" * 60
PHONE = {"width": 390, "height": 844}

OVERFLOW = """() => {
    const doc = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
        .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && el.offsetParent !== null
                      && !el.closest('.table-scroll') && getComputedStyle(el).position !== 'fixed')
        .slice(0, 5).map(el => el.tagName + '.' + el.className + ': ' + (el.textContent || '').slice(0, 40));
    return {scroll: doc.scrollWidth, inner: window.innerWidth, wide};
}"""
FONT = """async () => {
    await document.fonts.ready;
    const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Noto Sans Armenian');
    return {loaded: faces.filter(f => f.status === 'loaded').map(f => f.weight),
            check: document.fonts.check('16px "Noto Sans Armenian"', 'Աբգ'),
            family: getComputedStyle(document.body).fontFamily};
}"""


def _no_overflow(visitor, path: str) -> None:
    page = visitor.page
    page.wait_for_load_state("networkidle")
    found = page.evaluate(OVERFLOW)
    assert found["scroll"] <= found["inner"], (path, found)


def test_long_words_fit_a_phone_and_armenian_uses_the_shipped_font(ctx, visitors):  # noqa: F811
    room = gen_room(participants=2)
    session = db.session.get(DialogueSession, room.session.id)
    session.title = f"{ARMENIAN} {RUSSIAN}"
    session.description = f"{ARMENIAN}\n{RUSSIAN}\n{AZERBAIJANI}\n{URL}"
    session.ground_rules = f"1. {ARMENIAN}\n2. {RUSSIAN}\n3. {URL}"
    session.language = "hy"
    db.session.commit()
    author = room.participants[0]
    messages.send_message(author.user, session.id, uuid.uuid4().hex, f"{ARMENIAN} {RUSSIAN} {URL} {AZERBAIJANI}")
    _invitation, token = dialogues.create_invitation(room.facilitator.user, session, role="participant", side="b")
    publishing.publish(room.facilitator.user, session.id, "side", public=True)
    db.session.commit()

    # Someone whose browser asks for no language the platform has opens the invitation: the
    # page is in the session's language, Armenian.
    guest = visitors("guest")
    guest.page.set_extra_http_headers({"Accept-Language": "de-DE,de;q=0.9"})
    fonts_fetched: list[str] = []
    guest.page.on("requestfinished", lambda request: fonts_fetched.append(request.url)
                  if request.url.endswith(".woff2") else None)
    guest.page.set_viewport_size(PHONE)
    guest.visit(f"/invite/{token}")
    assert guest.page.evaluate("document.documentElement.lang") == "hy"
    _no_overflow(guest, "/invite")
    font = guest.page.evaluate(FONT)
    assert font["check"] and "400" in font["loaded"], font
    assert font["family"].startswith('"Noto Sans Armenian"'), font
    assert any(url.endswith("/static/fonts/noto-sans-armenian-armenian-400-normal.woff2") for url in fonts_fetched)
    guest.shot("phone-invitation")

    reader = visitors("participant")
    reader.page.set_viewport_size(PHONE)
    reader.sign_in(room.participants[1].user.email)
    reader.open_room(session.id)
    reader.page.wait_for_selector(f"#messages .message-body:has-text('{RUSSIAN[:20]}')")
    _no_overflow(reader, "/s/")
    bold = reader.page.evaluate(FONT)
    assert bold["check"] and "400" in bold["loaded"], bold
    reader.shot("phone-room")

    host = visitors("facilitator")
    host.page.set_viewport_size(PHONE)
    host.sign_in(room.facilitator.user.email)
    for path in ("/", f"/sessions/{session.id}/manage", "/settings", f"/t/{session.id}"):
        release_database()
        host.visit(path)
        _no_overflow(host, path)
        if path == "/settings":
            host.page.locator("#time-zone").screenshot(path=str(ARTIFACTS / "phone-settings-time-zone.png"))
    host.visit(f"/sessions/{session.id}/manage")
    host.page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(exist_ok=True)
    host.page.locator("main > .page-heading").screenshot(path=str(ARTIFACTS / "phone-manage-heading.png"))
    host.page.locator("#settings").screenshot(path=str(ARTIFACTS / "phone-manage-settings.png"))
    assert "700" in host.page.evaluate(FONT)["loaded"], "headings in Armenian use the bold face"
