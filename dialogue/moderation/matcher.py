"""Watched words: find the terms of the watched-words list in a message, however it is spelled.

A term is compared with a message through a *folded* form of both, built one character of the
original text at a time so that every match can be mapped back to the exact characters the
person typed. The folding rules (docs/watched-words.md says the same in prose):

1. Unicode NFKC, then case folding: full-width, mathematical, circled and ligature letters
   become ordinary letters ("ｋｉｌｌ", "𝐤𝐢𝐥𝐥", "ﬁ" → "kill", "kill", "fi"); "ß" → "ss";
   "İ" and "I" → "i".
2. Combining marks (accents) are removed ("é" → "e", "ё" → "е"), except the marks that make
   the Azerbaijani letters ö, ü, ş, ç, ğ (and Romanian "ș" becomes "ş") and Russian "й".
   A mark typed on its own, between letters, is ignored like a zero-width character.
3. Azerbaijani letters keep their identity but also match their plain Latin base letter:
   ə~e, ı~i, ö~o, ü~u, ğ~g, ş~s, ç~c, in both directions ("Ermənilər" = "Ermeniler"; dotless
   ı = dotted i; Turkish "İ" = "i"). For terms marked `az` only, ə also matches "ä" (the
   1991-92 letter, still typed on some keyboards) but never "a" (şəhid "martyr" and şahid
   "witness" are different words), ş ç ğ also match the ASCII spellings "sh", "ch", "gh",
   and the Azerbaijani Cyrillic alphabet is read as its Latin letters (ә=ə, ғ=ğ, ҹ=c,
   ч=ç, ј=y, й=y, һ=h, ү=ü, ө=ö, ҝ=g, г=q (or g), ы=ı, ж=j, х=x, ш=ş, ...; "дж"=c), so a term
   written in either script matches the other. Cyrillic letters compare with each other
   strictly (ш is never с), so the Azerbaijani rules cannot merge two Russian words.
4. Look-alike letters across Latin, Cyrillic, Armenian (and a few Greek) letters match each
   other, from a short, conservative table (`VISUAL_GROUPS`): Latin o = Cyrillic о = Greek ο =
   Armenian օ; u = Armenian ս; h = Cyrillic һ = Armenian հ (= Cyrillic н, an upper-case
   look-alike); n = Armenian ո; q = Armenian զ; g = Armenian ց; a/с/е/р/х/у/і/ј/ѕ and others
   as their Latin twins. Case is folded first, so upper-case-only twins (В/B, Н/H, К/K, М/M,
   Т/T) are in the table too.
5. Digits and symbols used as letters (0→o, 1→i or l, 3→e or з, 4→a or ч, 5→s, 6→b or б,
   7→t, @→a, $→s, !→i, |→l or i, €→e) count only in a match that also has real letters, and a
   whole-word match must not touch other digits, so ordinary numbers never match.
6. Repeated letters: a letter may be repeated in the message, up to `MAX_RUN` times
   ("kiiiilll" matches "kill"), but a letter doubled in the term must be at least doubled in
   the message, so "kill" does not match Azerbaijani "kil" (clay). A term's own repeated
   letters are collapsed in its key ("kill" → "kil").
7. Split words: inside a word, punctuation, zero-width and format characters, apostrophes and
   lone combining marks between letters are ignored ("k.i.l.l", "k-i-l-l", "k_i_l_l",
   "ki\\u200bll"). Spaces between letters are accepted only when the whole word is spelled
   out letter by letter ("k i l l"), so two real words ("k I'll") never join into one.
8. Between the words of a multi-word term, any run of spaces and punctuation (or none) is
   accepted, except a line break or a sentence end (". ", "? ", "; ", Armenian "։"; an
   ellipsis "..." is a pause, not an end).

Whole-word terms (the default) must start and end at a word boundary of the message: the
characters just outside the match (ignoring invisible ones) are not letters or digits, so
"skill" does not match "kill". Substring terms match anywhere. Inflected forms are different
words: list each form a term needs ("kill", "killing").

A term's `language` chooses the Azerbaijani rules of point 3 (`az`); otherwise it is a label
for the people who maintain the list: every term is looked for in every message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from .lookalikes import (
    ALPHABET,
    APOSTROPHES,
    ARMENIAN_INWORD_MARKS,
    AZ_CYRILLIC,
    AZ_DIGRAPHS,
    AZ_LATIN_ALIASES,
    AZ_SKELETON,
    KEPT_MARKS,
    LATIN_EXTRA,
    LEET,
    LEET_SYMBOLS,
    NEWLINES,
    PUNCTUATION,
    SENTENCE_ENDS,
    VISUAL,
    VISUAL_GROUP_OF,
)

ACTIONS = ("block", "hold", "flag", "mask")
LANGUAGES = ("en", "ru", "hy", "az")
# Higher is stronger: a message with several matches gets the strongest action.
ACTION_PRIORITY = {"block": 3, "hold": 2, "flag": 1, "mask": 0}
MAX_TERM_LENGTH = 200
MASK_CHARACTER = "•"


@dataclass(frozen=True)
class Term:
    """One entry of the watched-words list."""

    id: int | None  # database id, or None for ad-hoc terms
    term: str  # as written by the person who added it
    action: str  # "block" | "hold" | "flag" | "mask"
    language: str | None  # "en" | "ru" | "hy" | "az" | None (all languages)
    whole_word: bool = True  # False: match anywhere inside words (substring)


@dataclass(frozen=True)
class Match:
    """Where a term was found: a span of the original text, as the person wrote it."""

    term: Term
    start: int
    end: int
    matched_text: str



# --- folding one character -------------------------------------------------------------------

def _script(char: str) -> str:
    """The script of one folded letter, for the rules that depend on it."""
    code = ord(char)
    if code < 0x2B0 or 0x1E00 <= code < 0x1F00:  # Latin, with IPA letters such as ə
        return "latin"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x530 <= code < 0x590 or 0xFB13 <= code < 0xFB18:
        return "armenian"
    if 0x370 <= code < 0x400:
        return "greek"
    return "other"


@lru_cache(maxsize=8192)
def _fold_char(char: str) -> str:
    """The folded form of one character of a message: "" for an invisible one, " " for a
    space, "\\n" for a line break, "." for a sentence end, PUNCTUATION for any other mark or
    symbol not used as a letter, otherwise one or more letters or digits to compare."""
    if char in NEWLINES:
        return "\n"
    if char.isspace():
        return " "
    if char in APOSTROPHES or char in ARMENIAN_INWORD_MARKS:
        return ""
    category = unicodedata.category(char)
    if category == "Cf" or category[0] == "M":
        return ""
    folded = unicodedata.normalize("NFKC", char).casefold()
    out: list[str] = []
    for piece in unicodedata.normalize("NFD", folded):
        if unicodedata.combining(piece):
            if out and (out[-1], piece) in KEPT_MARKS:
                out[-1] = KEPT_MARKS[(out[-1], piece)]
            continue
        if piece.isalnum() or piece in LEET:
            out.append(LATIN_EXTRA.get(piece, piece))
        elif piece in SENTENCE_ENDS:
            out.append(".")
        else:
            # Punctuation, symbols, "_", and the space of a spacing accent such as "¨".
            out.append(PUNCTUATION)
    return "".join(out) or PUNCTUATION


def _fold_text(text: str) -> tuple[str, list[int]]:
    """The folded text, and for each of its characters the index of the original character."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        if folded:
            pieces.append(folded)
            origin.extend([index] * len(folded))
    return "".join(pieces), origin


