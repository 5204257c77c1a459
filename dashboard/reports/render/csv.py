"""The report as CSV: one UTF-8 file (with BOM, for Excel) per table; text that starts like a formula is
written as text (dashboard/core/spreadsheets.py), as in the /export CSVs."""

from __future__ import annotations

import csv
import io

from dashboard.core.i18n import _
from dashboard.core.spreadsheets import as_text_cell
from dashboard.reports.model import ReportData
from dashboard.reports.render.tables import (
    daily_columns,
    employee_columns,
    kpi_columns,
    score_columns,
    team_columns,
    teams_only_note,
)


def render_csv(data: ReportData) -> dict[str, bytes]:
    """One CSV per table, keyed by the table's file-name part; headers in the report's language."""
    lang = data.language
    tables = {
        "kpis": (kpi_columns(lang), data.kpis),
        "daily": (daily_columns(lang), data.daily),
        "teams": (team_columns(lang), data.teams),
        "employees": (employee_columns(lang), data.employees),
        "satisfaction": (score_columns(lang), [(score, data.scores.get(score, 0)) for score in range(1, 6)]),
    }
    if data.teams_only:
        # The team table stands in for the people's; a one-line file says why the people's is missing.
        del tables["employees"]
        tables["privacy"] = ([("note", _("Note", lang), lambda note: note)], [teams_only_note(lang)])
    files = {}
    for name, (columns, rows) in tables.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([header for _key, header, _get in columns])
        for row in rows:
            writer.writerow([as_text_cell(get(row)) for _key, _header, get in columns])  # None is written ""
        files[name] = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return files
