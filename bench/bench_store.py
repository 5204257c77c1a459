"""The store handler's Python side alone, no PostgreSQL: what building one batch's COPY costs per fix.

    python bench/bench_store.py [--rows 20000] [--code DIR]

This checkout: the batch's columns (numpy, epoch microseconds, H3 integers), the dedupe, the binary COPY stream
and the dirty (employee, minute) pairs. A checkout from before issue 20 (`--code DIR`, which has no
`Positions`): its way, a PositionRow per fix with a datetime and the H3 cell through its text form, the dict
dedupe and the text COPY stream. CPU time (time.process_time), best of 5.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(args.code).resolve()))
    from dashboard.writer.pipeline import Batch
    from data.feed import Fix, StreamEntry

    rng = random.Random(1)
    base_ms = 1_796_000_000_000
    entries = [
        StreamEntry(
            f"1-{i}".encode(),
            "native",
            Fix(
                1 + i % 1000, base_ms + i // 1000 * 1000, 60.16 + rng.random() * 0.02, 24.93 + rng.random() * 0.03, 3.0
            ),
        )
        for i in range(args.rows)
    ]
    batch = Batch.of(entries)
    try:
        from dashboard.writer.store import columns
        from data.positions import _dirty_minutes, _first_per_key, copy_binary

        def build() -> int:
            fixes = _first_per_key(columns(batch))
            _dirty_minutes(fixes)
            return len(copy_binary(fixes))

        way = "columns + binary COPY"
    except ImportError:
        from datetime import UTC, datetime

        import h3

        from data.positions import PositionRow, _nullable, _nullable_text, _text

        def build() -> int:
            rows = [
                PositionRow(
                    e.fix.employee_id,
                    datetime.fromtimestamp(e.fix.ts_ms / 1000, UTC),
                    e.fix.lat,
                    e.fix.lon,
                    e.fix.speed,
                    e.fix.heading,
                    e.fix.accuracy,
                    h3.str_to_int(h3.latlng_to_cell(e.fix.lat, e.fix.lon, 10)),
                    e.source,
                    None,
                )
                for e in batch.entries
            ]
            unique = list({(row.employee_id, row.ts): row for row in reversed(rows)}.values())
            {row.ts.astimezone(UTC).date() for row in unique}
            buffer = io.StringIO()
            for row in unique:
                buffer.write(
                    f"{row.employee_id}\t{row.ts.isoformat()}\t{row.lat!r}\t{row.lon!r}\t{_nullable(row.speed)}\t"
                    f"{_nullable(row.heading)}\t{_nullable(row.accuracy)}\t{row.cell}\t{_text(row.source)}\t"
                    f"{_nullable_text(row.attributes)}\n"
                )
            return len(buffer.getvalue().encode())

        way = "PositionRow + text COPY"
    best, size = float("inf"), 0
    for _ in range(5):
        started = time.process_time()
        size = build()
        best = min(best, time.process_time() - started)
    print(
        f"{Path(args.code).resolve().name:>16}  {way}: {best / args.rows * 1e6:.2f} µs CPU per fix, "
        f"{size / args.rows:.0f} bytes per fix in the COPY stream ({args.rows} fixes)"
    )


if __name__ == "__main__":
    main()
