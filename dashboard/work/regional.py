"""Regional settings an admin chooses for a deployment: the map tiles and their coordinate system, and the filing
numbers a mainland-China site must show (ICP 备案 and 公安备案). Checked here, saved as organisation settings."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dashboard.core.i18n import _
from dashboard.core.runtime import Runtime
from dashboard.geo.coords import OPTIONAL_REGIONS, SYSTEMS
from dashboard.geo.tiles import PRESETS
from data import org_settings

TIANDITU_KEY = re.compile(r"[0-9a-fA-F]{32}")
TILE_URL = re.compile(r"https?://[^\s\"'<>\\]+")
MAX_FILING_CHARS = 64
ICP_SITE = "https://beian.miit.gov.cn/"
PUBLIC_SECURITY_SITE = "https://beian.mps.gov.cn/#/query/webSearch?code="


class SettingError(ValueError):
    """A value an admin entered that cannot be saved, with the reason shown to them."""


@dataclass(frozen=True)
class MapChoice:
    preset: str  # "" for the environment's default (FIELDOPS_TILE_URL)
    tile_key: str = ""
    custom_url: str = ""
    custom_system: str = "wgs84"
    offset_regions: tuple[str, ...] = ()


def checked_map_choice(choice: MapChoice) -> MapChoice:
    if choice.preset not in ("", *PRESETS):
        raise SettingError(_("Choose a map."))
    key = choice.tile_key.strip()
    if choice.preset == "tianditu" and not TIANDITU_KEY.fullmatch(key):
        raise SettingError(_("Tianditu needs its key (tk): 32 hexadecimal characters from console.tianditu.gov.cn."))
    url = choice.custom_url.strip()
    if choice.preset == "custom":
        if not TILE_URL.fullmatch(url) or not all(part in url for part in ("{z}", "{x}", "{y}")):
            raise SettingError(_("A tile URL starts with https:// and holds {z}, {x} and {y}."))
        if choice.custom_system not in SYSTEMS:
            raise SettingError(_("Choose the coordinate system of the tile server."))
    if not set(choice.offset_regions) <= set(OPTIONAL_REGIONS):
        raise SettingError(_("Choose among Hong Kong, Macao and Taiwan."))
    return MapChoice(choice.preset, key, url, choice.custom_system, tuple(sorted(choice.offset_regions)))


def save_map_choice(rt: Runtime, choice: MapChoice, user_id: int | None) -> None:
    choice = checked_map_choice(choice)
    for key, value in (
        ("maps.preset", choice.preset),
        ("maps.tile_key", choice.tile_key),
        ("maps.custom_url", choice.custom_url),
        ("maps.custom_system", choice.custom_system),
        ("maps.offset_regions", list(choice.offset_regions)),
    ):
        org_settings.set_setting(rt.db, key, value, user_id)
    rt.forget_org_settings()


def _filing_number(value: str, what: str) -> str:
    value = " ".join(value.split())
    if len(value) > MAX_FILING_CHARS:
        raise SettingError(_("{what} has at most {count} characters.", what=what, count=MAX_FILING_CHARS))
    return value


def save_filing(rt: Runtime, icp: str, public_security: str, user_id: int | None) -> None:
    """The filing numbers shown at the foot of the public pages; empty hides them."""
    icp = _filing_number(icp, _("The ICP filing number"))
    public_security = _filing_number(public_security, _("The public security filing number"))
    if public_security and not re.search(r"\d{6,}", public_security):
        raise SettingError(_("A public security filing number holds its digits, e.g. 京公网安备11010502030143号."))
    org_settings.set_setting(rt.db, "filing.icp", icp, user_id)
    org_settings.set_setting(rt.db, "filing.public_security", public_security, user_id)
    rt.forget_org_settings()


@dataclass(frozen=True)
class Filing:
    """What the public pages' footer shows: each number with the register it links to."""

    icp: str
    public_security: str

    @property
    def public_security_url(self) -> str:
        digits = re.search(r"\d{6,}", self.public_security)
        return PUBLIC_SECURITY_SITE + digits.group(0) if digits else ""

    @property
    def empty(self) -> bool:
        return not (self.icp or self.public_security)


def filing(org: dict) -> Filing:
    return Filing(str(org.get("filing.icp") or ""), str(org.get("filing.public_security") or ""))
