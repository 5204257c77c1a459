"""The server's stamp on visit photos and their perceptual hash (dashboard/work/photos.py), no server: the band
read back by OCR, EXIF orientation, GPS left out, the original untouched, the same picture found again."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from dashboard.work import photos
from tests.pictures import band_text, encoded, scene, squeezed

AT = datetime(2026, 9, 21, 11, 5, tzinfo=UTC)  # 14:05 in Helsinki
HELSINKI = ZoneInfo("Europe/Helsinki")
STAMP = photos.Stamp(AT, HELSINKI, "Maria Virtanen", "Kallio Bakery", 12.4, 8.0)


def test_the_stamped_copy_reads_back_the_time_person_customer_distance_and_accuracy():
    original = encoded(scene("discs"))
    kept = photos.keep("image/jpeg", original, STAMP)
    text = band_text(kept.stamped, 900)
    for expected in ("2026-09-21 14:05", "Maria Virtanen", "Kallio Bakery", "site: 12 m", "accuracy: 8 m"):
        assert squeezed(expected) in text, (expected, text)
    assert kept.original is original and kept.sha256 == hashlib.sha256(original).hexdigest()
    assert Image.open(io.BytesIO(kept.stamped)).format == "JPEG"


def test_unknown_distance_and_accuracy_are_a_dash():
    lines = photos.Stamp(AT, HELSINKI, "Maria Virtanen", None, None, None).lines()
    assert lines[1] == "Maria Virtanen · no customer"
    assert lines[2] == "Distance to the site: — · accuracy: —"


def test_a_chinese_font_is_found_for_chinese_names():
    found = photos.stamp_font_path()
    assert found is not None and ("CJK" in found[0] or "wqy" in found[0]), found
    kept = photos.keep(
        "image/png",
        encoded(scene("discs", (400, 300)), "PNG"),
        photos.Stamp(AT, ZoneInfo("Asia/Shanghai"), "王芳", "北京朝阳门店", 30.0, 5.0),
    )
    assert Image.open(io.BytesIO(kept.stamped)).height > 300


def test_the_copy_is_upright_by_exif_orientation_and_carries_no_gps():
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: the camera was turned 90° clockwise
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(photos.GPS_IFD)[2] = (60.0, 10.0, 0.0)  # GPSLatitude
    original = encoded(scene("discs", (800, 600)), exif=exif)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(photos.GPS_IFD)
    stamped = Image.open(io.BytesIO(photos.keep("image/jpeg", original, STAMP).stamped))
    assert stamped.width == 600 and stamped.height > 800  # turned upright, the band below
    copied = stamped.getexif()
    assert copied.get(0x010F) == "PhoneMaker" and not copied.get_ifd(photos.GPS_IFD)
    assert copied.get(0x0112) in (None, 1)


def test_a_transparent_png_is_stamped_on_white():
    picture = Image.new("RGBA", (300, 200), (0, 0, 0, 0))
    stamped = Image.open(io.BytesIO(photos.keep("image/png", encoded(picture, "PNG"), STAMP).stamped))
    assert min(stamped.getpixel((10, 10))) > 245  # white, give or take JPEG


def test_the_same_picture_re_encoded_or_resized_is_near_and_another_is_far():
    first = photos.perceptual_hash(photos.open_photo(encoded(scene("discs"), quality=92)))
    again = photos.perceptual_hash(photos.open_photo(encoded(scene("discs").resize((480, 360)), quality=45)))
    as_png = photos.perceptual_hash(photos.open_photo(encoded(scene("discs"), "PNG")))
    other = photos.perceptual_hash(photos.open_photo(encoded(scene("bars"))))
    assert photos.hamming(first, again) <= photos.DUPLICATE_MAX_BITS
    assert photos.hamming(first, as_png) <= photos.DUPLICATE_MAX_BITS
    assert photos.hamming(first, other) > 3 * photos.DUPLICATE_MAX_BITS
    assert -(2**63) <= first < 2**63  # a PostgreSQL bigint


@pytest.mark.parametrize(
    "data",
    [b"\xff\xd8\xff" + b"\x00" * 100, b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, encoded(scene("discs"))[:2000]],
)
def test_an_unreadable_photo_is_refused_with_a_reason(data):
    with pytest.raises(photos.PhotoError, match="could not be read"):
        photos.keep("image/jpeg", data, STAMP)


def test_a_photo_of_too_many_pixels_is_refused_before_it_is_unpacked():
    huge = encoded(Image.new("1", (8000, 6000)), "PNG")  # 48 MP, a few kB packed
    assert len(huge) < 2 * 1024 * 1024
    with pytest.raises(photos.PhotoError, match="too many pixels"):
        photos.keep("image/png", huge, STAMP)
