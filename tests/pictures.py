"""Photos for the visit-photo tests (issue 19): two unlike scenes drawn with Pillow, encoded as a phone would,
and the stamped copy's band read back with tesseract (Debian's tesseract-ocr, installed by .ci/setup-browser)."""

from __future__ import annotations

import io
import shutil

import pytesseract
from PIL import Image, ImageDraw


def scene(kind: str, size: tuple[int, int] = (1200, 900)) -> Image.Image:
    """ "discs": a diagonal of coloured discs on green; "bars": vertical bars on grey (hashes ~32 bits apart)."""
    width, height = size
    if kind == "discs":
        picture = Image.new("RGB", size, (90, 140, 60))
        draw = ImageDraw.Draw(picture)
        for x in range(0, width, width // 20):
            y = x * height // width
            draw.ellipse((x, y, x + width // 10, y + width // 10), fill=(x % 255, 80, 200))
        return picture
    picture = Image.new("RGB", size, (200, 200, 200))
    draw = ImageDraw.Draw(picture)
    for x in range(0, width, width // 26):
        draw.rectangle((x, 0, x + width // 60, height - x * height // width), fill=(20, x % 255, 40))
    return picture


def encoded(picture: Image.Image, kind: str = "JPEG", quality: int = 90, **options: object) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        picture.save(out, kind, quality=quality, **options)
    else:
        picture.save(out, kind, **options)
    return out.getvalue()


def band_text(stamped: bytes, picture_height: int) -> str:
    """What tesseract reads in the stamped copy's band (below the picture's `picture_height` rows), without
    whitespace: OCR reads "14 m" as "14m" as often as not; compare with `squeezed` text."""
    if shutil.which("tesseract") is None:
        raise RuntimeError("The stamp tests read it back with tesseract: apt-get install tesseract-ocr")
    copy = Image.open(io.BytesIO(stamped))
    return squeezed(pytesseract.image_to_string(copy.crop((0, picture_height, copy.width, copy.height))))


def squeezed(text: str) -> str:
    return "".join(text.split())
