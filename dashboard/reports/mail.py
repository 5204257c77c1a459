"""E-mailing finished reports: a scheduled report with recipients goes once, through FIELDOPS_SMTP_URL."""

from __future__ import annotations

import logging

from dashboard.core.i18n import _
from dashboard.core.mail import MAIL_ERRORS, new_message, send_mail
from dashboard.core.runtime import Runtime
from dashboard.reports.periods import period_of
from data import reports

log = logging.getLogger(__name__)


def send_report_mail(rt: Runtime, report: dict, recipients: list[str]) -> None:
    """E-mail a finished report's files through the configured SMTP server (FIELDOPS_SMTP_URL)."""
    lang = report["language"]
    subject = _("FieldOps report: {period}", lang, period=period_of(report).label(lang))
    message = new_message(rt.settings, recipients, subject)
    message.set_content(_("The report is attached.", lang))
    for row in reports.report_files(rt.db, report["id"]):
        maintype, subtype = row["media_type"].split(";")[0].split("/")
        message.add_attachment(bytes(row["content"]), maintype=maintype, subtype=subtype, filename=row["name"])
    send_mail(rt.settings, message)


def mail_scheduled_reports(rt: Runtime) -> int:
    """Send each finished scheduled report with recipients once; the row records that it went."""
    sent = 0
    for row in reports.unsent_scheduled(rt.db):
        if not rt.settings.smtp_url:
            log.warning("Report %s has recipients but FIELDOPS_SMTP_URL is not set", row["id"])
            reports.mark_emailed(rt.db, row["id"])
            continue
        try:
            send_report_mail(rt, row, row["email_to"])
        except MAIL_ERRORS as exc:
            log.warning("E-mailing report %s failed (retried): %s", row["id"], exc)
            continue
        reports.mark_emailed(rt.db, row["id"])
        sent += 1
    return sent
