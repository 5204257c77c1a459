"""The field staff's phone (issue 7): check-in verified against the customer's site, notes with a photo,
help alerts with the nearest colleagues by travel time, share links, tracker app setup. No Flask, no Dash."""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import orjson
import qrcode
import qrcode.image.svg

from dashboard.core.i18n import _
from dashboard.core.permissions import Viewer
from dashboard.core.runtime import Runtime
from dashboard.ingest.trackers import register_device
from dashboard.work import alerting, photos, trust
from dashboard.work.dispatch import rank_candidates
from dashboard.work.lifecycle import TaskError, change_state
from dashboard.work.streets import distance_m
from data import activities, alerts, coverage, employees, share_links, tasks, zones
from data import trust as trust_store
from data.scope import Scope

log = logging.getLogger(__name__)

CHECK_IN_MAX_ACCURACY_M = 100.0  # a fix vaguer than this cannot tell one house from the next
CHECK_IN_MAX_AGE_S = 120  # an older fix says where the person was, not where they are
CHECK_IN_CLOCK_SLACK_S = 60  # a fix from further in the future comes from a wrong clock
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_NOTE_CHARS = 2000
VISIT_IDS = range(1, 2**63)  # activities.id is a bigserial
PHOTO_TYPES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
SHARE_MINUTES = (15, 60, 240, 480)


class MobileError(ValueError):
    """A request from the phone that cannot be carried out, with the reason shown to the person."""


@dataclass(frozen=True)
class PhoneFix:
    """The browser's position at the moment of a button press."""

    lat: float
    lon: float
    accuracy_m: float | None
    ts_ms: int


def phone_fix(value: object) -> PhoneFix | None:
    """The {lat, lon, accuracy, ts} the page sends, or None when it is missing or malformed."""
    if not isinstance(value, dict):
        return None
    lat, lon, accuracy, ts = (value.get(k) for k in ("lat", "lon", "accuracy", "ts"))
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon, ts))
    if not numbers or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if not (isinstance(accuracy, int | float) and not isinstance(accuracy, bool) and accuracy >= 0):
        accuracy = None
    return PhoneFix(float(lat), float(lon), None if accuracy is None else float(accuracy), int(ts))


def verify_presence(site: dict | None, fix: PhoneFix | None, now_ms: int) -> dict:
    """Whether a fix puts the person at the customer's site: verified, or the reason it is not."""
    if site is None:
        return {"verified": False, "reason": "no_site"}
    if fix is None:
        return {"verified": False, "reason": "no_position"}
    distance = distance_m(fix.lat, fix.lon, site["center_lat"], site["center_lon"])
    check = {"distance_m": round(distance, 1), "accuracy_m": fix.accuracy_m, "radius_m": site["radius_m"]}
    if fix.ts_ms - now_ms > CHECK_IN_CLOCK_SLACK_S * 1000:
        return {"verified": False, "reason": "clock", **check}
    if now_ms - fix.ts_ms > CHECK_IN_MAX_AGE_S * 1000:
        return {"verified": False, "reason": "stale_position", **check}
    if fix.accuracy_m is None or fix.accuracy_m > CHECK_IN_MAX_ACCURACY_M:
        return {"verified": False, "reason": "inaccurate", **check}
    if distance > site["radius_m"]:
        return {"verified": False, "reason": "outside", **check}
    return {"verified": True, "reason": None, **check}


def record_presence(
    rt: Runtime,
    viewer: Viewer,
    task_id: int,
    kind: str,
    fix: PhoneFix | None,
    *,
    device_key: str | None = None,
    phone_now_ms: int | None = None,
) -> dict:
    """Check in or out of the person's own task; recorded either way, verified or with the reason not.
    A check-in opens the person's one visit; any other task still on site is checked out first (the person
    is at the new customer and forgot the old one, so refusing would only cost them a detour on the screen).
    A check-in with a position is scored for trust (when the organisation scores), on it and on its visit; the
    score changes nothing here."""
    task = tasks.own_task(rt.db, viewer.employee_id, task_id)
    if task is None or task["state"] not in tasks.OPEN_STATES:
        raise MobileError(_("This task is not open on your list."))
    now = datetime.now(UTC)
    check = verify_presence(zones.site_of_customer(rt.db, task["customer_id"]), fix, int(time.time() * 1000))
    wanted = "on_site" if kind == "check_in" else "done"
    if task["state"] != wanted:
        try:
            change_state(rt, task_id, wanted, viewer, at=now, reason=kind)
        except TaskError as exc:
            raise MobileError(str(exc)) from exc
    if kind == "check_in":
        visit = activities.open_visit(rt.db, viewer.employee_id, task["customer_id"], task_id, now, source="mobile")
        _check_out_others(rt, viewer, task_id, visit["closed"], now)
    else:
        visit = activities.close_visit(rt.db, viewer.employee_id, now, customer_id=task["customer_id"])
    visit_id = visit["id"] if visit else None
    check_in_id = activities.record_presence(
        rt.db, viewer.employee_id, task["customer_id"], task_id, kind, now, check, visit_id
    )
    if kind == "check_in" and fix is not None and rt.org_settings().get("trust.enabled"):
        try:
            verdict = score_check_in(rt, viewer.employee_id, fix, now, device_key, phone_now_ms)
            scored = [check_in_id, *([visit_id] if visit_id else [])]
            trust_store.keep_score(rt.db, scored, verdict.score, verdict.reasons)
            raise_low_trust(rt, viewer.employee_id, task_id, check_in_id, verdict, now)
        except Exception:  # the check-in is recorded: a score that fails is logged, never the person's error
            log.exception("Trust score of check-in %s failed", check_in_id)
    return check


