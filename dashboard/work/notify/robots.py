"""Chat robots, each vendor's own message format and signature.

- WeCom (企业微信) group robot: POST {"msgtype": "markdown", "markdown": {"content"}} to its webhook; it takes
  20 messages a minute. Answers {"errcode": 0, "errmsg": "ok"}.
- DingTalk (钉钉) custom robot: POST {"msgtype": "markdown", "markdown": {"title", "text"}}; with a signing secret
  the URL carries `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret, timestamp + "\\n" +
  secret))). 20 messages a minute. Answers {"errcode": 0, "errmsg": "ok"}.
- Feishu (飞书) custom bot: POST {"msg_type": "post", "content": {"post": {<lang>: {"title", "content"}}}}; with a
  secret the body carries `timestamp` (s) and `sign` = base64(HMAC-SHA256 keyed by timestamp + "\\n" + secret
  over an empty message). 100 messages a minute. Answers {"code": 0, "msg": "success"}.

Every vendor answers HTTP 200 also when it refuses (a bad signature, its rate limit): the code in the body decides.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus, urlsplit, urlunsplit

import orjson
import requests

from dashboard.work.notify.messages import Notice

PER_MINUTE = {"wecom": 20, "dingtalk": 20, "feishu": 100}
WINDOW_S = 60
TIMEOUT_S = 10
WECOM_MAX_BYTES = 4096  # the markdown content's limit
WECOM_COLOURS = {"info": "info", "warning": "warning", "critical": "warning"}
FEISHU_LANGUAGES = {"zh-CN": "zh_cn", "en": "en_us"}
# The vendors' markdown has no reliable escape: markup characters in a name become their look-alikes.
MARKUP_LOOKALIKES = str.maketrans({"*": "∗", "_": "＿", "[": "［", "]": "］", "`": "ˋ", "<": "‹", ">": "›", "#": "＃"})


def plain(text: str) -> str:
    """A name or note shown as itself in a robot's markdown, never as markup or HTML."""
    return text.translate(MARKUP_LOOKALIKES)


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _links(notice: Notice, open_label: str, day_label: str) -> str:
    links = f"[{open_label}]({notice.url})"
    if notice.day_url:
        links += f" · [{day_label}]({notice.day_url})"
    return links


def wecom_body(notice: Notice, labels: tuple[str, str]) -> dict:
    colour = WECOM_COLOURS.get(notice.severity, "comment")
    head = f'**<font color="{colour}">{plain(notice.title)}</font>**'
    content = "\n".join([head, *(f"> {plain(line)}" for line in notice.lines), _links(notice, *labels)])
    encoded = content.encode()
    if len(encoded) > WECOM_MAX_BYTES:
        content = encoded[: WECOM_MAX_BYTES - 3].decode(errors="ignore") + "…"
    return {"msgtype": "markdown", "markdown": {"content": content}}


def dingtalk_body(notice: Notice, labels: tuple[str, str]) -> dict:
    text = "\n\n".join(
        [f"#### {plain(notice.title)}", *(f"> {plain(line)}" for line in notice.lines), _links(notice, *labels)]
    )
    return {"msgtype": "markdown", "markdown": {"title": notice.title[:64], "text": text}}


def feishu_body(notice: Notice, labels: tuple[str, str]) -> dict:
    open_label, day_label = labels
    links = [{"tag": "a", "text": open_label, "href": notice.url}]
    if notice.day_url:
        links += [{"tag": "text", "text": " · "}, {"tag": "a", "text": day_label, "href": notice.day_url}]
    content = [[{"tag": "text", "text": line}] for line in notice.lines] + [links]
    language = FEISHU_LANGUAGES.get(notice.language, "en_us")
    return {"msg_type": "post", "content": {"post": {language: {"title": notice.title, "content": content}}}}


def request_of(robot: dict, notice: Notice, labels: tuple[str, str], now_ms: int) -> tuple[str, bytes]:
    """The URL and the JSON body to POST for this robot, signed when it has a secret."""
    url, secret = robot["url"], robot["secret"]
    if robot["kind"] == "wecom":
        body = wecom_body(notice, labels)
    elif robot["kind"] == "dingtalk":
        body = dingtalk_body(notice, labels)
        if secret:
            parts = urlsplit(url)
            signed = f"timestamp={now_ms}&sign={quote_plus(dingtalk_sign(secret, now_ms))}"
            url = urlunsplit(parts._replace(query=f"{parts.query}&{signed}" if parts.query else signed))
    elif robot["kind"] == "feishu":
        body = feishu_body(notice, labels)
        if secret:
            timestamp = now_ms // 1000
            body = {"timestamp": str(timestamp), "sign": feishu_sign(secret, timestamp)} | body
    else:
        raise ValueError(f"unknown robot kind {robot['kind']!r}")
    return url, orjson.dumps(body)


def refusal_of(answer: requests.Response) -> str | None:
    """None when the vendor took the message, else why not (HTTP status or the vendor's own code)."""
    if not 200 <= answer.status_code < 300:
        return f"HTTP {answer.status_code}: {answer.text[:300]}"
    try:
        reply = orjson.loads(answer.content)
    except orjson.JSONDecodeError:
        return f"not JSON: {answer.text[:300]}"
    if not isinstance(reply, dict):
        return f"unexpected answer: {answer.text[:300]}"
    code = reply.get("errcode", reply.get("code", reply.get("StatusCode", 0)))
    if code not in (0, None):
        return f"{code}: {reply.get('errmsg') or reply.get('msg') or reply.get('StatusMessage') or ''}"[:300]
    return None


def post(session: requests.Session, url: str, body: bytes) -> str | None:
    """Send it; None when delivered, else the error."""
    try:
        answer = session.post(
            url,
            data=body,
            timeout=TIMEOUT_S,
            allow_redirects=False,
            headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "FieldOps-Alerts/1"},
        )
    except requests.RequestException as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return refusal_of(answer)