# --- which characters a term letter accepts --------------------------------------------------

def _skeleton(letter: str) -> str:
    """The plain Latin letter an Azerbaijani Latin letter stands for."""
    return AZ_SKELETON.get(letter, letter)


def _letter_keys(char: str, az: bool, in_term: bool) -> frozenset:
    """The comparison keys of one folded character; a term letter accepts a message
    character when they share a key.

    Keys: ("c", char) the character itself; ("v", group) its look-alike group; ("l", letter)
    a plain Latin letter, carried by Latin characters on both sides and by Cyrillic message
    letters read as Azerbaijani; ("L", letter) the same for Cyrillic term letters, carried only
    by Latin message letters (so two Cyrillic letters never meet through Latin); ("z", letter)
    an exact Azerbaijani letter, in either script. Message digits and symbols used as letters
    carry the keys of those letters.
    """
    keys = {("c", char)}
    if char in VISUAL:
        keys.add(("v", VISUAL[char]))
    if char in LEET:
        for letter in LEET[char]:
            keys |= _letter_keys(letter, az, in_term)
        return frozenset(keys)
    script = _script(char)
    if script == "latin" and char.isalpha():
        base = _skeleton(char)
        keys.add(("l", base))
        if az:
            keys.add(("z", char))
            if not in_term:
                keys.add(("L", base))
            if char in AZ_LATIN_ALIASES:
                keys |= _letter_keys(AZ_LATIN_ALIASES[char], az, in_term)
    elif script == "cyrillic" and az and char in AZ_CYRILLIC:
        for letter in AZ_CYRILLIC[char]:
            keys.add(("z", letter))
            keys.add(("L", _skeleton(letter)) if in_term else ("l", _skeleton(letter)))
    return frozenset(keys)


