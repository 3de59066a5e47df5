"""The translation catalogs: complete, not fuzzy, their placeholders those of the source, and
up to date with the source (extracted again and compared)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "dialogue" / "translations"
LANGUAGES = ("hy", "az", "ru")
PLACEHOLDER = re.compile(r"%\(\w+\)[0-9.]*[sdf]|%[sd]|\{\w*\}|</?[a-z][^>]*>|&\w+;")
# A plural form may say "one" without the number itself.
NUMBER = re.compile(r"%\((n|num|count)\)d")


def _catalog(path: Path):
    with open(path, "rb") as handle:
        return read_po(handle)


def _entries(catalog):
    return {message.id: message for message in catalog if message.id}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_with_the_same_placeholders(language):
    catalog = _catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
    problems = []
    for message in _entries(catalog).values():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            problems.append(f"fuzzy: {ids[0]!r}")
        if not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        want = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            got = set(PLACEHOLDER.findall(string))
            if got != want and {p for p in got if not NUMBER.fullmatch(p)} != {p for p in want if not NUMBER.fullmatch(p)}:
                problems.append(f"placeholders {sorted(want)} became {sorted(got)} in {ids[0]!r}")
    assert problems == [], "\n".join(problems[:30])


def test_the_catalogs_are_up_to_date_with_the_source(tmp_path):
    """Extract again: the template and every catalog hold exactly the source's strings."""
    fresh = tmp_path / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", str(ROOT / "babel.cfg"),
                    "-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2",
                    "--no-location", "-o", str(fresh), str(ROOT)], check=True, cwd=ROOT)
    source = set(_entries(_catalog(fresh)))
    assert set(_entries(_catalog(TRANSLATIONS / "messages.pot"))) == source, "run `make catalogs`"
    for language in LANGUAGES:
        catalog = set(_entries(_catalog(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")))
        assert catalog == source, f"{language}: run `make catalogs` and translate what is new"
