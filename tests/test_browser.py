"""The pages in a real browser: Debian's Chromium driven by Playwright, against `dialogue serve`."""
from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from dialogue.facilitation import agenda
from dialogue.moderation import settings as moderation_settings

from .factories import PASSWORD, gen_room, gen_session, gen_user
from .helpers import RecordingClient, release_database

pytestmark = [pytest.mark.browser, pytest.mark.live]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "xss"


class Visitor:
    """One person's browser context, failing the test on any script error or CSP violation."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(base_url=base_url, viewport={"width": 1200, "height": 800})
        self.page = self.context.new_page()
        self.name = name
        self.problems: list[str] = []
        # A form sent back with errors answers 400; tests that send one on purpose allow it.
        self.allow_form_errors = False
        self.dialogs: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.on("dialog", self._dialog)

    def _console(self, message):
        if message.type == "error":
            if self.allow_form_errors and "status of 400" in message.text:
                return
            self.problems.append(f"console: {message.text}")

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def visit(self, path: str) -> None:
        release_database()
        self.page.goto(path)

    def sign_in(self, email: str, password: str = PASSWORD, next_path: str = "") -> None:
        release_database()
        self.page.goto("/login" + (f"?next={next_path}" if next_path else ""))
        self.page.fill("#email", email)
        self.page.fill("#password", password)
        self.page.click("main button[type=submit], main input[type=submit]")
        self.page.wait_for_load_state()

    def open_room(self, session_id: str) -> None:
        release_database()
        self.page.goto(f"/s/{session_id}")
        self.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)

    def write(self, text: str) -> None:
        release_database()
        self.page.fill("#message-input", text)
        self.page.click("#send-button")

    def shot(self, label: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{label}-{self.name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visitors(browser, live_server):
    made: list[Visitor] = []

    def make(name: str) -> Visitor:
        visitor = Visitor(browser, live_server.url, name)
        made.append(visitor)
        return visitor

    yield make
    for visitor in made:
        problems = [p for p in visitor.problems if "favicon" not in p]
        visitor.close()
        assert problems == [], f"{visitor.name}: {problems}"


def test_login_page_signs_in_and_out(ctx, visitors):
    user = gen_user()
    visitor = visitors("person")
    visitor.allow_form_errors = True
    visitor.sign_in(user.email, "wrong password here")
    assert "do not match" in visitor.page.inner_text("main")
    visitor.sign_in(user.email)
    assert visitor.page.url.endswith("/")
    visitor.page.click("header form[action=\"/logout\"] button[type=submit]")
    visitor.page.wait_for_url("**/login*")


def test_invitation_acceptance_in_the_browser(ctx, visitors):
    session = gen_session(state="live", title="Memory and recognition")
    host = visitors("facilitator")
    host.sign_in(session.created_by.email)
    host.visit(f"/sessions/{session.id}/manage")
    host.page.select_option("#role", "participant")
    host.page.select_option("#side", "b")
    host.page.fill("#label", "Baku group")
    host.page.click("form[action$='/invitations'] button[type=submit], form[action$='/invitations'] input[type=submit]")
    link = host.page.input_value("#invite-link")
    assert "/invite/" in link

    guest = visitors("guest")
    guest.visit(link)
    assert "Memory and recognition" in guest.page.inner_text("main")
    guest.page.click("text=Create an account")
    email = f"leyla-{uuid.uuid4().hex[:6]}@example.org"
    guest.page.fill("#real_name", "Leyla Q")
    guest.page.fill("#email", email)
    guest.page.fill("#password", PASSWORD)
    guest.page.click("button[type=submit], input[type=submit] >> nth=-1")
    # The same answer whether or not the address had an account: sign in next, then join.
    guest.page.wait_for_selector("form[action^='/login'] #email")
    assert "Sign in with your e-mail address" in guest.page.inner_text("main")
    guest.page.fill("#email", email)
    guest.page.fill("#password", PASSWORD)
    guest.page.click("main button[type=submit], main input[type=submit]")
    guest.page.wait_for_selector("#display_name")
    assert guest.page.input_value("#display_name").startswith("Participant")
    guest.page.fill("#display_name", "Sunrise")
    guest.page.check("#naming-0")
    guest.page.check("#include-0")
    guest.page.check("#accept_rules")
    guest.shot("join")
    guest.page.click("main button[type=submit], main input[type=submit]")
    guest.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    assert guest.page.url.endswith(f"/s/{session.id}")
    guest.page.wait_for_selector("#presence li.presence-member")
    assert "Sunrise" in guest.page.inner_text("#presence")


def test_two_sides_exchange_messages_live(ctx, visitors):
    room = gen_room(participants=2)
    alice, bora = room.participants
    a, b = visitors("armenia"), visitors("azerbaijan")
    for visitor, person in ((a, alice), (b, bora)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    for writer, reader, text in ((a, b, "Barev! My grandmother was from Shusha."),
                                 (b, a, "Salam! Mine was from Yerevan, before 1988.")):
        started = time.monotonic()
        writer.write(text)
        reader.page.wait_for_selector(f"#messages .message-body:has-text('{text}')", timeout=5_000)
        elapsed = time.monotonic() - started
        assert elapsed < 1.0, f"the other side saw the message after {elapsed:.2f}s"
    for visitor in (a, b):
        bodies = visitor.page.locator("#messages li.message .message-body").all_inner_texts()
        assert bodies == ["Barev! My grandmother was from Shusha.", "Salam! Mine was from Yerevan, before 1988."]
        sides = visitor.page.locator("#messages li.message .message-side").all_inner_texts()
        assert [s.strip("() ·") for s in sides] == ["Armenia", "Azerbaijan"]
    a.shot("exchange")
    b.page.set_viewport_size({"width": 390, "height": 844})
    b.shot("exchange-phone")


def test_script_payloads_stay_inert(ctx, visitors, live_server):
    room = gen_room(participants=2)
    alice, bora = room.participants
    payloads = [line for name in ("xss_payloads_quick.txt", "XSS_Polyglots.txt", "BRUTELOGIC-XSS-STRINGS.txt")
                for line in (CORPORA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    payloads = [p for p in payloads if len(p) <= 4000]
    sender = RecordingClient(live_server.url, alice.token).connect()
    try:
        assert sender.call("join", {"session_id": room.id})["ok"]
        for payload in payloads:
            answer = sender.call("send", {"session_id": room.id, "client_id": uuid.uuid4().hex, "body": payload})
            assert answer["ok"], answer
    finally:
        sender.close()
    reader = visitors("reader")
    reader.sign_in(bora.user.email)
    reader.page.add_init_script("window.__xss = 0; window.alert = window.confirm = window.prompt = "
                                "function () { window.__xss += 1; };")
    reader.open_room(room.id)
    reader.page.wait_for_function("n => document.querySelectorAll('#messages li.message').length >= n",
                                  arg=len(payloads), timeout=15_000)
    # Give event handlers (onerror, onload, onfocus, animations) every chance to fire.
    reader.page.mouse.move(300, 300)
    reader.page.keyboard.press("Tab")
    reader.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    reader.page.wait_for_load_state("networkidle")
    assert reader.page.evaluate("() => window.__xss") == 0
    assert reader.dialogs == []
    dangerous = reader.page.evaluate("""() => {
        const found = [];
        for (const el of document.querySelectorAll('#messages .message-body *')) {
            if (!['P','BR','STRONG','EM','DEL','S','CODE','PRE','BLOCKQUOTE','UL','OL','LI','A'].includes(el.tagName)) found.push(el.tagName);
            for (const attr of el.attributes) {
                // The room takes links out of the Tab order (one Tab stop per list: roving.js).
                if (attr.name === 'tabindex' && attr.value === '-1' && el.tagName === 'A') continue;
                if (!['href','rel','start'].includes(attr.name)) found.push(el.tagName + '@' + attr.name);
                if (attr.name === 'href' && !/^(https?:|mailto:|\\/)/i.test(attr.value)) found.push('href=' + attr.value);
            }
        }
        return found;
    }""")
    assert dangerous == []
    texts = reader.page.locator("#messages .message-body").all_inner_texts()
    assert any("<script>" in text.lower() for text in texts), "script tags show as text"
    reader.shot("xss")


def test_moderator_rejects_a_flagged_message_live(ctx, visitors, live_server):

    room = gen_room(participants=2)
    moderation_settings.update_settings(room.facilitator.user, room.id, {"flag_threshold": 1})
    author, flagger = room.participants
    moderator = visitors("moderator")
    moderator.sign_in(room.moderator.user.email)
    moderator.visit(f"/moderation?session={room.id}")
    moderator.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    moderator.page.wait_for_selector("#queue-empty", state="visible")

    writer = RecordingClient(live_server.url, author.token).connect()
    try:
        assert writer.call("join", {"session_id": room.id})["ok"]
        reader = visitors("participant")
        reader.sign_in(flagger.user.email)
        reader.open_room(room.id)
        sent = writer.call("send", {"session_id": room.id, "client_id": "hurt-1",
                                    "body": "Your side started everything and lies about it."})["message"]
        item = reader.page.locator(f"li.message[data-message-id='{sent['id']}']")
        item.wait_for()
        item.locator(".message-flag-button").click()
        reader.page.select_option("form.flag-form select[name=reason]", "personal_attack")
        reader.page.click("form.flag-form button[type=submit]")

        # The item arrives in the moderator's queue without a reload.
        queued = moderator.page.locator(f"li.queue-item[data-message-id='{sent['id']}']")
        queued.wait_for(timeout=5_000)
        assert "lies about it" in queued.locator(".queue-message-body").inner_text()
        assert "personal_attack" in queued.locator(".queue-reasons").get_attribute("class") + \
            queued.locator(".queue-reasons").inner_html()
        moderator.shot("queue")
        queued.locator(".queue-reason-input").fill("A personal attack on the other side")
        queued.locator("button[data-action=reject]").click()
        queued.wait_for(state="detached", timeout=5_000)

        # The participant's page shows it removed; the author is told why.
        reader.page.wait_for_selector(f"li.message[data-message-id='{sent['id']}'][data-status=hidden]",
                                      timeout=5_000)
        assert "lies about it" not in item.inner_text()
        reader.shot("removed")
        notice = writer.wait_for("notice", lambda n: n["kind"] == "rejected")
        assert notice["reason"] == "A personal attack on the other side"
    finally:
        writer.close()


def test_facilitator_runs_a_two_phase_session_with_the_queue(ctx, visitors):

    room = gen_room(participants=2)
    agenda.set_agenda(room.facilitator.user, room.id, [
        {"title": "Introductions", "prompt": "Say who you are.", "minutes": 10},
        {"title": "Sharing memories", "prompt": "Tell one memory you carry with you.", "minutes": 20}])
    alice, bora = room.participants
    host, a, b = visitors("facilitator"), visitors("armenia"), visitors("azerbaijan")
    for visitor, person in ((host, room.facilitator), (a, alice), (b, bora)):
        visitor.sign_in(person.user.email)
        visitor.open_room(room.id)
    panel = host.page.locator("#facilitator-panel")
    panel.locator("button[data-control=next_phase]").click()
    for visitor in (a, b):
        visitor.page.wait_for_selector("#phase-title:has-text('Introductions')")
        assert "Say who you are." in visitor.page.inner_text("#phase-prompt")
        assert visitor.page.inner_text("#phase-time-left").strip()
    host.page.select_option("#floor-mode", "queue")
    for visitor in (a, b):
        visitor.page.wait_for_selector("#hand-button")
        assert visitor.page.locator("#message-input").is_disabled() or \
            visitor.page.get_attribute("#room", "data-floor") == "waiting"

    # Both raise hands; the queue shows them in order on every page.
    a.page.click("#hand-button")
    host.page.wait_for_selector(f"#hands li[data-member-id='{alice.member_id}']")
    b.page.click("#hand-button")
    host.page.wait_for_selector(f"#hands li[data-member-id='{bora.member_id}']")
    order = host.page.locator("#hands li").evaluate_all("items => items.map(li => li.dataset.memberId)")
    assert order == [alice.member_id, bora.member_id]

    # They speak in turn.
    for person, visitor, text in ((alice, a, "I am from Yerevan; my family came from Baku."),
                                  (bora, b, "I am from Ganja; my grandfather was born in Yerevan.")):
        host.page.fill("#floor-seconds", "")
        host.page.click(f"button[data-give-floor='{person.member_id}']")
        visitor.page.wait_for_selector("#room[data-floor=mine]")
        visitor.write(text)
        for reader in (host, a, b):
            reader.page.wait_for_selector(f"#messages .message-body:has-text('{text}')")
        host.page.click("#take-floor")
        visitor.page.wait_for_selector("#room[data-floor=waiting]")
    host.shot("facilitation")

    panel.locator("button[data-control=next_phase]").click()
    for visitor in (a, b):
        visitor.page.wait_for_selector("#phase-title:has-text('Sharing memories')")
    b.shot("phase-two")
    phases = host.page.locator("#messages li.message").evaluate_all("items => items.map(li => li.dataset.phase)")
    assert phases == ["0", "0"]


def test_the_language_picker_works_without_script(ctx, visitors):
    visitor = visitors("reader")
    visitor.context.set_extra_http_headers({"Accept-Language": "en"})
    visitor.visit("/login")
    visitor.page.select_option("#language-choice", "hy")
    visitor.page.click("form.language-picker button[type=submit]")
    visitor.page.wait_for_selector("html[lang=hy]")
    assert visitor.page.url.endswith("/login")
    assert "Մուտք գործել" in visitor.page.inner_text("main h1")
    visitor.shot("language-hy")