DEVICE_KEY_CHARS = 128  # the phone page's key: random text it keeps in localStorage
PHONE_CLOCK_MS = range(0, 2**53)  # the phone's clock at the press, epoch ms (a JavaScript number stays exact)


def score_check_in(
    rt: Runtime, employee_id: int, fix: PhoneFix, now: datetime, device_key: str | None, phone_now_ms: int | None
) -> trust.Verdict:
    """The check-in's fix against the person's stored fixes of the last quarter hour and the phone page's key."""
    since = datetime.fromtimestamp(fix.ts_ms / 1000, UTC) - timedelta(seconds=trust.RECENT_S)
    rows = trust_store.recent_fixes(rt.db, employee_id, since, now)
    recent = [trust.TrustFix(int(r["ts"].timestamp() * 1000), r["lat"], r["lon"], r["accuracy"]) for r in rows]
    key = device_key if isinstance(device_key, str) and 0 < len(device_key) <= DEVICE_KEY_CHARS else None
    new_device = trust_store.remember_device(rt.db, employee_id, key, now) if key else False
    return trust.score_fix(
        trust.TrustFix(fix.ts_ms, fix.lat, fix.lon, fix.accuracy_m),
        recent,
        int(now.timestamp() * 1000),
        device_now_ms=phone_now_ms,
        new_device=new_device,
    )


def raise_low_trust(
    rt: Runtime, employee_id: int, task_id: int, check_in_id: int, verdict: trust.Verdict, now: datetime
) -> None:
    """Every enabled low_trust_check_in rule covering the person raises when the score is at most its threshold."""
    rules = [r for r in alerts.rules(rt.db, enabled_only=True) if r["kind"] == "low_trust_check_in"]
    person = employees.get_employee(rt.db, Scope.everything(), employee_id) if rules else None
    if person is None:
        return
    for rule in rules:
        threshold = alerting.params_of(rule)["score"]
        if not alerting.covers(rule, employee_id, person["team_id"]) or verdict.score > threshold:
            continue
        alerting.raise_alert(
            rt,
            rule,
            employee_id,
            int(now.timestamp() * 1000),
            subject=f"check_in:{check_in_id}",
            task_id=task_id,
            detail={
                "score": verdict.score,
                "threshold": threshold,
                "reasons": ", ".join(r["code"] for r in verdict.reasons),
            },
        )


def _check_out_others(rt: Runtime, viewer: Viewer, task_id: int, closed: dict | None, at: datetime) -> None:
    """The tasks left on site by a check-in elsewhere are done, each with a check-out recorded as such."""
    for other in tasks.on_site_tasks(rt.db, viewer.employee_id):
        if other["id"] == task_id:
            continue
        try:
            change_state(rt, other["id"], "done", viewer, at=at, reason="checked_in_elsewhere")
        except TaskError:
            continue  # closed meanwhile by the writer's departure or the supervisor
        visit_id = closed["id"] if closed and closed["task_id"] == other["id"] else None
        check = {"verified": False, "reason": "checked_in_elsewhere"}
        activities.record_presence(
            rt.db, viewer.employee_id, other["customer_id"], other["id"], "check_out", at, check, visit_id
        )


class VisitNotOpen(MobileError):
    """The visit the phone showed was closed meanwhile (a check-out, a departure, a check-in elsewhere)."""

    def __init__(self) -> None:
        super().__init__(_("That visit has ended, so the note was not saved. Check the customer and save again."))


