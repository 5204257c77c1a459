"""The one neutraliser for spreadsheet cells (report CSV/XLSX and the /export CSVs)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.core.spreadsheets import as_text_cell


@pytest.mark.parametrize("text", ["=1+1", "+358 40 123", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_that_starts_like_a_formula_gets_the_apostrophe(text):
    assert as_text_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Anna Virtanen", "", "a=b", -3, 2.5, None, date(2026, 1, 2)])
def test_numbers_dates_and_plain_text_are_unchanged(value):
    assert as_text_cell(value) == value
