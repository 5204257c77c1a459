"""Helpers for ingest tests: the real tracks beside the repository, and draining the stream."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dashboard.core.runtime import Runtime
from dashboard.writer.worker import Writer

# ../shared/realdata beside the clone (see SOURCES.md there for origins and licences).
REALDATA = Path(__file__).resolve().parent.parent.parent / "shared" / "realdata"


def realdata(name: str) -> Path:
    path = REALDATA / name
    if not path.exists():
        pytest.skip(f"{path} is missing: the real tracks live in ../shared/realdata beside the clone")
    return path


def bus_rows() -> list[dict]:
    """The Liverpool bus feed (UK Bus Open Data Service, Open Government Licence v3, Crown copyright)."""
    with realdata("route14_outbound.csv").open(newline="") as handle:
        return list(csv.DictReader(handle))


def drain(rt: Runtime, writer: Writer | None = None) -> int:
    """Store everything in the stream now; return rows newly stored."""
    writer = writer or Writer(rt, "test-drain")
    writer.start()
    stored = 0
    while entries := rt.feed.read_stream(writer.consumer, 5000, 50):
        stored += writer.process(entries)
    return stored
