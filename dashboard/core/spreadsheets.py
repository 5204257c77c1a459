"""Text written into a file a spreadsheet opens (CSV exports, report CSV and XLSX): a cell that starts like a
formula is written as text, so a name such as `=HYPERLINK(…)` never runs in the reader's spreadsheet."""

from __future__ import annotations

# What a spreadsheet reads as the start of a formula (OWASP "CSV injection"), tab and carriage return included.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text_cell(value: object) -> object:
    """A string that starts like a formula gets a leading apostrophe, the spreadsheet's own "this is text"
    mark; numbers, dates and other text pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
