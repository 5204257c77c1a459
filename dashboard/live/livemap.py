"""What the live map shows: the fleet from the Redis feed, zones, customers and streets from PostgreSQL.

The fleet payload is built once per feed version and shared by every viewer; each viewer then
gets only the rows of their scope that changed since the version their browser already has.
Columns, not GeoJSON: a third of the bytes. The browser turns them into features
(assets/livemap.js) and ages a fix to "offline" itself with the server's clock, so a person going
silent shows without any new data. Who is online, offline, paused or without a position, and the
counts, come from one definition (dashboard/live/presence.py) in every payload.

Everything here for the browser is in the organisation's map system (dashboard/geo/tiles.map_frame): positions,
zones, customers' sites and streets are converted here, once, and every cache of converted data is keyed by the
frame, so a change of the preset shows at the next refresh. The board itself stays in WGS-84, as stored; its
positions on the map (`placed`) cost nothing in a WGS-84 frame and otherwise one conversion per position that
moved.
"""

from __future__ import annotations

import threading
import time
import unicodedata
import zlib
from collections.abc import KeysView, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import lazy_pinyin

from dashboard.core.runtime import Runtime
from dashboard.geo.coords import Frame
from dashboard.geo.tiles import map_frame
from dashboard.ingest.privacy import tracking_policy
from dashboard.live.presence import CONSENT_WITHDRAWN, PAUSED, Presence, presence_of
from data import customers, employees, streets, zones
from data.feed import Snapshot, Version
from data.scope import Scope

ROSTER_TTL_S = 15.0
PRESENCE_TTL_MS = 1000  # one Presence per scope, feed version and second, shared by every viewer's poll
STATIC_TTL_S = 300.0


@dataclass(frozen=True, slots=True)
class Board:
    """One feed version (a version per shard) as columns: the fleet every viewer's payload is cut from."""

    version: Version
    ids: list[int]
    lat: list[float]
    lon: list[float]
    ts: list[int]
    speed: list[float | None]
    state: list[str]
    changed: list[int]  # the version of the row's change, of its shard's counter
    paused: frozenset[int]  # people who paused sharing: shown as a count, never as a position
    row: dict[int, int]  # employee id -> index in the columns


def build_board(snapshot: Snapshot, moving_speed_mps: float) -> Board:
    ids, lat, lon, ts, speed, state, changed = [], [], [], [], [], [], []
    statuses = snapshot.status
    for employee_id, row in zip(snapshot.employee_ids, snapshot.latest, strict=True):
        status = statuses.get(employee_id)
        on_visit = bool(status and status.get("visit"))
        ids.append(employee_id)
        ts.append(row[0])
        lat.append(row[1])
        lon.append(row[2])
        speed.append(row[3])
        state.append("visit" if on_visit else "moving" if (row[3] or 0) >= moving_speed_mps else "idle")
        changed.append(max(row[6], status["v"]) if status else row[6])
    paused = frozenset(employee_id for employee_id, status in statuses.items() if status.get("paused"))
    row = {employee_id: i for i, employee_id in enumerate(ids)}
    return Board(snapshot.version, ids, lat, lon, ts, speed, state, changed, paused, row)


@lru_cache(maxsize=65536)
def latin_reading(name: str) -> str:
    """A name as the search box compares it: Chinese characters read as toneless pinyin, accents dropped,
    lower case, no spaces ("王芳" → "wangfang", "Mäkinen" → "makinen")."""
    read = "".join(lazy_pinyin(name))
    plain = "".join(c for c in unicodedata.normalize("NFKD", read) if not unicodedata.combining(c))
    return "".join(plain.lower().split())


class Expiring:
    """A value recomputed after `ttl` seconds; one computation at a time."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._values: dict[object, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, key: object, compute):
        with self._lock:
            hit = self._values.get(key)
            if hit and time.monotonic() - hit[0] < self.ttl:
                return hit[1]
            value = compute()
            self._values[key] = (time.monotonic(), value)
            return value


@dataclass(frozen=True, slots=True)
class Placed:
    """A board's positions as a map in `frame` draws them, by the board's row."""

    version: Version
    frame: Frame
    lat: list[float]
    lon: list[float]
    source: dict[int, tuple[float, float, float, float]]  # employee id -> stored lat, lon and the map's


def place_board(board: Board, frame: Frame, previous: Placed | None = None) -> Placed:
    """The board's positions in `frame`: the board's own columns in WGS-84, else each converted, reusing the
    previous version's conversion of every position that did not move."""
    if frame.identity:
        return Placed(board.version, frame, board.lat, board.lon, {})
    known = previous.source if previous is not None and previous.frame == frame else {}
    lat: list[float] = []
    lon: list[float] = []
    source: dict[int, tuple[float, float, float, float]] = {}
    for employee_id, stored_lat, stored_lon in zip(board.ids, board.lat, board.lon, strict=True):
        hit = known.get(employee_id)
        if hit is None or hit[0] != stored_lat or hit[1] != stored_lon:
            hit = (stored_lat, stored_lon, *frame.out(stored_lat, stored_lon))
        source[employee_id] = hit
        lat.append(hit[2])
        lon.append(hit[3])
    return Placed(board.version, frame, lat, lon, source)


