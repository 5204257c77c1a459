"""Service reports (issue 21) made and e-mailed in the background: the report runner's round (schedule.py) renders
each newly done visit's report and keeps it, then e-mails the kept ones to the customer's contact, once. Nothing of
this runs in the phone's request: marking a task done only changes its state."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dashboard.core.i18n import _
from dashboard.core.mail import MAIL_ERRORS, new_message, send_mail
from dashboard.core.runtime import Runtime
from dashboard.reports.render.service import render_service_report
from dashboard.work.form_defs import FormError
from dashboard.work.service_reports import report_content
from data import service_reports

log = logging.getLogger(__name__)
PER_ROUND = 5  # about 2 s each (Chinese: the CJK font's subset): the runner's other work waits at most a little


def pdf_name(task_id: int) -> str:
    return f"service-report-{task_id}.pdf"


def make_report(rt: Runtime, task_id: int, now: datetime | None = None) -> int | None:
    """Render and keep one task's report in the organisation's language; its id, None when there is nothing to
    report or another process kept it first."""
    content = report_content(rt, task_id)
    if content is None:
        return None
    pdf = render_service_report(content)
    return service_reports.keep(rt.db, task_id, content.language, pdf, now or datetime.now(UTC))


def make_due_reports(rt: Runtime) -> list[int]:
    """Every done visit's report not made yet."""
    made = []
    for task_id in service_reports.due(rt.db, PER_ROUND):
        try:
            report_id = make_report(rt, task_id)
        except (FormError, TypeError, ValueError, AttributeError, KeyError):
            # A stored form or answer this code cannot read: say so and keep the round going for the other tasks.
            log.exception("Service report of task %s cannot be made (tried again next round)", task_id)
            continue
        if report_id is not None:
            made.append(report_id)
    return made


def mail_reports(rt: Runtime) -> int:
    """E-mail each kept report whose customer has a contact address, once; a failed send is tried next round."""
    if not rt.settings.smtp_url:
        return 0  # kept unmailed: a server configured later sends them
    sent = 0
    for row in service_reports.unmailed(rt.db):
        lang = row["language"]
        message = new_message(
            rt.settings, [row["contact_email"]], _("Service report: {customer}", lang, customer=row["customer_name"])
        )
        greeting = _("Hello {name},", lang, name=row["contact_name"]) if row["contact_name"] else _("Hello,", lang)
        attached = _("The report of our visit is attached.", lang)
        message.set_content(f"{greeting}\n\n{attached}\n")
        message.add_attachment(
            bytes(row["pdf"]), maintype="application", subtype="pdf", filename=pdf_name(row["task_id"])
        )
        try:
            send_mail(rt.settings, message)
        except MAIL_ERRORS as exc:
            log.warning("E-mailing service report %s failed (retried): %s", row["id"], exc)
            continue
        service_reports.mark_mailed(rt.db, row["id"], row["contact_email"], datetime.now(UTC))
        sent += 1
    return sent
