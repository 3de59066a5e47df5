"""The sanitizer as a table, and the outside XSS and naughty-string corpora through the real
message path (a live server, a real socket, the database)."""

from __future__ import annotations

import json
import re
import uuid
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import select

from dialogue.models import Message
from dialogue.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_message

from .factories import gen_room
from .helpers import RecordingClient, stored

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "xss"


@pytest.mark.parametrize("source,expected", [
    ("plain words", "<p>plain words</p>"),
    ("**bold** and *em* and ~~gone~~", "<p><strong>bold</strong> and <em>em</em> and <s>gone</s></p>"),
    ("`code <b>`", "<p><code>code &lt;b&gt;</code></p>"),
    ("line one\nline two", "<p>line one<br>\nline two</p>"),
    ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
    ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>"),
    ("[click](JaVaScRiPt:alert(1))", "<p>[click](JaVaScRiPt:alert(1))</p>"),
    ("[site](https://example.org)",
     '<p><a href="https://example.org" rel="nofollow noopener noreferrer ugc">site</a></p>'),
    ("see https://example.org/x?y=1",
     '<p>see <a href="https://example.org/x?y=1" rel="nofollow noopener noreferrer ugc">https://example.org/x?y=1</a></p>'),
    # Images are not part of the allowlist: the link stays, nothing is loaded.
    ("![img](https://example.org/a.png)",
     '<p>!<a href="https://example.org/a.png" rel="nofollow noopener noreferrer ugc">img</a></p>'),
    ("# not a heading", "<p># not a heading</p>"),
    # Relative and protocol-relative links could leave the scheme allowlist: their href goes.
    ("[x](//evil.example/p)", '<p><a rel="nofollow noopener noreferrer ugc">x</a></p>'),
    ("[x](/s/abc)", '<p><a rel="nofollow noopener noreferrer ugc">x</a></p>'),
    ("Բարև, Salam, Привет", "<p>Բարև, Salam, Привет</p>"),
    ('[x](https://example.org "title" onclick=alert(1))',
     '<p>[x](<a href="https://example.org" rel="nofollow noopener noreferrer ugc">https://example.org</a>'
     ' "title" onclick=alert(1))</p>'),
    ('[t](https://example.org "a title")',
     '<p><a href="https://example.org" rel="nofollow noopener noreferrer ugc">t</a></p>'),
])
def test_render_table(source, expected):
    assert render_message(source) == expected


class _AllowlistChecker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag {tag}")
        for name, value in attrs:
            if name == "rel" and tag == "a":
                continue
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name} on {tag}")
            if name == "href" and re.match(r"^\s*[a-z][a-z0-9+.\-]*:", value or "", re.I) \
                    and not re.match(r"^(https?|mailto):", value, re.I):
                self.problems.append(f"href {value}")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def assert_harmless(html: str) -> str:
    checker = _AllowlistChecker()
    checker.feed(html)
    checker.close()
    assert checker.problems == [], (html, checker.problems)
    return "".join(checker.text)


def corpus() -> list[tuple[str, str]]:
    cases = [("blns", s) for s in json.loads((CORPORA / "blns.json").read_text(encoding="utf-8"))]
    for path in sorted(CORPORA.glob("*.txt")):
        cases += [(path.name, line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                  if line.strip()]
    return cases


def _words(text: str) -> list[str]:
    text = re.sub(r"&#?\w+;", " ", text)
    # A link's destination may be dropped (relative links are not allowed); its text stays.
    text = re.sub(r"\]\([^)]*\)", "] ", text)
    return re.findall(r"[^\W_]+", text)


def test_corpora_exist():
    cases = corpus()
    assert len(cases) > 800, "the shared corpora were not found"


@pytest.mark.live
def test_corpora_through_the_real_message_path(ctx, live_server):
    """Every corpus string is refused as empty/too_long or stored and returned as harmless HTML
    that keeps the words the person typed."""
    room = gen_room(participants=1)
    client = RecordingClient(live_server.url, room.participants[0].token).connect()
    outcomes = {"ok": 0, "empty": 0, "too_long": 0}
    try:
        assert client.call("join", {"session_id": room.id})["ok"]
        sent: dict[int, str] = {}
        for name, payload in corpus():
            answer = client.call("send", {"session_id": room.id, "client_id": uuid.uuid4().hex, "body": payload})
            if not answer["ok"]:
                code = answer["error"]["code"]
                expected = "empty" if not payload.strip() else "too_long"
                assert code == expected, (name, payload, answer)
                outcomes[code] += 1
                continue
            outcomes["ok"] += 1
            html = answer["message"]["body_html"]
            text = unescape(assert_harmless(html))
            for word in _words(payload):
                assert word in text or word in html, (name, payload, html, word)
            sent[answer["message"]["id"]] = html
    finally:
        client.close()
    assert outcomes["ok"] > 800 and outcomes["empty"] >= 1
    rows = stored(select(Message).where(Message.session_id == room.id))
    assert {m.id: m.body_html for m in rows} == sent
