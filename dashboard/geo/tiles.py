"""Map tile presets and the frame every map draws in.

The admin picks a preset (setting `maps.preset`); with none picked, `FIELDOPS_TILE_URL` decides: a preset's
name, a tile URL (a self-hosted server, its system in `FIELDOPS_TILE_SYSTEM`), or `none` (our own street lines
only). Each preset declares its coordinate system; `map_frame` is the one place a page, the wall, the phone,
a share link or a PDF learns it.

    osm       OpenStreetMap                      WGS-84
    tianditu  天地图 vector + annotation (tk key)  WGS-84 (CGCS2000 differs by centimetres)
    amap      高德 AMap                           GCJ-02
    tencent   腾讯 Tencent                        GCJ-02
    custom    a URL of the admin's               declared
    none      no tiles                           WGS-84
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from dashboard.core.config import OSM_ATTRIBUTION, OSM_TILES, Settings
from dashboard.core.i18n import current_language
from dashboard.core.runtime import Runtime
from dashboard.geo.coords import OPTIONAL_REGIONS, SYSTEMS, Frame

PRESETS = ("osm", "tianditu", "amap", "tencent", "custom", "none")
TIANDITU = "https://t{s}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={layer}"
TIANDITU_TILE = "&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk={key}"
AMAP = "https://webrd0{s}.is.autonavi.com/appmaptile?lang={lang}&size=1&scale=1&style=8&x={x}&y={y}&z={z}"
TENCENT = "https://rt{s}.map.gtimg.com/tile?z={z}&x={x}&y={y}&type=vector&styleid=0"


@dataclass(frozen=True)
class TileLayer:
    url: str
    subdomains: str = "abc"
    tms: bool = False  # rows counted from the south (Tencent)


@dataclass(frozen=True)
class Tiles:
    """What a map shows under our drawing: its layers (base first, then annotation) and their system."""

    preset: str
    system: str
    layers: tuple[TileLayer, ...]
    attribution: str

    @property
    def origins(self) -> list[str]:
        """The image origins the Content-Security-Policy must allow for these tiles."""
        found = []
        for layer in self.layers:
            parts = urlsplit(layer.url.replace("{s}", "x"))
            if parts.scheme not in ("http", "https"):
                continue
            host = parts.netloc
            if "{s}" in urlsplit(layer.url).netloc:
                host = "*." + host.split(".", 1)[1]
            found.append(f"{parts.scheme}://{host}")
        return sorted(set(found))


def _tianditu(key: str, language: str) -> tuple[TileLayer, ...]:
    labels = "cva" if language.startswith("zh") else "eva"  # Chinese or English annotation
    return tuple(
        TileLayer((TIANDITU + TIANDITU_TILE).replace("{layer}", layer).replace("{key}", key), "01234567")
        for layer in ("vec", labels)
    )


def tiles_for(
    preset: str, settings: Settings, language: str, *, key: str = "", url: str = "", system: str = "wgs84"
) -> Tiles:
    """The tiles of a preset. `key` is Tianditu's tk; `url` and `system` a custom server's."""
    if preset == "osm":
        return Tiles("osm", "wgs84", (TileLayer(OSM_TILES),), OSM_ATTRIBUTION)
    if preset == "tianditu":
        return Tiles("tianditu", "wgs84", _tianditu(key, language), "&copy; 天地图 Tianditu")
    if preset == "amap":
        lang = "zh_cn" if language.startswith("zh") else "en"
        return Tiles("amap", "gcj02", (TileLayer(AMAP.replace("{lang}", lang), "1234"),), "&copy; 高德地图 AMap")
    if preset == "tencent":
        return Tiles("tencent", "gcj02", (TileLayer(TENCENT, "0123", tms=True),), "&copy; 腾讯地图 Tencent")
    if preset == "custom" and url:
        return Tiles("custom", system, (TileLayer(url),), settings.tile_attribution)
    return Tiles("none", "wgs84", (), "")


def default_tiles(settings: Settings, language: str) -> Tiles:
    """The tiles the environment asks for (`FIELDOPS_TILE_URL`, `FIELDOPS_TILE_SYSTEM`, `FIELDOPS_TILE_KEY`)."""
    value = settings.tile_url.strip()
    if value.lower() in ("", "off"):
        return tiles_for("none", settings, language)
    if value.lower() in PRESETS:
        return tiles_for(value.lower(), settings, language, key=settings.tile_key)
    if value == OSM_TILES:
        return Tiles("osm", "wgs84", (TileLayer(OSM_TILES),), settings.tile_attribution)
    return tiles_for("custom", settings, language, url=value, system=settings.tile_system)


def tiles_from(org: dict, settings: Settings, language: str) -> Tiles:
    """The tiles the organisation's settings choose, else the environment's."""
    preset = str(org.get("maps.preset") or "")
    if preset not in PRESETS:
        return default_tiles(settings, language)
    return tiles_for(
        preset,
        settings,
        language,
        key=str(org.get("maps.tile_key") or settings.tile_key),
        url=str(org.get("maps.custom_url") or ""),
        system=str(org.get("maps.custom_system") or "wgs84"),
    )


def offset_regions(org: dict) -> frozenset[str]:
    """Hong Kong, Macao, Taiwan: those where the organisation's provider applies the offset."""
    chosen = org.get("maps.offset_regions") or []
    return frozenset(code for code in chosen if code in OPTIONAL_REGIONS) if isinstance(chosen, list) else frozenset()


def frame_from(org: dict, settings: Settings, language: str = "en") -> Frame:
    system = tiles_from(org, settings, language).system
    return Frame(system if system in SYSTEMS else "wgs84", offset_regions(org))


def map_tiles(rt: Runtime, language: str | None = None) -> Tiles:
    """The tiles every map of this organisation shows now, labelled in the viewer's language."""
    return tiles_from(rt.org_settings(), rt.settings, language or current_language())


def map_frame(rt: Runtime) -> Frame:
    """The system every map of this organisation draws in now: the one way a surface learns it."""
    return frame_from(rt.org_settings(), rt.settings)
