"""Outside attack material on every surface that shows what people wrote, in Chromium: session
titles, descriptions, side labels and ground rules, agenda titles and prompts, materials,
invitation labels, display names, flag notes, moderation reasons, audit entries, watched
words and the public transcript page. No payload runs script (no dialog, no handler attribute,
no script-scheme link, no CSP violation, no navigation), and the text reads back as written."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pytest

from dialogue.extensions import db
from dialogue.facilitation import agenda, materials
from dialogue.moderation import flags, sanctions
from dialogue.moderation import words as watched_words
from dialogue.room import messages
from dialogue.sessions import actions as dialogues
from dialogue.transcripts import publishing

from .factories import gen_member, gen_session, gen_user
from .helpers import release_database
from .test_browser import visitors  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live]
CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "xss"

TRAP = ("window.__xss = 0; window.alert = window.confirm = window.prompt = function () { window.__xss += 1; };"
        "window.print = function () { window.__xss += 1; };")
AUDIT = """() => {
    const bad = [];
    for (const el of document.querySelectorAll('*')) {
        if (['SCRIPT'].includes(el.tagName) && el.src && !el.src.includes('/static/')) bad.push('script ' + el.src);
        if (['IFRAME', 'OBJECT', 'EMBED', 'BASE', 'FRAME'].includes(el.tagName)) bad.push(el.tagName);
        for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) bad.push(el.tagName + '@' + attr.name);
            const ownIcon = el.tagName === 'LINK' && attr.value === 'data:,';  // the pages' empty favicon
            if (['href', 'src', 'action', 'formaction', 'xlink:href', 'srcdoc', 'data'].includes(attr.name)
                && /^\\s*(javascript|data|vbscript):/i.test(attr.value) && !ownIcon) bad.push(el.tagName + '@' + attr.name);
        }
    }
    return bad;
}"""


def _payloads() -> list[str]:
    lines = []
    for name in ("xss_payloads_quick.txt", "XSS_Polyglots.txt", "BRUTELOGIC-XSS-STRINGS.txt"):
        lines += [line for line in (CORPORA / name).read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines


def _clean_name(text: str, limit: int) -> str:
    """A payload cut to a field's length, without the control characters names refuse."""
    return "".join(c for c in text if c.isprintable()).strip()[:limit] or "x"


def _check(visitor, path: str, expect_text: list[str]) -> None:
    visitor.page.add_init_script(TRAP)
    visitor.visit(path)
    visitor.page.wait_for_load_state("networkidle")
    visitor.page.mouse.move(200, 200)
    visitor.page.keyboard.press("Tab")
    visitor.page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert visitor.page.evaluate("() => window.__xss") == 0, path
    assert visitor.dialogs == [], path
    assert visitor.page.evaluate(AUDIT) == [], path
    assert visitor.page.url.endswith(path), f"navigated away from {path} to {visitor.page.url}"
    shown = visitor.page.inner_text("body")
    for text in expect_text:
        assert " ".join(text.split())[:40] in " ".join(shown.split()), (path, text)


def test_payloads_stay_inert_on_every_surface(ctx, visitors):  # noqa: F811
    payloads = _payloads()
    chunk = iter(payloads)
    take = lambda n: [next(chunk) for _ in range(n)]  # noqa: E731

    host = gen_user("facilitator")
    titles = take(3)
    session = gen_session(host, title=_clean_name(titles[0], 200), description="\n".join(take(40)),
                          side_a_label=_clean_name(take(1)[0], 60), side_b_label=_clean_name(take(1)[0], 60),
                          ground_rules="\n".join(take(40)))
    agenda.set_agenda(host, session.id, [{"title": _clean_name(t, 200), "prompt": p[:2000]}
                                         for t, p in zip(take(10), take(10), strict=True)])
    for body in take(10):
        materials.add_material(host, session, _clean_name(body, 200), body, "https://example.org/?q=" + body[:100])
    for label in take(10):
        dialogues.create_invitation(host, session, side="a", label=label[:120])
    names = [_clean_name(n, 40) for n in take(6)]
    people = []
    for index, name in enumerate(names):
        user, membership = gen_member(session, "participant", side="ab"[index % 2],
                                      name=f"{name[:34]} {index}")
        people.append((user, membership))
    moderator_user, moderator = gen_member(session, "moderator", side=None)
    author, target = people[0][0], people[1]
    said, _created = messages.send_message(author, session.id, uuid.uuid4().hex, take(1)[0])
    for user, _membership in people[1:4]:
        flags.flag(user, said.id, "other", note=take(1)[0][:1000])
    reply_text = take(1)[0]
    messages.send_message(people[2][0], session.id, uuid.uuid4().hex, reply_text, reply_to=said.id)
    reason = take(1)[0][:1000]
    for term in take(5):
        try:
            watched_words.add_word(None, term[:200], "flag")
        except Exception:  # a payload with no letters is not a term: skipping it is the point of the list
            db.session.rollback()
    publishing.publish(host, session.id, "side", public=True)
    admin = gen_user("admin")
    db.session.commit()

    # The warned participant is in the room when the warning comes: its reason shows there.
    warned = visitors("warned")
    warned.sign_in(target[0].email)
    warned.page.add_init_script(TRAP)
    warned.open_room(session.id)
    release_database()
    sanctions.sanction(host, session.id, target[1].public_id, "warn", reason=reason)
    warned.page.wait_for_selector("#room-notices > *", timeout=10_000)
    assert " ".join(reason.split())[:30] in " ".join(warned.page.inner_text("#room-notices").split())
    assert warned.page.evaluate(AUDIT) == [] and warned.page.evaluate("() => window.__xss") == 0
    assert warned.dialogs == []

    facilitator = visitors("facilitator")
    facilitator.sign_in(host.email)
    title = _clean_name(titles[0], 200)
    _check(facilitator, "/", [title])
    _check(facilitator, f"/sessions/{session.id}/manage", [title, names[0]])
    _check(facilitator, f"/sessions/{session.id}/audit", [])
    exported = facilitator.page.request.get(f"/sessions/{session.id}/audit?format=csv").text()
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert any(" ".join(reason.split())[:30] in " ".join(cell.split()) for cell in cells), "the reason is exported"
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")], "no cell runs as a formula"
    _check(facilitator, f"/s/{session.id}", [title])
    facilitator.page.wait_for_selector("#connection-status[data-state=connected]", timeout=10_000)
    assert facilitator.page.evaluate(AUDIT) == [] and facilitator.page.evaluate("() => window.__xss") == 0
    moderator_visitor = visitors("moderator")
    moderator_visitor.sign_in(moderator_user.email)
    _check(moderator_visitor, "/moderation", [])
    moderator_visitor.page.wait_for_selector("#queue li", timeout=10_000)
    assert moderator_visitor.page.evaluate(AUDIT) == []
    assert moderator_visitor.page.evaluate("() => window.__xss") == 0
    keeper = visitors("admin")
    keeper.sign_in(admin.email)
    _check(keeper, "/moderation/words", [])
    _check(keeper, "/admin/security", [])
    reader = visitors("public")
    _check(reader, f"/t/{session.id}", [title])
