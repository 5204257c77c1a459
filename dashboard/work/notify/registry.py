"""The chat robots an admin registers (the admin integration page): checked before they are kept."""

from __future__ import annotations

from urllib.parse import urlsplit

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.work.notify.webpush import PRIVATE_SETTING
from dashboard.work.webhooks import target_refusal
from data import alerts

KIND_LABELS = {"wecom": "WeCom (企业微信)", "dingtalk": "DingTalk (钉钉)", "feishu": "Feishu (飞书)"}
assert tuple(KIND_LABELS) == alerts.ROBOT_KINDS


class RobotError(ValueError):
    """A robot that cannot be registered as asked, with the reason shown to the admin."""


def register_robot(rt: Runtime, kind: str, name: str, url: str, secret: str, created_by: int | None) -> int:
    """Keep a robot; its webhook address must be public unless the organisation allows private targets."""
    name, url, secret = name.strip(), url.strip(), secret.strip()
    if kind not in KIND_LABELS:
        raise RobotError(_("Choose the robot's kind."))
    if not name or len(name) > 120:
        raise RobotError(_("Give the robot a name of at most 120 characters."))
    if len(url) > 2000 or len(secret) > 200:
        raise RobotError(_("The address or the secret is too long."))
    if kind == "wecom" and secret:
        raise RobotError(_("A WeCom group robot has no signing secret: its key is in the address."))
    refusal = target_refusal(url, bool(rt.org_settings().get(PRIVATE_SETTING)))
    if refusal:
        raise RobotError(refusal)
    return alerts.create_robot(rt.db, kind, name, url, secret or None, created_by)


def shown_address(url: str) -> str:
    """The robot's address without its query, where its key or access token is: the admin sees where it posts."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}" + ("?…" if parts.query else "")