@lru_cache(maxsize=4096)
def _accepted(char: str, az: bool) -> tuple[frozenset, tuple[str, ...]]:
    """The message characters one term character accepts, and the two-letter spellings."""
    if char in LEET or char.isdigit():
        # A digit or symbol inside a term word stands for itself and for its letters.
        chars = {char}
        digraphs: set[str] = set()
        for letter in LEET.get(char, ""):
            more, more_digraphs = _accepted(letter, az)
            chars |= more
            digraphs |= set(more_digraphs)
        return frozenset(chars), tuple(sorted(digraphs))
    term_keys = _letter_keys(char, az, in_term=True)
    chars = {char} | {other for other in ALPHABET if term_keys & _letter_keys(other, az, in_term=False)}
    digraphs = set()
    if az:
        for kind, letter in term_keys:
            if kind == "z":
                digraphs.update(AZ_DIGRAPHS.get(letter, ()))
    return frozenset(chars), tuple(sorted(digraphs))


def _char_class(chars: Iterable[str]) -> str:
    """A regex class of exactly these characters; with none, a pattern that matches nothing
    (a digit that stands for no letter, asked for its letters only)."""
    chars = sorted(chars)
    if not chars:
        return "(?!)"
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in chars) + "]"


# --- compiling a term ------------------------------------------------------------------------

# The longest run of one repeated letter, or of punctuation between two letters, that is
# still read as one word: it bounds the work done at each position of a message.
MAX_RUN = 50
# Between the words of a term: spaces and punctuation, but no line break or sentence end
# (an ellipsis is a pause, not an end).
WORD_GAP = "(?>(?:[" + re.escape(PUNCTUATION) + r" ]|\.{2,}|\.(?![ \n]))" + f"{{0,{MAX_RUN}}})"
WORD_END = r"(?!\w)"


def _term_words(folded: str) -> list[str]:
    """The words of a folded term: runs of letters, digits and symbols used as letters.
    Symbols count only in a word that has a letter and not at its end ("kill!"); a word
    without letters or digits is dropped; a term spelled out letter by letter is one word."""
    words = re.findall(r"(?:[^\W_]|[" + re.escape(LEET_SYMBOLS) + r"])+", folded)
    kept = []
    for word in words:
        word = word.rstrip(LEET_SYMBOLS)  # "kill!" ends with punctuation, not with an "i"
        if any(c.isalpha() for c in word):
            kept.append(word)
        elif any(c.isdigit() for c in word):
            kept.append("".join(c for c in word if c.isdigit()))
    if len(kept) > 1 and all(len(word) == 1 for word in kept):
        return ["".join(kept)]  # a term spelled out ("k.i.l.l", "k i l l") is one word
    return kept


def _runs(word: str) -> list[tuple[str, int]]:
    """A word as (character, times repeated) pairs."""
    runs: list[tuple[str, int]] = []
    for char in word:
        if runs and runs[-1][0] == char:
            runs[-1] = (char, runs[-1][1] + 1)
        else:
            runs.append((char, 1))
    return runs


