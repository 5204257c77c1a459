"""Rendering a gathered report (dashboard/reports/model.ReportData) as PDF, XLSX and CSV.

PDF: HTML + CSS (templates/report.html) laid out by WeasyPrint, whose Pango/HarfBuzz text stack
embeds Noto Sans CJK (a CFF-outline .ttc, which ReportLab cannot embed) as a subset. Charts
(charts.py): matplotlib on the server, as SVG with text drawn as paths, so the PDF needs no chart
font; the heatmap (thousands of cells) as a 200 dpi PNG. XLSX: openpyxl, one sheet per table.
CSV: one UTF-8 file (with BOM, for Excel) per table. The tables all three share are in tables.py.

Each format is its own module, imported only when a build needs it: matplotlib and WeasyPrint
take about a second to load.
"""
