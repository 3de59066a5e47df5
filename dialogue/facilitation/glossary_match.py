"""Finding a glossary term in a text: where a translation renders a contested name in a
form other than the one the facilitators agreed. Pure functions, no database.

Matching is on NFKC-normalised, case-folded text (the Azerbaijani dotted and dotless i
fold to one letter), at the start of a word, and allows inflectional endings: a form
matches a word that begins with it ("Карабах" finds "Карабаха", "Qarabağ" finds
"Qarabağda", "Ղարաբաղ" finds "Ղարաբաղում"). In a form of several words, each word is
matched the same way, the words separated by spaces or hyphens; a Cyrillic word before
the last also loses its vowel ending, so that Russian adjectives agree ("Нагорный
Карабах" finds "Нагорного Карабаха").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

LANGUAGES = ("hy", "az", "ru", "en")
SIDES = ("a", "b")
# Endings a Cyrillic word before the last word of a form may lose (adjectives decline).
CYRILLIC_ENDINGS = "аеёиоуыэюяйь"
MIN_STEM = 4


def fold_char(char: str) -> str:
    """One character of NFKC-normalised text, case-folded. Azerbaijani İ, I and ı all fold
    to i (Python's case folding would give İ a combining dot, and I stays I's i)."""
    if char in "İIı":
        return "i"
    return char.casefold().replace("\u0307", "")


def fold(text: str) -> str:
    """NFKC-normalised, case-folded text, as glossary matching compares it."""
    return "".join(fold_char(char) for char in unicodedata.normalize("NFKC", text))


def _folded_with_map(text: str) -> tuple[str, list[int], list[int]]:
    """The folded form of `text`, and for each of its characters where in `text` the
    character (with its combining marks) it came from starts and ends. Each base character
    is normalised with the combining marks that follow it, so "e" and a combining accent
    fold as "é" does."""
    folded: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    index = 0
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        for char in unicodedata.normalize("NFKC", text[index:end]):
            for piece in fold_char(char):
                folded.append(piece)
                starts.append(index)
                ends.append(end)
        index = end
    return "".join(folded), starts, ends


def _words(form: str) -> list[str]:
    return [word for word in re.split(r"[\W_]+", fold(form)) if word]


def _is_cyrillic(word: str) -> bool:
    return all(unicodedata.name(char, "").startswith("CYRILLIC") for char in word if char.isalpha())


def _pattern(form: str) -> re.Pattern | None:
    """The expression that finds `form` at word starts, with endings; None for a form with
    no letters or digits."""
    words = _words(form)
    if not words:
        return None
    parts = []
    for position, word in enumerate(words):
        if position < len(words) - 1 and _is_cyrillic(word):
            stem = word.rstrip(CYRILLIC_ENDINGS)
            word = stem if len(stem) >= MIN_STEM else word
        parts.append(re.escape(word) + r"\w*")
    return re.compile(r"(?<!\w)" + r"[\s\-‐‑–]+".join(parts))


def _script(form: str) -> frozenset[str]:
    """The scripts a form's letters are written in ("LATIN", "CYRILLIC", "ARMENIAN"…)."""
    return frozenset(unicodedata.name(char, "?").split()[0] for char in fold(form) if char.isalpha())


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def other_forms(entry: Mapping, lang: str) -> list[str]:
    """The forms of an entry that a text in `lang` should not use instead of the agreed one:
    each side's usage in that language, and the forms of the other languages (either side's
    usage or their agreed forms) written in the same script, if they differ from it."""
    agreed = _text((entry.get("neutral") or {}).get(lang))
    if not agreed:
        return []
    forms = entry.get("forms") or {}
    found = [_text((forms.get(side) or {}).get(lang)) for side in SIDES]
    script = _script(agreed)
    for other in LANGUAGES:
        if other == lang:
            continue
        for candidate in [_text((forms.get(side) or {}).get(other)) for side in SIDES] \
                + [_text((entry.get("neutral") or {}).get(other))]:
            if candidate and _script(candidate) == script:
                found.append(candidate)
    seen, unique = {fold(agreed)}, []
    for candidate in found:
        if candidate and fold(candidate) not in seen:
            seen.add(fold(candidate))
            unique.append(candidate)
    return unique


def _spans(pattern: re.Pattern | None, folded: str) -> list[tuple[int, int]]:
    return [] if pattern is None else [match.span() for match in pattern.finditer(folded)]


def glossary_warnings(entries: Iterable[Mapping], lang: str, text: str) -> list[dict]:
    """Where `text`, written in `lang` ("hy", "az", "ru" or "en"), uses a form of a glossary
    term other than the one the facilitators agreed for that language.

    `entries` are entry objects as `glossary.glossary_object` gives them (only `id`,
    `concept`, `forms` and `neutral` are read). For each entry with an agreed (`neutral`)
    form in `lang`, every occurrence in the text of another form of it (`other_forms`) that
    the agreed form does not cover gives one warning, in the order of the text:

        {"entry_id": 7, "concept": "Nagorno-Karabakh", "found": "Карабаха",
         "agreed": "Нагорный Карабах"}

    `found` is the word(s) exactly as the text writes them, endings included; the
    same found word is reported once per entry. Entries without an agreed form in `lang`,
    and unknown languages, give nothing. The text using the agreed form ("Нагорного
    Карабаха") gives no warning, even where the agreed form contains another form.
    """
    if lang not in LANGUAGES or not isinstance(text, str) or not text:
        return []
    folded, starts, ends = _folded_with_map(text)
    found: list[tuple[int, dict]] = []
    for entry in entries:
        agreed = _text((entry.get("neutral") or {}).get(lang))
        if not agreed:
            continue
        # The agreed form's occurrences cover their words; of other forms overlapping one
        # another ("Nagorno-Karabakh", "Karabakh"), the longest is the one found.
        taken = _spans(_pattern(agreed), folded)
        spans = sorted({span for form in other_forms(entry, lang) for span in _spans(_pattern(form), folded)},
                       key=lambda span: (span[0] - span[1], span[0]))
        reported: set[str] = set()
        for start, end in spans:
            if any(start < t_end and t_start < end for t_start, t_end in taken):
                continue
            taken.append((start, end))
            shown = text[starts[start]:ends[end - 1]]
            if fold(shown) in reported:
                continue
            reported.add(fold(shown))
            found.append((start, {"entry_id": entry.get("id"), "concept": entry.get("concept", ""),
                                  "found": shown, "agreed": agreed}))
    return [warning for _start, warning in sorted(found, key=lambda pair: pair[0])]
