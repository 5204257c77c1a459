"""A service report's pictures (issue 21) without a server: a photo is scaled down for the PDF, a signature is kept
as drawn, and bytes that are no picture leave the picture out instead of the whole report."""

from __future__ import annotations

import base64
import io

from PIL import Image

from dashboard.work.service_reports import PHOTO_PIXELS, _image
from tests.pictures import encoded, scene
from tests.service_visits import signature_png


def _size(uri: str) -> tuple[int, int]:
    return Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).size


def test_a_photo_is_scaled_down_and_a_signature_kept_as_drawn():
    photo = _image({"bytes": encoded(scene("discs")), "content_type": "image/jpeg"})
    assert photo.startswith("data:image/jpeg;base64,") and _size(photo) == (PHOTO_PIXELS, 750)
    signature = _image({"bytes": signature_png(), "content_type": "image/png"})
    assert signature.startswith("data:image/png;base64,") and _size(signature) == (600, 200)


def test_bytes_that_are_no_picture_are_left_out():
    assert _image({"bytes": b"not a picture", "content_type": "image/jpeg"}) is None
    assert _image(None) is None
