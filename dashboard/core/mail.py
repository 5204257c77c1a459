"""The one way FieldOps sends e-mail: through the SMTP server of FIELDOPS_SMTP_URL (reports, alert notifications).

smtp://host:port (plain), smtp+starttls://host:port (STARTTLS), smtps://host:port (TLS from the start); a user
and password in the URL log in.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

from dashboard.core.config import Settings

TIMEOUT_S = 30
MAIL_ERRORS = (OSError, smtplib.SMTPException)  # what a failed send raises: retry later


class MailNotConfigured(RuntimeError):
    """FIELDOPS_SMTP_URL is not set."""


def new_message(settings: Settings, to: list[str], subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    return message


def send_mail(settings: Settings, message: EmailMessage) -> None:
    """Hand one message to the configured SMTP server; raises one of MAIL_ERRORS when it does not take it."""
    if not settings.smtp_url:
        raise MailNotConfigured("FIELDOPS_SMTP_URL is not set")
    parts = urlsplit(settings.smtp_url)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    with smtp_class(parts.hostname or "127.0.0.1", port, timeout=TIMEOUT_S) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(message)