def save_visit_note(
    rt: Runtime,
    employee_id: int,
    visit_id: int | None,
    body: str,
    photo: tuple[str, bytes] | None,
    at: datetime,
    fix: PhoneFix | None = None,
) -> int:
    """A note on the visit the phone showed, or a plain note when it showed none; never on another visit. A photo
    is kept as sent, with a copy the server stamps (photos.Stamp) and its possible duplicate on another visit."""
    kept = None
    if photo is not None:
        try:
            kept = photos.keep(photo[0], photo[1], _stamp_of(rt, employee_id, visit_id, at, fix))
        except photos.PhotoError as exc:
            raise MobileError(str(exc)) from exc
    window = (at - photos.DUPLICATE_WINDOW, photos.DUPLICATE_MAX_BITS)
    note_id = activities.add_note(rt.db, employee_id, visit_id, at, body, kept and asdict(kept), window)
    if note_id is None:
        raise VisitNotOpen
    return note_id


REMOTE_CHANNELS = coverage.REMOTE_CHANNELS  # phone, video, wechat: a visit made without going there (issue 21)


def remote_channel_label(channel: str) -> str:
    return {"phone": _("Phone call"), "video": _("Video call"), "wechat": _("WeChat")}.get(channel, channel)


def record_remote_visit(rt: Runtime, employee_id: int, customer_id: int, channel: str, notes: str, at: datetime) -> int:
    """A visit made by phone, video or WeChat to one of the person's own customers, started and ended `at`: it
    counts for coverage as a site visit does (dashboard/analytics/coverage.py), with no geofence or check-in."""
    if channel not in REMOTE_CHANNELS:
        raise MobileError(_("Choose how the visit was made."))
    visit_id = coverage.record_remote_visit(rt.db, employee_id, customer_id, channel, at, notes[:MAX_NOTE_CHARS])
    if visit_id is None:
        raise MobileError(_("Choose one of your customers."))
    return visit_id


def _stamp_of(rt: Runtime, employee_id: int, visit_id: int | None, at: datetime, fix: PhoneFix | None) -> photos.Stamp:
    """The stamp's facts: the distance from the phone's fix sent with the note to the customer's site (and that
    fix's accuracy), else what the visit's check-in measured, else unknown."""
    context = activities.note_context(rt.db, employee_id, visit_id) or {}
    measured = context.get("check_in") or {}
    distance, accuracy = measured.get("distance_m"), measured.get("accuracy_m")
    site = zones.site_of_customer(rt.db, context["customer_id"]) if context.get("customer_id") else None
    if fix is not None and site is not None:
        distance = distance_m(fix.lat, fix.lon, site["center_lat"], site["center_lon"])
        accuracy = fix.accuracy_m
    return photos.Stamp(
        at=at,
        tz=rt.settings.tz,
        person=context.get("person") or "",
        customer=context.get("customer"),
        distance_m=distance,
        accuracy_m=accuracy,
    )


