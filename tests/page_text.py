"""What a person reads on a page: its visible text and the attributes that are shown or read
aloud, and a test of whether a piece of it is interface text (as opposed to what people
wrote, names, codes, numbers and dates), for tests/test_page_languages.py and friends."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content nobody reads as text, or that is code (a command to type).
SKIPPED = {"script", "style", "template", "code", "kbd", "samp"}
# Attributes a person sees or hears on any element.
SHOWN_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
# Inputs whose `value` is their visible label.
LABELLED_INPUTS = {"submit", "button", "reset"}
# `data-*` attributes that carry a sentence for the page's script (docs/translations.md).
SCRIPT_TEXT = re.compile(r"^data-(i18n-[a-z0-9-]+|[a-z0-9-]+-text)$")

# Everything the test fixtures write (titles, names, messages, notes, terms) is made of words
# starting with "zq", so that what people wrote is told from the interface without a list.
USER_WORD = re.compile(r"\S*zq\S*", re.IGNORECASE)
EMAIL = re.compile(r"\S+@\S+")
# The named placeholders a script or a format fills in ({name}, %(name)s).
PLACEHOLDER = re.compile(r"\{\w*\}|%\(\w+\)[sd]")
# API tokens as the settings page shows their start ("dlg_…").
TOKEN = re.compile(r"\bdlg_\S*")
URL = re.compile(r"\b(?:https?|otpauth)://\S+|/[\w./?=&%#-]*[\w/]")
# Ids, tokens, digests, numbers, dates and times: any word with a digit in it.
CODE = re.compile(r"\S*\d\S*")
# The platform's public ids (16 URL-safe characters) also when they happen to hold no digit:
# a lower-case letter followed by a capital gives them away ("mpKTgalysWZAdEoc").
PUBLIC_ID = re.compile(r"(?<![\w-])(?=[\w-]*[a-z][A-Z])[\w-]{16}(?![\w-])")
# IANA time-zone names ("Asia/Yerevan", "America/Argentina/Buenos_Aires") are codes, alike in every language.
ZONE = re.compile(r"\b[A-Z][A-Za-z]+(?:/[A-Za-z][\w+-]*)+")
WORD = re.compile(r"[^\W\d_]{2,}")


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self._skipping += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value is None:
                continue
            if name in SHOWN_ATTRIBUTES or SCRIPT_TEXT.match(name) or (
                    name == "value" and tag == "input" and (attributes.get("type") or "").lower() in LABELLED_INPUTS) or (
                    name == "content" and tag == "meta" and attributes.get("name") == "description"):
                self._add(f"{tag}[{name}]", value)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in SKIPPED:
            self._skipping -= 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self._add("text", data)

    def _add(self, kind: str, text: str) -> None:
        text = " ".join(text.split())
        if text:
            self.found.append((kind, text))


def segments(html: str) -> list[tuple[str, str]]:
    """(kind, text) for every text node and every shown attribute of an HTML page, in order;
    kind is "text" or "tag[attribute]"."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.found


def interface_words(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The words of `text` that can only be interface text: what remains without the fixtures'
    own words, e-mail addresses, time-zone names, URLs and paths, anything with a digit, and `allowed` (names
    and codes that are the same in every language)."""
    for pattern in (USER_WORD, EMAIL, PLACEHOLDER, TOKEN, ZONE, URL, PUBLIC_ID, CODE):
        text = pattern.sub(" ", text)
    for name in sorted(allowed, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(name) + r"(?!\w)", " ", text)
    return WORD.findall(text)
