"""Alert notifications by e-mail: subject and body in the recipient's language, with the links to the alert in the
inbox and to the person's day."""

from __future__ import annotations

from email.message import EmailMessage

from dashboard.core.config import Settings
from dashboard.core.i18n import _
from dashboard.core.mail import new_message
from dashboard.work.notify.messages import Notice


def message_of(settings: Settings, to: str, notice: Notice) -> EmailMessage:
    lang = notice.language
    message = new_message(settings, [to], f"[FieldOps] {notice.title}")
    body = [notice.title, "", *notice.lines, "", _("Open the alert: {url}", lang, url=notice.url)]
    if notice.day_url:
        body.append(_("Their day: {url}", lang, url=notice.day_url))
    message.set_content("\n".join(body) + "\n")
    return message
