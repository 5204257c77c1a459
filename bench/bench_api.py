"""The integrators' API and webhooks (issue 9), in this process (Flask's WSGI client, no network for the API):

    python bench/bench_api.py [--activities 200000] [--webhooks 2000]

sync:     a full incremental sync of `activities` in pages of 500 (the cursor walk an integrator does),
          rows/s; then one `updated_since` call that finds the newest 1,000 rows.
webhooks: deliveries/s from the outbox to a receiver on 127.0.0.1 (signing, POST, logging each attempt).

Uses DATABASE_URL / REDIS_URL when set, else embedded servers in ./var/bench-api; its own database
(fieldops_bench_api) and Redis prefix (benchapi:), cleared first.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_runtime
from dashboard.work.tokens import SCOPES, issue
from data import org_settings, webhooks


def seed(rt, activities: int) -> None:
    with rt.db.transaction() as conn, conn.cursor() as cur:
        cur.execute("TRUNCATE activities, customers, employees, teams, api_tokens, webhook_subscriptions CASCADE")
        cur.execute("INSERT INTO teams (name) VALUES ('Bench') RETURNING id")
        team = cur.fetchone()[0]
        cur.execute(
            """INSERT INTO employees (code, name, team_id)
               SELECT 'B' || n, 'Person ' || n, %s FROM generate_series(1, 50) n""",
            (team,),
        )
        cur.execute(
            "INSERT INTO customers (name, lat, lon) SELECT 'C' || n, 60.17, 24.94 FROM generate_series(1, 300) n"
        )
        cur.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, source, created_at)
               SELECT (SELECT min(id) FROM employees) + n %% 50, (SELECT min(id) FROM customers) + n %% 300, 'visit',
                      now() - make_interval(mins => n), now() - make_interval(mins => n) + interval '20 min',
                      'geofence', now() - make_interval(secs => %s - n)
               FROM generate_series(1, %s) n""",
            (activities, activities),
        )


def bench_sync(rt, app, activities: int) -> None:
    headers = {"Authorization": f"Bearer {issue(rt.db, 'bench', SCOPES, None, 30, None)}"}
    client = app.server.test_client()
    rows, cursor, calls = 0, None, 0
    started = time.perf_counter()
    while True:
        query = {"limit": 500} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/activities", query_string=query, headers=headers).get_json()
        rows, cursor, calls = rows + len(page["data"]), page["next_cursor"], calls + 1
        if cursor is None:
            break
    elapsed = time.perf_counter() - started
    print(f"sync: {rows:,} activities in {calls} pages, {elapsed:.1f} s, {rows / elapsed:,.0f} rows/s")
    since = (datetime.now(UTC) - timedelta(seconds=1000)).isoformat()
    started = time.perf_counter()
    page = client.get(
        "/api/v1/activities", query_string={"limit": 500, "updated_since": since}, headers=headers
    ).get_json()
    print(f"updated_since: first page of {len(page['data'])} rows in {(time.perf_counter() - started) * 1000:.0f} ms")


def bench_webhooks(rt, count: int) -> None:
    from dashboard.work.webhooks import Deliverer
    from tests.integration.test_webhooks import Receiver

    receiver = Receiver()
    org_settings.set_setting(rt.db, "webhooks.allow_private_targets", True, None)
    rt.forget_org_settings()
    sub_id = webhooks.create_subscription(rt.db, receiver.url, ["help.requested"], "whsec_bench", None)
    for _ in range(count):
        webhooks.enqueue_test(rt.db, sub_id, {"bench": True})
    deliverer = Deliverer(rt)
    started = time.perf_counter()
    while deliverer.deliver_due():
        pass
    elapsed = time.perf_counter() - started
    receiver.close()
    print(f"webhooks: {len(receiver.received):,} deliveries in {elapsed:.1f} s, {count / elapsed:,.0f}/s")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--activities", type=int, default=200_000)
    parser.add_argument("--webhooks", type=int, default=2000)
    args = parser.parse_args()
    rt, services = bench_runtime("fieldops_bench_api", "benchapi:", "bench-api")
    from dashboard.cli.serve import web_app

    print(f"{platform.node()} · {platform.processor() or platform.machine()} · Python {platform.python_version()}")
    seed(rt, args.activities)
    app = web_app(rt.settings)
    bench_sync(rt, app, args.activities)
    bench_webhooks(rt, args.webhooks)
    app.server.extensions["fieldops"].close()
    rt.close()
    services.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
