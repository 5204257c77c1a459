"""Reports for executives: gathered from the rollups, rendered as PDF, XLSX and CSV, scheduled and mailed.

model      ReportError, Period, ReportData, FORMATS: the plain types every other module shares
periods    a period from text (`2026-11`, `2026-W47`, `2026-11-01..2026-11-15`) or a stored row
gather     the figures of one report, read within its author's scope; kpis: its key figures
build      queue a report; build it (gather, then render each format) and store the files
render/    the formats: pdf (with charts and templates/), xlsx, csv; tables shared by all three
schedule   schedules and the ReportRunner loop of `fieldops worker`; mail: e-mailing finished reports
"""
