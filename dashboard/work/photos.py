"""Visit photos (issue 19): the server, not the phone, stamps what a photo is evidence of (the local time, the
person, the customer, the distance to the customer's site, the fix's accuracy) on a copy, keeps the original
bytes untouched with their SHA-256, and a perceptual hash that finds the same picture sent again on another visit.
No Flask, no Dash: Pillow and imagehash only; where a note is saved is dashboard/work/phone.save_visit_note."""

from __future__ import annotations

import hashlib
import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import imagehash
from PIL import Image, ImageDraw, ImageFile, ImageFont, ImageOps, UnidentifiedImageError

from dashboard.core.i18n import _

log = logging.getLogger(__name__)

# Near-duplicates: imagehash.phash's 64 bits differ in at most this many for the same picture re-encoded,
# resized or lightly cropped (measured 0-4 for JPEG quality 40-95 and halving), while unrelated photos differ
# in about 32. Compared with the photos of other visits (anyone's) taken within the window before it.
DUPLICATE_MAX_BITS = 8
DUPLICATE_WINDOW = timedelta(days=30)
MAX_PIXELS = 40_000_000  # a 2 MB PNG can unpack to gigabytes; a phone camera's photo is under 50 MP
STAMPED_MAX_SIDE = 2560  # the stamped copy is for looking at; the original keeps every pixel
STAMPED_QUALITY = 85
GPS_IFD = 0x8825  # EXIF's GPSInfo: where the phone was is the server's to say, from the fix, not the file's
# A font that draws Chinese too: Debian's fonts-noto-cjk (Simplified Chinese face of the collection) or
# WenQuanYi; DejaVu draws Latin only, so a Chinese name falls back to boxes and the log says so once.
FONTS = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 0),
)
UNKNOWN = "—"


class PhotoError(ValueError):
    """A photo the server cannot read or keep, with the reason shown to the person."""


@dataclass(frozen=True)
class Stamp:
    """What a stamped copy says: the moment, who took it, where, and how sure the position was."""

    at: datetime
    tz: ZoneInfo
    person: str
    customer: str | None
    distance_m: float | None
    accuracy_m: float | None

    def lines(self) -> list[str]:
        local = self.at.astimezone(self.tz)
        return [
            f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip(),
            f"{self.person} · {self.customer or _('no customer')}",
            _(
                "Distance to the site: {distance} · accuracy: {accuracy}",
                distance=_metres(self.distance_m),
                accuracy=_metres(self.accuracy_m),
            ),
        ]


@dataclass(frozen=True)
class KeptPhoto:
    """A photo as stored: the bytes the phone sent, their SHA-256 (hex), the stamped JPEG and the perceptual hash
    (64 bits as a signed bigint, PostgreSQL's type)."""

    content_type: str
    original: bytes
    sha256: str
    stamped: bytes
    phash: int


def _metres(value: float | None) -> str:
    return UNKNOWN if value is None else f"{round(value)} m"


@cache
def stamp_font_path() -> tuple[str, int] | None:
    """The first font of FONTS on this machine, or None (Pillow's built-in font, Latin only)."""
    found = next(((path, index) for path, index in FONTS if Path(path).is_file()), None)
    if found is None or "dejavu" in found[0]:
        log.warning("No Chinese font (fonts-noto-cjk or fonts-wqy-zenhei): photo stamps draw Latin text only")
    return found


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = stamp_font_path()
    return ImageFont.load_default(size) if found is None else ImageFont.truetype(found[0], size, index=found[1])


def open_photo(original: bytes) -> Image.Image:
    """The picture upright as the camera held it (EXIF orientation applied), refused when unreadable or huge."""
    try:
        picture = Image.open(io.BytesIO(original))
        if picture.width * picture.height > MAX_PIXELS:
            raise PhotoError(_("The photo has too many pixels."))
        _load_whole(picture)
        return ImageOps.exif_transpose(picture)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError, SyntaxError) as exc:
        if isinstance(exc, PhotoError):
            raise
        raise PhotoError(_("The photo could not be read.")) from exc


_strict = threading.Lock()


def _load_whole(picture: Image.Image) -> None:
    """Decode every pixel, refusing a cut-off file: WeasyPrint (the report PDFs) sets Pillow's process-wide
    LOAD_TRUNCATED_IMAGES on import, which would have a half-sent photo stamped grey instead of refused."""
    with _strict:
        tolerant, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:
            picture.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = tolerant


def perceptual_hash(picture: Image.Image) -> int:
    """imagehash.phash's 64 bits as a signed integer (a bigint); compared by Hamming distance."""
    unsigned = int(str(imagehash.phash(picture)), 16)
    return unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & ((1 << 64) - 1)).bit_count()


def stamped_copy(picture: Image.Image, lines: list[str]) -> bytes:
    """A JPEG of the picture with a dark band below it carrying `lines`; no GPS in its EXIF."""
    exif = picture.getexif()
    exif.pop(GPS_IFD, None)
    flat = _flatten(picture)
    flat.thumbnail((STAMPED_MAX_SIDE, STAMPED_MAX_SIDE))
    size = max(16, flat.width // 34)
    font, pad = _font(size), max(6, size // 2)
    lines = [_fit(line, font, flat.width - 2 * pad) for line in lines]
    line_height = round(size * 1.35)
    band = pad * 2 + line_height * len(lines)
    canvas = Image.new("RGB", (flat.width, flat.height + band), (20, 20, 20))
    canvas.paste(flat, (0, 0))
    draw = ImageDraw.Draw(canvas)
    for row, line in enumerate(lines):
        draw.text((pad, flat.height + pad + row * line_height), line, font=font, fill=(255, 255, 255))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=STAMPED_QUALITY, exif=exif.tobytes())
    return out.getvalue()


def _flatten(picture: Image.Image) -> Image.Image:
    """RGB, a transparent PNG laid on white (JPEG has no alpha)."""
    if picture.mode in ("RGBA", "LA", "P", "PA"):
        rgba = picture.convert("RGBA")
        white = Image.new("RGB", rgba.size, (255, 255, 255))
        white.paste(rgba, mask=rgba.getchannel("A"))
        return white
    return picture.convert("RGB")


def _fit(line: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> str:
    """The line, shortened with an ellipsis when it is wider than the band."""
    if font.getlength(line) <= width:
        return line
    while line and font.getlength(line + "…") > width:
        line = line[:-1]
    return line + "…"


def keep(content_type: str, original: bytes, stamp: Stamp) -> KeptPhoto:
    """Everything stored with a note's photo; the original bytes are kept exactly as sent."""
    picture = open_photo(original)
    return KeptPhoto(
        content_type=content_type,
        original=original,
        sha256=hashlib.sha256(original).hexdigest(),
        stamped=stamped_copy(picture, stamp.lines()),
        phash=perceptual_hash(picture),
    )
