"""The pages' scripts hold no sentence a person reads: their text comes from the page's
data-i18n-* attributes (docs/translations.md), and every key a script asks for is there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "static" / "js"
TEMPLATES = ROOT / "templates"
# Each page's entry script, with the modules it uses, and its template.
PAGES = {"room": (["room.js", "common.js", "room/*.js"], "room/room.html"),
         "queue": (["queue.js", "common.js"], "moderation/queue.html")}

STRING = re.compile(r'''"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`''')
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
# Two words of letters in a row, as any sentence has.
SENTENCE = re.compile(r"[A-Za-z]{2,}[,.:;!?]?\s+[A-Za-z]{2,}")
# Not shown to anyone: class lists, Socket.IO's disconnect reasons, errors thrown for the
# script's own control flow (caught, never shown), and selectors.
_SIMPLE_SELECTOR = r"(?:[a-z]+(?:\[[^\]]*\])?|\[[^\]]*\])"
NOT_TEXT = re.compile(r"^(?:[a-z0-9-]+(?: [a-z0-9-]+)*|io (?:server|client) disconnect|[a-z]+ refused|[#.\[:][^ ]*.*"
                      r"|" + _SIMPLE_SELECTOR + r"(?:, " + _SIMPLE_SELECTOR + r")+)$")


def _strings(path: Path):
    code = COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), path.read_text(encoding="utf-8"))
    for number, line in enumerate(code.splitlines(), 1):
        if line.lstrip().startswith("console."):
            continue
        for match in STRING.finditer(line):
            yield number, next(group for group in match.groups() if group is not None)


def test_no_script_holds_an_english_sentence():
    found = [f"{path.relative_to(ROOT)}:{number}: {text!r}" for path in sorted(SCRIPTS.rglob("*.js"))
             for number, text in _strings(path)
             if SENTENCE.search(re.sub(r"\$\{[^}]*\}", " ", text)) and not NOT_TEXT.match(text)]
    assert found == [], "put these sentences in the page's data-i18n-* attributes:\n" + "\n".join(found)


def test_the_check_finds_a_sentence(tmp_path):
    script = tmp_path / "x.js"
    script.write_text('el("p", "button button-small", "Something went wrong");\n// "not this one"\n'
                      'throw new Error("join refused");\nq("a[href], button, [contenteditable=\'true\']");\n'
                      'q(":scope > .message-meta time");\n', encoding="utf-8")
    assert [text for _n, text in _strings(script) if SENTENCE.search(text) and not NOT_TEXT.match(text)] == \
        ["Something went wrong"]


def _keys_asked(patterns: list[str]) -> set[str]:
    """The keys scripts ask for whole (a key built by joining parts is not checked here)."""
    keys = set()
    for pattern in patterns:
        for path in SCRIPTS.glob(pattern):
            keys |= set(re.findall(r'\bt\(\s*"([A-Za-z0-9]+)"\s*[,)]', path.read_text(encoding="utf-8")))
    return keys


def _keys_given(template: str) -> set[str]:
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    return {re.sub(r"-([a-z0-9])", lambda m: m.group(1).upper(), name)
            for name in re.findall(r"data-i18n-([a-z0-9-]+)=", source)}


def test_every_key_a_script_asks_for_is_on_its_page():
    missing = {page: sorted(_keys_asked(scripts) - _keys_given(template))
               for page, (scripts, template) in PAGES.items()}
    assert missing == {page: [] for page in PAGES}, "add data-i18n-* attributes for these keys"
