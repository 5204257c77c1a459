"""A monthly report of a large fleet (issue 8): gather the figures, render PDF, XLSX and CSV.

    nice python bench/history.py --interval 60        # issue 5's generator (30 days x 1,000 people)
    fieldops rollup --rebuild --from 2026-08-31 --to 2026-09-30
    python bench/bench_report.py [--database fieldops_bench_5] [--period 2026-09] [--runs 3]

Reads only: the report's own rows (reports, report_files) are the only writes. Timed end to end as
the worker builds it (claim → figures → every format → stored), then stage by stage.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_runtime
from dashboard.core.permissions import Viewer, scope_for
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.gather import gather
from dashboard.reports.periods import parse_period
from dashboard.reports.render.csv import render_csv
from dashboard.reports.render.pdf import render_pdf
from dashboard.reports.render.xlsx import render_xlsx
from data import reports, streets

ORGANISATION = Viewer(None, "bench", "manager", None, scope_for("manager", None, []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="fieldops_bench_5")
    parser.add_argument("--period", default="2026-09")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    rt, services = bench_runtime(args.database, "benchreport:", "bench-analytics")
    people = rt.db.fetch_one("SELECT count(*) AS n FROM employees")["n"]
    rollup_rows = rt.db.fetch_one("SELECT count(*) AS n FROM analytics_cell_hour")["n"]
    print(f"database {args.database}: {people:,} employees, {rollup_rows:,} cell-hour rollup rows")
    period = parse_period(args.period)
    totals, stages = [], {"figures": [], "pdf": [], "xlsx": [], "csv": []}
    for _run in range(args.runs):
        report_id = queue_report(rt, ORGANISATION, period, ["pdf", "xlsx", "csv"], args.language)
        started = time.perf_counter()
        build_queued(rt, report_id)
        totals.append(time.perf_counter() - started)
        row = reports.get_report(rt.db, ORGANISATION.scope, report_id)
        assert row["state"] == "done", row["error"]
        sizes = {f["name"].rsplit(".", 1)[-1]: len(f["content"]) for f in reports.report_files(rt.db, report_id)}

        started = time.perf_counter()
        data = gather(rt, row)
        stages["figures"].append(time.perf_counter() - started)
        lines = streets.street_lines(rt.db)
        for fmt in ("pdf", "xlsx", "csv"):
            started = time.perf_counter()
            if fmt == "pdf":
                render_pdf(data, lines)
            elif fmt == "xlsx":
                render_xlsx(data)
            else:
                render_csv(data)
            stages[fmt].append(time.perf_counter() - started)
    print(f"rows: {len(data.employees):,} employees, {len(data.heat_cells):,} heatmap cells, {len(data.daily)} days")
    print(f"files: {sizes}")
    print(
        f"whole build (claim, figures, PDF + XLSX + 5 CSV, stored): median {statistics.median(totals):.2f} s, "
        f"max {max(totals):.2f} s over {args.runs} runs"
    )
    for stage, samples in stages.items():
        print(f"  {stage}: median {statistics.median(samples):.2f} s")
    rt.close()
    services.stop()


if __name__ == "__main__":
    main()
