"""The watched-words list as a file: the CSV format people import and export, and the
starter list shipped with the platform."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from .matcher import ACTIONS, LANGUAGES, MAX_TERM_LENGTH, Term, normalise_term

CSV_HEADER = ("term", "action", "language", "match")
MATCH_KINDS = ("word", "substring")
STARTER_FILE = Path(__file__).with_name("starter_words.csv")


class CsvError(ValueError):
    """A watched-words CSV file that cannot be imported, with the first bad line."""

    def __init__(self, line_number: int, message: str):
        super().__init__(f"line {line_number}: {message}")
        self.line_number = line_number
        self.message = message


def parse_csv(text: str) -> list[Term]:
    """The terms of a watched-words CSV file (header `term,action,language,match`); raises
    CsvError naming the first bad line, so the caller can refuse the whole file.

    Blank lines and lines starting with "#" are skipped. Empty cells and missing trailing
    cells take the defaults: action `hold`, language all (empty), match `word`.
    """
    terms: list[Term] = []
    header_seen = False
    for line_number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            cells = [cell.strip() for cell in next(csv.reader([line], strict=True))]
        except csv.Error as error:
            raise CsvError(line_number, f"not valid CSV ({error})") from None
        if not header_seen:
            if tuple(cell.lower() for cell in cells) != CSV_HEADER:
                raise CsvError(line_number, "the first line must be the header: " + ",".join(CSV_HEADER))
            header_seen = True
            continue
        if len(cells) > len(CSV_HEADER):
            raise CsvError(line_number, f"expected at most {len(CSV_HEADER)} columns "
                                        f"({','.join(CSV_HEADER)}), found {len(cells)}")
        term, action, language, match = (cells + [""] * len(CSV_HEADER))[:len(CSV_HEADER)]
        action, language, match = action.lower() or "hold", language.lower() or None, match.lower() or "word"
        if not term:
            raise CsvError(line_number, "the term is empty")
        if len(term) > MAX_TERM_LENGTH:
            raise CsvError(line_number, f"the term is longer than {MAX_TERM_LENGTH} characters")
        if action not in ACTIONS:
            raise CsvError(line_number, f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
        if language is not None and language not in LANGUAGES:
            raise CsvError(line_number, f"unknown language {language!r}; use one of: "
                                        f"{', '.join(LANGUAGES)}, or leave it empty for all")
        if match not in MATCH_KINDS:
            raise CsvError(line_number, f"unknown match {match!r}; use one of: {', '.join(MATCH_KINDS)}")
        try:
            normalise_term(term)
        except ValueError:
            raise CsvError(line_number, f"the term {term!r} has no letters or digits to match") from None
        terms.append(Term(None, term, action, language, match == "word"))
    return terms


def to_csv(terms: Iterable[Term]) -> str:
    """The terms as a watched-words CSV file, in the format `parse_csv` reads (ids are not
    kept; a line break inside a term is written as a space)."""
    out = io.StringIO()
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    plain.writerow(CSV_HEADER)
    for term in terms:
        text = " ".join(term.term.splitlines())
        row = (text, term.action, term.language or "", "word" if term.whole_word else "substring")
        # A term that starts with "#" would read back as a comment line: quote it.
        (quoted if text.lstrip().startswith("#") else plain).writerow(row)
    return out.getvalue()


def starter_terms() -> list[Term]:
    """The starter list shipped with the platform (starter_words.csv, next to this module)."""
    return parse_csv(STARTER_FILE.read_text(encoding="utf-8"))
