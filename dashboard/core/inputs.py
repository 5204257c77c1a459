"""What a browser sends to a callback is untrusted: coerce it to the type the callback expects,
or to nothing. A callback never fails on a value of the wrong type."""

from __future__ import annotations

from urllib.parse import urlsplit


def whole_number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def counter(value: object) -> int:
    """A refresh counter kept in a store: its value, or 0."""
    return whole_number(value) or 0


def text(value: object, max_length: int = 200) -> str:
    return value[:max_length] if isinstance(value, str) else ""


def whole_numbers(value: object) -> list[int]:
    return [v for v in value if whole_number(v) is not None] if isinstance(value, list) else []


def mapping(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def safe_next(target: str | None) -> str:
    """A path on this site to go back to: never an absolute URL that someone else chose."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
