"""The server's VAPID key pair (RFC 8292): generated once, kept in the data dir (0600), so every browser's
subscription stays valid across restarts. Browsers subscribe with the public key (`application_server_key`)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid

from dashboard.core.config import Settings

KEY_FILE = "vapid_private.pem"


def key_path(settings: Settings) -> Path:
    return settings.data_dir / KEY_FILE


def vapid_key(settings: Settings) -> Vapid:
    """The key pair, made on first use. Two processes starting at once: the first to create the file wins."""
    path = key_path(settings)
    if not path.exists():
        fresh = Vapid()
        fresh.generate_keys()
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "wb") as file:
                file.write(fresh.private_pem())
    return Vapid.from_pem(path.read_bytes())


def application_server_key(settings: Settings) -> str:
    """The public key as browsers take it: the uncompressed P-256 point, base64url without padding."""
    raw = vapid_key(settings).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def contact(settings: Settings) -> str:
    """The `sub` claim push services may write to about this sender (RFC 8292 §2.1)."""
    if settings.public_url.startswith("https://"):
        return settings.public_url
    return f"mailto:{settings.smtp_from}"
