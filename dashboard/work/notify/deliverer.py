"""Sends the notifications' outbox: e-mail, Web Push and chat robots, retried with backoff, given up after
MAX_ATTEMPTS with the last error kept (the row is its own log).

A chat robot takes only so many messages a minute (robots.PER_MINUTE, counted in Redis over every deliverer):
when more are due than it has room for, ONE digest names them all and every row is marked delivered with the
digest's size; a robot with no room at all waits until its window frees. Nothing is dropped silently.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from dashboard.core.i18n import _
from dashboard.core.mail import MAIL_ERRORS, MailNotConfigured, send_mail
from dashboard.core.runtime import Runtime
from dashboard.work.notify import mailing, robots, webpush
from dashboard.work.notify.messages import Notice, digest_of, notice_of
from dashboard.work.webhooks import retry_delay_s, target_refusal
from data import alerts, notifications

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BATCH = 100
IDLE_WAIT_S = 2.0
PRIVATE_SETTING = webpush.PRIVATE_SETTING


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    error: str | None = None
    final: bool = False  # retrying cannot help (no address, no subscription, robot switched off)


DELIVERED = Outcome(True)


class Deliverer:
    """Sends due notifications; safe to run in several processes (claims are leased with SKIP LOCKED)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: the target check must hold

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                sent = self.deliver_due()
            except Exception:  # keep the loop alive; leased rows come due again
                log.exception("Alert notification delivery failed; retrying")
                sent = 0
            if not sent:
                stop.wait(IDLE_WAIT_S)

    def deliver_due(self, now: datetime | None = None) -> int:
        """Send what is due by `now`; the number of rows handled."""
        now = now or datetime.now(UTC)
        due = notifications.claim_due(self.rt.db, BATCH, now)
        if not due:
            return 0
        found = notifications.alerts_for_notice(self.rt.db, {row["alert_id"] for row in due})
        by_robot: dict[int, list[dict]] = defaultdict(list)
        for row in due:
            if row["alert_id"] not in found:
                self._record([row], Outcome(False, "the alert is gone", final=True), now)
            elif row["channel"] == "robot":
                by_robot[row["robot_id"]].append(row)
            else:
                outcome = self._send_to_user(row, found[row["alert_id"]])
                self._record([row], outcome, now)
        for robot_id, rows in by_robot.items():
            self._send_to_robot(robot_id, rows, found, now)
        return len(due)

    def _record(self, rows: list[dict], outcome: Outcome, now: datetime, digest_of: int = 1) -> None:
        attempts = max(row["attempts"] for row in rows) + 1
        retry_at = None
        if not outcome.delivered and not outcome.final and attempts < MAX_ATTEMPTS:
            retry_at = now + timedelta(seconds=retry_delay_s(attempts))
        if not outcome.delivered:
            # Nowhere to send it (no address, no browser subscribed) is no fault: said quietly.
            log.log(
                logging.INFO if outcome.final else logging.WARNING,
                "Alert notification %s (%s) not delivered%s: %s",
                [row["id"] for row in rows],
                rows[0]["channel"],
                "" if retry_at else ", given up",
                outcome.error,
            )
        notifications.record_attempt(
            self.rt.db,
            [row["id"] for row in rows],
            delivered=outcome.delivered,
            error=outcome.error,
            retry_at=retry_at,
            digest_of=digest_of,
        )

    def _allow_private(self) -> bool:
        return bool(self.rt.org_settings().get(PRIVATE_SETTING))

    # ---- e-mail and Web Push: one user each ---------------------------------------------------------------------

    def _send_to_user(self, row: dict, alert: dict) -> Outcome:
        person = notifications.contact(self.rt.db, row["user_id"])
        if person is None:
            return Outcome(False, "the user is gone or disabled", final=True)
        notice = notice_of(self.rt.settings, alert, row["event"], person["language"])
        if row["channel"] == "email":
            return self._mail(person, notice)
        return self._push(person, notice)

    def _mail(self, person: dict, notice: Notice) -> Outcome:
        if not person["email"]:
            return Outcome(False, "the user has no e-mail address", final=True)
        try:
            send_mail(self.rt.settings, mailing.message_of(self.rt.settings, person["email"], notice))
        except MailNotConfigured as exc:
            return Outcome(False, str(exc))
        except MAIL_ERRORS as exc:
            return Outcome(False, f"{type(exc).__name__}: {exc}"[:500])
        return DELIVERED

    def _push(self, person: dict, notice: Notice) -> Outcome:
        subscriptions = alerts.push_subscriptions(self.rt.db, person["id"])
        if not subscriptions:
            return Outcome(False, "the user has no Web Push subscription", final=True)
        errors, delivered = [], False
        for subscription in subscriptions:
            refusal = target_refusal(subscription["endpoint"], self._allow_private())
            if refusal:
                errors.append(refusal)
                continue
            status, error = webpush.push(self.rt.settings, self.session, subscription, notice)
            if status in webpush.GONE:
                alerts.delete_push_subscription(self.rt.db, subscription["endpoint"])
                errors.append(f"subscription gone ({status})")
            elif error is None and status is not None and 200 <= status < 300:
                delivered = True
            else:
                errors.append(error or f"HTTP {status}")
        if delivered:
            return DELIVERED
        gone = not alerts.push_subscriptions(self.rt.db, person["id"])
        return Outcome(False, "; ".join(errors)[:500], final=gone)

    # ---- chat robots: several alerts in one digest when over the robot's limit ----------------------------------

    def _send_to_robot(self, robot_id: int, rows: list[dict], found: dict[int, dict], now: datetime) -> None:
        robot = notifications.robot(self.rt.db, robot_id)
        if robot is None or not robot["active"]:
            self._record(rows, Outcome(False, "the robot is switched off", final=True), now)
            return
        refusal = target_refusal(robot["url"], self._allow_private())
        if refusal:
            self._record(rows, Outcome(False, refusal), now)
            return
        now_ms = int(now.timestamp() * 1000)
        window_ms = robots.WINDOW_S * 1000
        client, prefix = self.rt.feed.client, self.rt.feed.prefix
        sent = notifications.robot_sent_since(client, prefix, robot_id, now_ms - window_ms)
        room = robots.PER_MINUTE[robot["kind"]] - len(sent)
        if room <= 0:
            notifications.postpone(self.rt.db, [row["id"] for row in rows], _at_ms(sent[0] + window_ms))
            return
        language = self.rt.settings.language
        if len(rows) <= room:
            for row in rows:
                notice = notice_of(self.rt.settings, found[row["alert_id"]], row["event"], language)
                self._record([row], self.post(robot, notice, f"n{row['id']}", now_ms), now)
            return
        items = [(found[row["alert_id"]], row["event"]) for row in rows]
        outcome = self.post(robot, digest_of(self.rt.settings, items, language), f"d{rows[0]['id']}", now_ms)
        self._record(rows, outcome, now, digest_of=len(rows))

    def post(self, robot: dict, notice: Notice, message_id: str, now_ms: int) -> Outcome:
        """One message to one robot, counted in its window."""
        labels = (_("Open the alert", notice.language), _("Their day", notice.language))
        url, body = robots.request_of(robot, notice, labels, now_ms)
        # Counted before it goes: a message the vendor refused still took its place in the vendor's window.
        notifications.record_robot_send(
            self.rt.feed.client, self.rt.feed.prefix, robot["id"], now_ms, message_id, robots.WINDOW_S * 2
        )
        error = robots.post(self.session, url, body)
        return DELIVERED if error is None else Outcome(False, error)


def _at_ms(epoch_ms: int) -> datetime:
    return datetime.fromtimestamp(epoch_ms / 1000, UTC)


def send_robot_test(rt: Runtime, robot_id: int, requested_by: str) -> str | None:
    """Post a test message to one robot now (the admin's "test" button); None when it was taken, else why not."""
    robot = notifications.robot(rt.db, robot_id)
    if robot is None:
        return _("No such robot.")
    refusal = target_refusal(robot["url"], bool(rt.org_settings().get(PRIVATE_SETTING)))
    if refusal:
        return refusal
    language = rt.settings.language
    notice = Notice(
        title=_("FieldOps test message", language),
        lines=(_("Sent by {user} from the admin's integration page.", language, user=requested_by),),
        url=f"{rt.settings.public_url}/alerts",
        day_url=None,
        severity="info",
        language=language,
    )
    return Deliverer(rt).post(robot, notice, f"t{time.time_ns()}", time.time_ns() // 1_000_000).error
