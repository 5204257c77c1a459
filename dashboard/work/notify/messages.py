"""What a notification says, in its reader's language: a title, a few lines, the link to the alert in the inbox
and to the person's day at that moment. Every channel words the same `Notice` its own way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dashboard.core.config import Settings
from dashboard.core.i18n import _
from dashboard.work.alerting import KINDS, kind_label, severity_label

DIGEST_LINES = 10  # a digest names every alert by count, and the first ones by their title

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class Notice:
    title: str
    lines: tuple[str, ...]
    url: str  # the alert in the inbox
    day_url: str | None  # the person's day at that moment
    severity: str
    language: str


def alert_url(settings: Settings, alert_id: int) -> str:
    return f"{settings.public_url}/alerts?alert={alert_id}"


def day_url(settings: Settings, employee_id: int, at: datetime) -> str:
    return f"{settings.public_url}/analytics/day?employee={employee_id}&date={at.astimezone(settings.tz):%Y-%m-%d}"


def title_of(alert: dict, event: str, language: str) -> str:
    what = alert["rule_name"] or kind_label(alert["kind"], language)
    if event == "resolved":
        return _("Resolved: {what} — {person}", language, what=what, person=alert["name"])
    severity = severity_label(alert["severity"], language)
    return _("{severity}: {what} — {person}", language, severity=severity, what=what, person=alert["name"])


def notice_of(settings: Settings, alert: dict, event: str, language: str | None) -> Notice:
    language = language or settings.language
    when = alert["at"].astimezone(settings.tz).strftime("%Y-%m-%d %H:%M")
    lines = [
        _("Who: {person} ({team})", language, person=alert["name"], team=alert["team_name"] or _("no team", language)),
        _("When: {when}", language, when=when),
    ]
    if alert["kind"] in KINDS:
        lines.append(_("Rule: {kind}", language, kind=kind_label(alert["kind"], language)))
    return Notice(
        title=title_of(alert, event, language),
        lines=tuple(lines),
        url=alert_url(settings, alert["id"]),
        day_url=day_url(settings, alert["employee_id"], alert["at"]),
        severity=alert["severity"],
        language=language,
    )


def digest_of(settings: Settings, items: list[tuple[dict, str]], language: str | None) -> Notice:
    """One message naming many alerts (a robot's rate limit reached): their count and the first titles."""
    language = language or settings.language
    lines = [title_of(alert, event, language) for alert, event in items[:DIGEST_LINES]]
    if len(items) > DIGEST_LINES:
        lines.append(_("… and {n} more", language, n=len(items) - DIGEST_LINES))
    worst = max((alert["severity"] for alert, _event in items), key=SEVERITIES.index)
    return Notice(
        title=_("{n} alerts", language, n=len(items)),
        lines=tuple(lines),
        url=f"{settings.public_url}/alerts",
        day_url=None,
        severity=worst,
        language=language,
    )