def _unit(char: str, az: bool, gap: str = "", letters_only: bool = False) -> str:
    """A regex for one term letter in the message; with `gap` (characters), for that letter
    or one of those characters; `letters_only` leaves out digits and symbols used as letters."""
    chars, digraphs = _accepted(char, az)
    if letters_only:
        chars = {c for c in chars if c.isalpha()}
    if not digraphs:
        return _char_class(chars | set(gap))
    return "(?:" + "|".join([re.escape(d) for d in digraphs] + [_char_class(chars | set(gap))]) + ")"


def _word_pattern(word: str, az: bool, whole_word: bool) -> str:
    """A regex for one word of a term: its letters, each repeated as often as the message
    likes (at least as often as in the term), split by punctuation, or spelled out letter by
    letter with spaces.

    Each letter's repetitions are taken atomically, so the search never backtracks into
    them: the gaps never contain a letter, so nothing is lost, and the search time stays
    linear whatever the message.
    """
    if not any(c.isalpha() for c in word):
        start = r"(?<!\w)" if whole_word else ""
        return start + re.escape(word)  # a number in a term is matched as written
    runs = _runs(word)
    first = _unit(runs[0][0], az)
    if whole_word:
        # The boundary is checked after the first letter, so that the search can skip ahead
        # to the characters a term can start with (several times faster).
        first = (r"(?<!\w)" + first) if first.startswith("(?:") else first + r"(?<!\w.)"

    def rest(index: int, char: str, count: int, spaced: bool) -> str:
        # Between letters: punctuation (sentence ends and "_" included), and spaces when the
        # word is spelled out.
        gap = PUNCTUATION + "." + (" " if spaced else "")
        last = index == len(runs) - 1
        head = "" if index == 0 else _unit(char, az)
        if last or count > 1:
            # Exactly: the letters the term doubles, then any more repetitions of the letter
            # itself (not digits or symbols: "kill!!" ends at the l), never across a space
            # (which could take the first letter of the next word).
            needed = f"(?:{_char_class(gap)}{{0,{MAX_RUN}}}{_unit(char, az)}){{{count - 1}}}"
            more = (f"(?:{_char_class(PUNCTUATION + '.')}{{0,{MAX_RUN}}}"
                    f"{_unit(char, az, letters_only=True)}){{0,{MAX_RUN}}}")
            tail = f"(?>{needed}{more})"
            if not last:
                tail += f"(?>{_char_class(gap)}{{0,{MAX_RUN}}})"
        else:
            tail = f"(?>{_unit(char, az, gap)}{{0,{MAX_RUN}}})"
        # Spelled out letter by letter: a space before the next letter.
        return head + tail + ("(?<= )" if spaced and not last else "")

    joined = "".join(rest(i, c, n, False) for i, (c, n) in enumerate(runs))
    if len(runs) == 1:
        return first + joined
    spaced = "".join(rest(i, c, n, True) for i, (c, n) in enumerate(runs))
    return first + "(?:" + joined + "|" + spaced + ")"


@lru_cache(maxsize=4096)
def _compile_term(text: str, language: str | None, whole_word: bool) -> re.Pattern:
    """The compiled regex of a term (cached: a list rebuilt after one change reuses the rest)."""
    words = _term_words(_fold_text(text)[0])
    if not words:
        raise ValueError(f"the term {text!r} has no letters or digits to match")
    az = language == "az"
    body = WORD_GAP.join(_word_pattern(word, az, whole_word and i == 0) for i, word in enumerate(words))
    if whole_word:
        body += WORD_END
    return re.compile(body)


def normalise_term(term: str) -> str:
    """The folded key of a term, used to spot the same term added twice; raises ValueError if
    the term has no letters or digits.

    Letters are folded as for matching; in each word, look-alike letters and digits used as
    letters are written in the script most of the word is in; a word with Azerbaijani
    Cyrillic letters is written in Latin; Azerbaijani Latin letters become their plain base
    letter; repeated letters are collapsed; words are joined with one space.
    """
    words = _term_words(_fold_text(term)[0])
    if not words:
        raise ValueError("the term has no letters or digits to match")
    return " ".join(_word_key(word) for word in words)


