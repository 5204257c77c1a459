"""The report as an XLSX workbook (openpyxl): a summary sheet, then one sheet per table. Text that starts like a
formula gets the same leading apostrophe as in the CSVs (dashboard/core/spreadsheets.py): openpyxl would
otherwise store a string starting with "=" as a live formula."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from dashboard.core.i18n import _
from dashboard.core.spreadsheets import as_text_cell
from dashboard.reports.model import ReportData
from dashboard.reports.render.tables import (
    coverage_columns,
    daily_columns,
    employee_columns,
    header_lines,
    kpi_columns,
    overdue_columns,
    score_columns,
    team_columns,
)


def render_xlsx(data: ReportData) -> bytes:
    lang = data.language
    book = Workbook()
    summary = book.active
    summary.title = _("Summary", lang)[:31]
    summary.append([_("Field operations report", lang)])
    summary["A1"].font = Font(bold=True, size=14)
    for label, value in header_lines(data):
        summary.append([as_text_cell(label), as_text_cell(value)])
    summary.append([])
    _append_table(summary, kpi_columns(lang), data.kpis)
    sheets = [
        (_("Daily", lang), daily_columns(lang), data.daily),
        (_("Teams", lang), team_columns(lang), data.teams),
        (_("Employees", lang), employee_columns(lang), data.employees),
    ]
    if data.teams_only:
        sheets.pop()  # the Teams sheet stands in for it; the summary's Privacy line says why
    for title, columns, rows in sheets:
        _append_table(book.create_sheet(title[:31]), columns, rows)
    coverage = book.create_sheet(_("Coverage", lang)[:31])
    _append_table(coverage, coverage_columns(lang), data.coverage_teams)
    coverage.append([])
    coverage.append([_("Customers overdue", lang)])
    _append_table(coverage, overdue_columns(lang), data.overdue_customers)
    satisfaction = book.create_sheet(_("Satisfaction", lang)[:31])
    _append_table(satisfaction, score_columns(lang), [(score, data.scores.get(score, 0)) for score in range(1, 6)])
    daily = book[sheets[0][0][:31]]
    chart = BarChart()
    chart.title = _("Visits", lang)
    chart.add_data(Reference(daily, min_col=2, min_row=1, max_row=len(data.daily) + 1), titles_from_data=True)
    chart.set_categories(Reference(daily, min_col=1, min_row=2, max_row=len(data.daily) + 1))
    chart.width, chart.height = 24, 8
    daily.add_chart(chart, "H2")
    for sheet in book.worksheets:
        _fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render_form_answers(sheets: list[dict], language: str) -> bytes:
    """Visit forms' answers (dashboard/work/form_answers.export_sheets): a sheet per form version, a column per
    question; a workbook with one sheet saying so when there are none."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        columns = [(str(i), title, lambda row, i=i: row[i]) for i, title in enumerate(sheet["columns"])]
        _append_table(book.create_sheet(sheet["title"][:31]), columns, sheet["rows"])
    if not sheets:
        book.create_sheet(_("Summary", language)[:31]).append([_("No answers in this period.", language)])
    for sheet in book.worksheets:
        _fit_columns(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _append_table(sheet, columns: list, rows: list) -> None:
    header_row = sheet.max_row + 1 if sheet.max_row > 1 else 1
    sheet.append([header for _key, header, _get in columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F3A5F")
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for row in rows:
        sheet.append([as_text_cell(get(row)) for _key, _header, get in columns])
    if header_row == 1:
        sheet.freeze_panes = "A2"


def _fit_columns(sheet) -> None:
    for index, column in enumerate(sheet.iter_cols(min_row=1, max_row=min(sheet.max_row, 200)), start=1):
        longest = max((_display_width(cell.value) for cell in column), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(8, longest + 2), 48)


def _display_width(value: object) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)  # CJK characters are two columns wide