def photo_from_upload(contents: object) -> tuple[str, bytes] | None:
    """A dcc.Upload data URL as (content type, bytes); the type is read from the bytes, not the name."""
    if not contents:
        return None
    if not isinstance(contents, str) or "," not in contents:
        raise MobileError(_("The photo could not be read."))
    try:
        data = base64.b64decode(contents.split(",", 1)[1], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MobileError(_("The photo could not be read.")) from exc
    if len(data) > MAX_PHOTO_BYTES:
        raise MobileError(_("The photo is larger than 2 MB."))
    content_type = next((kind for magic, kind in PHOTO_TYPES.items() if data.startswith(magic)), None)
    if content_type is None:
        raise MobileError(_("Only JPEG and PNG photos are kept."))
    return content_type, data


def nearest_colleagues(rt: Runtime, employee_id: int, lat: float, lon: float, count: int = 3) -> list[dict]:
    """Team-mates by travel time to the point (dashboard.work.dispatch: GEOSEARCH, then the street route)."""
    person = employees.get_employee(rt.db, Scope.everything(), employee_id)
    if person is None or person["team_id"] is None:
        return []
    team = Scope(team_ids=frozenset({person["team_id"]}))
    ranked = rank_candidates(rt, team, lat, lon, exclude=employee_id, limit=count)
    return [{"employee_id": c.employee_id, "name": c.name, "minutes": c.minutes} for c in ranked]


def call_for_help(rt: Runtime, employee_id: int, fix: PhoneFix | None) -> tuple[int, list[dict]]:
    """Raise an alert at the phone's position (or the last one known) and list who is nearest."""
    point = (fix.lat, fix.lon, fix.accuracy_m) if fix else None
    if point is None:
        latest = rt.feed.latest(employee_id)
        point = (latest.lat, latest.lon, latest.accuracy) if latest else None
    alert_id = alerting.raise_help(rt, employee_id, point or (None, None, None))
    return alert_id, nearest_colleagues(rt, employee_id, point[0], point[1]) if point else []


def create_share_link(rt: Runtime, employee_id: int, created_by: int | None, minutes: int) -> str:
    """A new link's path; the token is shown once and only its hash is kept."""
    if minutes not in SHARE_MINUTES:
        raise MobileError(_("Choose how long the link works."))
    token = secrets.token_urlsafe(24)
    now = datetime.now(UTC)
    expires = now + timedelta(minutes=minutes)
    share_links.create_link(rt.db, employee_id, token, created_by, expires)
    trust_store.mark_sharing(
        rt.feed.client, rt.feed.prefix, employee_id, int(expires.timestamp() * 1000), int(now.timestamp() * 1000)
    )
    return f"/share/{token}"


def revoke_share_links(rt: Runtime, employee_id: int) -> int:
    """Every valid link of the person revoked; their shared positions are no longer scored."""
    revoked = share_links.revoke_links(rt.db, employee_id, datetime.now(UTC))
    trust_store.stop_sharing(rt.feed.client, rt.feed.prefix, employee_id)
    return revoked


def score_shared_position(rt: Runtime, employee_id: int, received_ms: int) -> dict | None:
    """While a share link of the person is valid, their latest phone position is scored against their recent
    ones and kept with the share's latest state (Redis only: the position path reads no PostgreSQL). None when
    nothing was scored (the organisation does not score, no share is active, no position yet)."""
    if not rt.org_settings().get("trust.enabled"):
        return None
    latest = rt.feed.latest(employee_id)
    if latest is None:
        return None
    compact = [latest.ts_ms, latest.lat, latest.lon, latest.accuracy]
    earlier = trust_store.note_shared_fix(rt.feed.client, rt.feed.prefix, employee_id, compact)
    if earlier is None:
        return None
    verdict = trust.score_fix(trust.TrustFix(*compact), [trust.TrustFix(*item) for item in earlier], received_ms)
    record = verdict.as_record() | {"ts": latest.ts_ms}
    trust_store.keep_shared_score(rt.feed.client, rt.feed.prefix, employee_id, record)
    return record


TRACKER_INTERVAL_S = 60  # a fix a minute or every 50 m: spares the battery, still fresh enough for the live map
TRACKER_DISTANCE_M = 50
OWNTRACKS_DEVICE = "phone"


def qr_svg(text: str) -> str:
    """A QR code as an SVG data URL, drawn without an imaging library."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def traccar_setup(rt: Runtime, employee_code: str) -> dict:
    """Register a Traccar Client device with an unguessable identifier (it is the only credential)."""
    identifier = f"{employee_code}-{secrets.token_hex(6)}"
    register_device(rt.db, employee_code, "osmand", identifier)
    host = urlsplit(rt.settings.public_url).hostname or "localhost"
    server = f"http://{host}:{rt.settings.osmand_port}"
    return {
        "server": server,
        "identifier": identifier,
        "interval_s": TRACKER_INTERVAL_S,
        "distance_m": TRACKER_DISTANCE_M,
        "qr": f"{server}?id={identifier}&interval={TRACKER_INTERVAL_S}&distance={TRACKER_DISTANCE_M}",
    }


def owntracks_setup(rt: Runtime, employee_code: str) -> dict:
    """Register (or re-key) the person's OwnTracks device; the password is in the answer only."""
    user = employee_code.lower()
    _person, _identifier, password = register_device(rt.db, employee_code, "owntracks", f"{user}/{OWNTRACKS_DEVICE}")
    url = f"{rt.settings.public_url}/ingest/owntracks"
    # OwnTracks imports this configuration from an owntracks:///config?inline= link (mode 3: HTTP).
    config = {
        "_type": "configuration",
        "mode": 3,
        "url": url,
        "auth": True,
        "username": user,
        "deviceId": OWNTRACKS_DEVICE,
        "password": password,
        "monitoring": 1,
        "locatorInterval": TRACKER_INTERVAL_S,
        "locatorDisplacement": TRACKER_DISTANCE_M,
    }
    inline = base64.b64encode(orjson.dumps(config)).decode()
    return {
        "url": url,
        "user": user,
        "device": OWNTRACKS_DEVICE,
        "password": password,
        "qr": f"owntracks:///config?inline={inline}",
    }