class LiveMap:
    """Per-process cache of the board (by feed version), its positions on the map (by version and frame), the
    roster and the static layers (the map's by frame)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self._board: Board | None = None
        self._board_lock = threading.Lock()
        self._placed: Placed | None = None
        self._placed_lock = threading.Lock()
        self._roster = Expiring(ROSTER_TTL_S)
        self._static = Expiring(STATIC_TTL_S)
        self._presences: dict[Scope, tuple[Version, Presence]] = {}  # scope -> (feed version, presence)
        self._presence_lock = threading.Lock()

    def board(self) -> Board:
        version = self.rt.feed.version()
        with self._board_lock:
            if self._board is None or self._board.version != version:
                self._board = build_board(self.rt.feed.snapshot(), self.rt.settings.moving_speed_mps)
            return self._board

    def placed(self, board: Board, frame: Frame | None = None) -> Placed:
        """`board`'s positions as the organisation's map draws them (map_frame unless `frame` is given)."""
        frame = map_frame(self.rt) if frame is None else frame
        with self._placed_lock:
            known = self._placed
            if known is not None and known.version == board.version and known.frame == frame:
                return known
            placed = place_board(board, frame, known)
            if known is None or all(new >= old for new, old in zip(placed.version, known.version, strict=True)):
                self._placed = placed
            return placed

    def roster(self, scope: Scope) -> dict[int, dict]:
        return self._roster.get(scope, lambda: {row["id"]: row for row in employees.roster(self.rt.db, scope)})

    def people(self, scope: Scope) -> dict[int, dict]:
        """The roster as the people list and the search box need it: name, code, team and the name's Latin
        reading, worked out once per roster read (not per keystroke: the browser compares); `label` is the name
        as markers show it, with the code when another person shares the name (display_name, migration 0012),
        `name` the plain one, as the list shows the code beside every name."""
        return {
            employee_id: {
                "name": row["plain_name"],
                "label": row["name"],
                "code": row["code"],
                "team": row["team_name"] or "",
                "latin": latin_reading(row["plain_name"]),
            }
            for employee_id, row in self.roster(scope).items()
        }

    def presence(self, scope: Scope, now_ms: int | None = None) -> Presence:
        """Everyone in the scope as online, offline, paused or no position yet, at `now_ms` (default: now)."""
        now_ms = int(time.time() * 1000) if now_ms is None else now_ms
        return self._presence(self.board(), scope, self.roster(scope).keys(), now_ms)

    def _presence(self, board: Board, scope: Scope, people: KeysView[int], now_ms: int) -> Presence:
        """Reused within PRESENCE_TTL_MS at the same feed version: 10,000 people take ~15 ms to sort out."""
        with self._presence_lock:
            hit = self._presences.get(scope)
            if hit and hit[0] == board.version and 0 <= now_ms - hit[1].now_ms < PRESENCE_TTL_MS:
                return hit[1]
        fixes = {eid: (board.ts[board.row[eid]], board.state[board.row[eid]]) for eid in people if eid in board.row}
        policy = tracking_policy(self.rt)
        paused = (board.paused & people) | policy.untracked(people, now_ms)
        withdrawn = policy.consent_withdrawn(people)
        presence = presence_of(people, fixes, paused, now_ms, self.rt.settings.offline_after_s * 1000, withdrawn)
        with self._presence_lock:
            self._presences[scope] = (board.version, presence)
        return presence

    def fleet_payload(
        self, scope: Scope, since_version: Sequence[int] | None, paused_digest: int | None = None
    ) -> dict:
        """The rows of the viewer's scope changed after `since_version` (all rows when None), never a paused
        person's nor one's without consent. The version is a vector, one counter per shard of the feed: a row
        changed when its shard's counter at its change is above the browser's for that shard ("v", a list, is
        what the browser sends back). When the paused or unconsented people or the people in the scope
        changed since the browser's `paused_digest`, everything is sent again with the lists of both (`paused`,
        `withdrawn`): rare (a pause, a resume, a consent withdrawn or given, working hours starting, a person moved
        to another team or deactivated: within ROSTER_TTL_S; the map's system changed), and nothing else is needed
        to take them off the map or to place them. Positions are in the map's system (`placed`). `roster` is a
        digest of the people in the scope alone: the browser asks for their names again when it changes."""
        board = self.board()
        frame = map_frame(self.rt)
        placed = self.placed(board, frame)
        allowed = self.roster(scope)
        presence = self._presence(board, scope, allowed.keys(), int(time.time() * 1000))
        paused, withdrawn = presence.ids(PAUSED), presence.ids(CONSENT_WITHDRAWN)
        roster = zlib.crc32(",".join(map(str, sorted(allowed))).encode())
        # The map's system is in the digest too: a change of the preset sends every position again, converted.
        digest = zlib.crc32(
            f"{roster}|{','.join(map(str, paused))}|{','.join(map(str, withdrawn))}|{frame.system}|"
            f"{sorted(frame.offset_regions)}".encode()
        )
        pauses_changed = paused_digest is not None and paused_digest != digest
        shards = len(board.version)
        full = (
            since_version is None
            or len(since_version) != shards  # another layout of shards: a feed configured anew
            or any(since > now for since, now in zip(since_version, board.version, strict=True))  # Redis emptied
            or pauses_changed
        )
        picked = [
            i
            for i, employee_id in enumerate(board.ids)
            if employee_id in allowed
            and presence.state.get(employee_id) not in (PAUSED, CONSENT_WITHDRAWN)
            and (full or board.changed[i] > since_version[self.rt.feed.shard_of(employee_id)])
        ]
        payload = {
            "v": list(board.version),
            "now": presence.now_ms,  # the instant the counts are of: the browser ages fixes with it
            "full": full,
            "offline_after_ms": self.rt.settings.offline_after_s * 1000,
            "id": [board.ids[i] for i in picked],
            "lat": [placed.lat[i] for i in picked],
            "lon": [placed.lon[i] for i in picked],
            "ts": [board.ts[i] for i in picked],
            "spd": [board.speed[i] for i in picked],
            "st": [board.state[i] for i in picked],
            "paused_digest": digest,
            "roster": roster,
            "counts": presence.counts(),
        }
        if full:
            payload["paused"] = paused
            payload["withdrawn"] = withdrawn  # without consent: listed as such, never placed
        return payload

    def zones_geojson(self, scope: Scope, cached: bool = True) -> dict:
        """The zones of the scope as the organisation's map draws them (a circle's centre converted, its radius
        in metres as it is)."""
        frame = map_frame(self.rt)

        def compute() -> dict:
            features = []
            for zone in zones.list_zones(self.rt.db, scope):
                props = {"id": zone["id"], "name": zone["name"], "kind": zone["kind"], "team_id": zone["team_id"]}
                if zone["geometry"] is not None:
                    geometry = zone["geometry"]
                else:
                    geometry = {"type": "Point", "coordinates": [zone["center_lon"], zone["center_lat"]]}
                    props["radius"] = zone["radius_m"]
                features.append({"type": "Feature", "id": f"z{zone['id']}", "geometry": geometry, "properties": props})
            return frame.out_geojson({"type": "FeatureCollection", "features": features})

        return self._static.get(("zones", scope, frame), compute) if cached else compute()

    def customers_geojson(self, scope: Scope) -> dict:
        """The customers' sites of the scope as the organisation's map draws them."""
        frame = map_frame(self.rt)

        def compute() -> dict:
            features = [
                {
                    "type": "Feature",
                    "id": f"c{row['id']}",
                    "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]},
                    "properties": {"id": row["id"], "name": row["name"], "category": row["category"]},
                }
                for row in customers.list_customers(self.rt.db, scope)
            ]
            return frame.out_geojson({"type": "FeatureCollection", "features": features})

        return self._static.get(("customers", scope, frame), compute)

    def streets_geojson(self) -> dict:
        """Our own street lines, drawn in the organisation's map system (map_frame)."""
        frame = map_frame(self.rt)

        def compute() -> dict:
            features = [
                {"type": "Feature", "geometry": row["geometry"], "properties": {"highway": row["highway"]}}
                for row in streets.street_lines(self.rt.db)
            ]
            return frame.out_geojson({"type": "FeatureCollection", "features": features})

        return self._static.get(("streets", frame), compute)
