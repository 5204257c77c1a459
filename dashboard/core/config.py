"""The one configuration object, read from the environment."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parents[2]

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
LANGUAGES = ("en", "zh-CN")
APPENDFSYNC_POLICIES = ("everysec", "always")  # "no" would leave a machine crash to the kernel's flush (~30 s)


class ConfigError(ValueError):
    """A setting in the environment cannot be used."""


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    redis_url: str | None = None
    redis_prefix: str = "fieldops:"
    secret_key: str = field(default="", repr=False)
    data_dir: Path = ROOT / "var"
    tile_url: str = OSM_TILES
    tile_attribution: str = OSM_ATTRIBUTION
    tile_system: str = "wgs84"  # a self-hosted tile URL's coordinate system (issue 19)
    tile_key: str = field(default="", repr=False)  # Tianditu's tk, when FIELDOPS_TILE_URL=tianditu
    timezone: str = "Europe/Helsinki"
    language: str = "en"
    offline_after_s: int = 300
    moving_speed_mps: float = 1.0
    map_refresh_ms: int = 2000
    public_url: str = "http://127.0.0.1:8050"
    # Ingest (issue 3).
    max_fix_age_s: int = 7 * 86400
    max_backlog: int = 2_000_000  # per shard of the writers' stream
    shards: int = 16  # the writers' stream shards (data/feed.SHARDS): fixed for a deployment (issue 20)
    osmand_port: int | None = 5055
    ingest_port: int | None = 8060  # the ingest server's own port (`fieldops ingest`, and beside `fieldops serve`)
    mqtt_url: str | None = None
    max_body_bytes: int = 16 * 1024 * 1024
    stay_min_s: int = 300
    # Reports (issue 8): e-mail of scheduled reports, e.g. smtp://user:pass@mail.example.com:587.
    smtp_url: str | None = None
    smtp_from: str = "fieldops@localhost"
    # Durability and operations (issue 14): see docs/OPERATIONS.md.
    accept_volatile_redis: bool = False  # start even when Redis could lose accepted positions (warned loudly)
    redis_appendfsync: str = "everysec"  # the embedded Redis's AOF fsync policy: everysec or always
    metrics_token: str | None = field(default=None, repr=False)  # when set, /metrics wants it as a Bearer token

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_services(self, database_url: str, redis_url: str) -> Settings:
        return replace(self, database_url=database_url, redis_url=redis_url)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        data_dir = Path(env.get("FIELDOPS_DATA_DIR", ROOT / "var")).resolve()
        settings = cls(
            database_url=env.get("DATABASE_URL") or None,
            redis_url=env.get("REDIS_URL") or None,
            redis_prefix=env.get("FIELDOPS_REDIS_PREFIX", "fieldops:"),
            secret_key=env.get("SECRET_KEY") or _stored_secret(data_dir),
            data_dir=data_dir,
            tile_url=env.get("FIELDOPS_TILE_URL", OSM_TILES),
            tile_attribution=env.get("FIELDOPS_TILE_ATTRIBUTION", OSM_ATTRIBUTION),
            tile_system=env.get("FIELDOPS_TILE_SYSTEM", "wgs84").strip().lower(),
            tile_key=env.get("FIELDOPS_TILE_KEY", ""),
            timezone=env.get("FIELDOPS_TIMEZONE", "Europe/Helsinki"),
            language=env.get("FIELDOPS_LANGUAGE", "en"),
            offline_after_s=_int(env, "FIELDOPS_OFFLINE_AFTER_S", 300),
            map_refresh_ms=_int(env, "FIELDOPS_MAP_REFRESH_MS", 2000),
            public_url=env.get("FIELDOPS_PUBLIC_URL", "http://127.0.0.1:8050").rstrip("/"),
            max_fix_age_s=_int(env, "FIELDOPS_MAX_FIX_AGE_S", 7 * 86400),
            max_backlog=_int(env, "FIELDOPS_MAX_BACKLOG", 2_000_000),
            shards=_int(env, "FIELDOPS_SHARDS", 16),
            osmand_port=_port_or_off(env, "FIELDOPS_OSMAND_PORT", 5055),
            ingest_port=_port_or_off(env, "FIELDOPS_INGEST_PORT", 8060),
            mqtt_url=env.get("FIELDOPS_MQTT_URL") or None,
            max_body_bytes=_int(env, "FIELDOPS_MAX_BODY_BYTES", 16 * 1024 * 1024),
            stay_min_s=_int(env, "FIELDOPS_STAY_MIN_S", 300),
            smtp_url=env.get("FIELDOPS_SMTP_URL") or None,
            smtp_from=env.get("FIELDOPS_SMTP_FROM", "fieldops@localhost"),
            accept_volatile_redis=_flag(env, "FIELDOPS_ACCEPT_VOLATILE_REDIS"),
            redis_appendfsync=env.get("FIELDOPS_REDIS_APPENDFSYNC", "everysec").strip().lower(),
            metrics_token=env.get("FIELDOPS_METRICS_TOKEN") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"FIELDOPS_TIMEZONE: unknown time zone {self.timezone!r}") from exc
        if self.language not in LANGUAGES:
            raise ConfigError(f"FIELDOPS_LANGUAGE: use one of {', '.join(LANGUAGES)}")
        if not 500 <= self.map_refresh_ms <= 2000:
            raise ConfigError("FIELDOPS_MAP_REFRESH_MS: between 500 and 2000")
        if len(self.secret_key) < 32:
            raise ConfigError("SECRET_KEY: at least 32 characters")
        if self.max_fix_age_s < 60 or self.max_backlog < 1000 or self.max_body_bytes < 64 * 1024:
            raise ConfigError(
                "FIELDOPS_MAX_FIX_AGE_S ≥ 60, FIELDOPS_MAX_BACKLOG ≥ 1000, FIELDOPS_MAX_BODY_BYTES ≥ 65536"
            )
        if not 1 <= self.shards <= 1024:
            raise ConfigError("FIELDOPS_SHARDS: between 1 and 1024 (fixed once the writers' streams exist)")
        if self.ingest_port is not None and not 1 <= self.ingest_port <= 65535:
            raise ConfigError("FIELDOPS_INGEST_PORT: a port number, or 0/off")
        if self.osmand_port is not None and not 1 <= self.osmand_port <= 65535:
            raise ConfigError("FIELDOPS_OSMAND_PORT: a port number, or 0/off")
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://", "smtp+starttls://")):
            raise ConfigError("FIELDOPS_SMTP_URL: smtp://, smtps:// or smtp+starttls://host:port")
        if self.tile_system not in ("wgs84", "gcj02", "bd09"):
            raise ConfigError("FIELDOPS_TILE_SYSTEM: wgs84, gcj02 or bd09")
        if self.redis_appendfsync not in APPENDFSYNC_POLICIES:
            raise ConfigError(f"FIELDOPS_REDIS_APPENDFSYNC: one of {', '.join(APPENDFSYNC_POLICIES)}")


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name}: a whole number, not {raw!r}") from exc


def _flag(env: dict[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}: 1 or 0, not {raw!r}")


def _port_or_off(env: dict[str, str], name: str, default: int) -> int | None:
    """A port number; `0` or `off` switches the listener off."""
    raw = env.get(name, "").strip().lower()
    if raw in ("0", "off"):
        return None
    return _int(env, name, default)


def _stored_secret(data_dir: Path) -> str:
    """A random key kept in the data dir, so sessions and device tokens survive restarts."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
