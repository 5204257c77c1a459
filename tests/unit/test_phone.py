"""The phone's check-in verification and photo checks (dashboard/work/phone.py), with a pinned "now" and
no server. The phone's routes, help alerts and share links are tested in tests/integration/test_mobile.py."""

import base64

import pytest

from dashboard.work.phone import MobileError, PhoneFix, photo_from_upload, verify_presence

NOW_MS = 1_764_237_600_000  # 2025-11-27T10:00:00Z, the instant of the check-in
SITE = {"center_lat": 60.17, "center_lon": 24.94, "radius_m": 50.0}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_check_in_inside_the_site_with_a_good_fix_is_verified():
    check = verify_presence(SITE, PhoneFix(60.17, 24.9401, 12.0, NOW_MS), NOW_MS)
    assert check["verified"] and check["reason"] is None


@pytest.mark.parametrize(
    ("fix", "reason"),
    [
        (PhoneFix(60.18, 24.94, 10.0, 0), "outside"),
        (PhoneFix(60.17, 24.94, 500.0, 0), "inaccurate"),
        (PhoneFix(60.17, 24.94, None, 0), "inaccurate"),
        (PhoneFix(60.17, 24.94, 10.0, -10 * 60_000), "stale_position"),
        (PhoneFix(60.17, 24.94, 10.0, 10 * 60_000), "clock"),
        (None, "no_position"),
    ],
)
def test_a_check_in_that_cannot_be_verified_says_why(fix, reason):
    now = NOW_MS
    if fix is not None:
        fix = PhoneFix(fix.lat, fix.lon, fix.accuracy_m, now + fix.ts_ms)
    check = verify_presence(SITE, fix, now)
    assert not check["verified"] and check["reason"] == reason


def test_a_customer_without_a_site_cannot_verify_a_check_in():
    assert verify_presence(None, PhoneFix(60.17, 24.94, 5.0, NOW_MS), NOW_MS)["reason"] == "no_site"


def test_photos_are_jpeg_or_png_by_their_bytes_and_at_most_2_mb():
    assert photo_from_upload("data:image/png;base64," + base64.b64encode(PNG).decode()) == ("image/png", PNG)
    assert photo_from_upload(None) is None
    for bad in (
        "data:image/png;base64,not base64!",
        "nothing",
        "data:x;base64," + base64.b64encode(b"GIF89a").decode(),
    ):
        with pytest.raises(MobileError):
            photo_from_upload(bad)
    with pytest.raises(MobileError):
        photo_from_upload("data:image/png;base64," + base64.b64encode(PNG + b"\x00" * 2 * 1024 * 1024).decode())