def _word_key(word: str) -> str:
    """The key of one folded word of a term (see `normalise_term`)."""
    if not any(c.isalpha() for c in word):
        return word
    scripts = [_script(c) for c in word if c.isalpha()]
    main = max(("latin", "cyrillic", "armenian"), key=scripts.count)
    letters = []
    for char in word:
        if char in LEET:
            options = [c for c in LEET[char] if _script(c) == main] or [LEET[char][0]]
            char = options[0]
        if _script(char) != main and char in VISUAL:
            twins = [c for c in VISUAL_GROUP_OF[char] if _script(c) == main]
            char = twins[0] if twins else char
        letters.append(char)
    if main == "cyrillic" and any(c in "әғҹјһүөҝ" for c in letters):
        letters = [AZ_CYRILLIC.get(c, c)[0] for c in letters]
    letters = [AZ_SKELETON.get(c, c) for c in letters]
    return "".join(char for char, _count in _runs("".join(letters)))


# --- the matcher -----------------------------------------------------------------------------

class Matcher:
    """A compiled watched-words list: build once, then `find` in every message."""

    def __init__(self, terms: Iterable[Term]):
        by_pattern: dict[str, list[Term]] = {}
        compiled: dict[str, re.Pattern] = {}
        for term in terms:
            if term.action not in ACTIONS:
                raise ValueError(f"unknown action {term.action!r} for term {term.term!r}")
            if term.language is not None and term.language not in LANGUAGES:
                raise ValueError(f"unknown language {term.language!r} for term {term.term!r}")
            regex = _compile_term(term.term, term.language, term.whole_word)
            by_pattern.setdefault(regex.pattern, []).append(term)
            compiled[regex.pattern] = regex
        # Terms that compile to the same pattern are searched once; the strongest one reports.
        self._patterns = [
            (compiled[pattern], max(group, key=lambda t: ACTION_PRIORITY[t.action]),
             all(any(c.isalpha() for c in w) for w in _term_words(_fold_text(group[0].term)[0])))
            for pattern, group in by_pattern.items()
        ]

    def find(self, text: str) -> list[Match]:
        """Every match in the text, in order of start, not overlapping: where matches overlap,
        the strongest action wins, then the longest match, then the earliest."""
        folded, origin = _fold_text(text)
        candidates: list[tuple[int, int, Term]] = []
        for regex, term, has_letters in self._patterns:
            position = 0
            while True:
                found = regex.search(folded, position)
                if found is None:
                    break
                start, end = found.span()
                if end > start and (not has_letters or any(c.isalpha() for c in folded[start:end])):
                    candidates.append((start, end, term))
                    position = end
                else:
                    position = start + 1
        candidates.sort(key=lambda c: (-ACTION_PRIORITY[c[2].action], -(c[1] - c[0]), c[0]))
        chosen: list[tuple[int, int, Term]] = []
        for candidate in candidates:
            if all(candidate[1] <= other[0] or other[1] <= candidate[0] for other in chosen):
                chosen.append(candidate)
        matches = []
        for start, end, term in sorted(chosen, key=lambda c: c[0]):
            original_start = origin[start]
            original_end = origin[end - 1] + 1
            # A mark typed on the last letter belongs to the match.
            while original_end < len(text) and unicodedata.category(text[original_end])[0] == "M":
                original_end += 1
            matches.append(Match(term, original_start, original_end, text[original_start:original_end]))
        return matches


def strongest(matches: Iterable[Match]) -> str | None:
    """The strongest action among the matches (block > hold > flag > mask), or None."""
    actions = [match.term.action for match in matches]
    return max(actions, key=ACTION_PRIORITY.__getitem__) if actions else None


def mask(text: str, matches: Iterable[Match]) -> str:
    """The text with every `mask` match masked: the first character of the match is kept and
    each following character becomes "•", except spaces, which are kept; the length and the
    rest of the text are unchanged. Matches of other actions are left alone."""
    characters = list(text)
    for match in matches:
        if match.term.action != "mask":
            continue
        for index in range(match.start + 1, match.end):
            if not characters[index].isspace():
                characters[index] = MASK_CHARACTER
    return "".join(characters)
