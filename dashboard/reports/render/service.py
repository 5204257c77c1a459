"""A service report as PDF (issue 21): templates/service_report.html on the executive report's base
(templates/base.css: the same type, Noto Sans CJK for Chinese, headings and details box), laid out by WeasyPrint."""

from __future__ import annotations

from weasyprint import HTML

from dashboard.reports.render.pdf import TEMPLATES, _templates
from dashboard.work.service_reports import ServiceReport


def render_service_report(report: ServiceReport) -> bytes:
    html = _templates.get_template("service_report.html").render(report=report)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
