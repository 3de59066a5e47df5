"""CSV files that people open in a spreadsheet: every cell written so that it stays text.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by common spreadsheets; members and strangers write some of these cells (reasons,
token names, terms), so every CSV export of the platform goes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable]) -> str:
    """A whole CSV document, every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(header))
    for values in rows:
        writer.writerow([cell(value) for value in values])
    return out.getvalue()
