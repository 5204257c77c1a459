"""One-position OsmAnd requests, the web app's path and the ingest server's side by side in one run (issue 20):

    python bench/bench_ingest_asgi.py [--seconds 15] [--connections 32] [--rounds 2] [--servers flask,uvicorn,granian]

Each round runs every server in turn (A, B, C, A, B, C: the machine's load drifts), each alone on the cores:
- flask:   `fieldops serve` (gunicorn, 2 workers × 8 threads), GET on its OsmAnd port;
- uvicorn: `fieldops ingest --osmand-port` (uvicorn, httptools + uvloop, one process), GET on its OsmAnd port;
- granian: the same app under granian (ASGI, uvloop, one worker), GET /ingest/osmand.
Load: wrk -t2 (keep-alive) on the same cores, each request a new (device, timestamp): 1,000 devices, timestamps
an hour ago plus a per-thread counter. Reported per run: requests/s answered 200, p50/p99 (wrk --latency), the
server's CPU per 1,000 requests (its processes' user + system time, psutil), and whether every accepted fix was
stored exactly once: after the load, the writer drains the stream in this process and the rows stored must equal
the fixes published (the stream's entries added), and no fewer than the 200 answers wrk counted (a request still
in flight when wrk stops may be stored without being counted: at most one per connection).

Uses DATABASE_URL / REDIS_URL when set, else embedded servers; its own database and Redis prefix.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_ingest import EMPLOYEES, setup, stored
from dashboard.core.config import ROOT
from dashboard.core.runtime import Runtime
from dashboard.writer.worker import Writer

PREFIX = "benchasgi:"
DATABASE = "fieldops_bench_ingest_asgi"
HOST = "127.0.0.1"
PORT, OSMAND_PORT = 18060, 15056
WRK_SCRIPT = """
local n = 0
local threads = 0
setup = function(thread)
  thread:set("slot", threads)
  threads = threads + 1
end
request = function()
  n = n + 1
  local id = (n %% 500) + 1 + slot * 500
  local ts = %d + n * 10 + slot
  local query = "%s?id=osm-" .. id .. "&lat=60.17" .. (n %% 1000) .. "&lon=24.94&speed=3.2&bearing=90&accuracy=8"
  return wrk.format("GET", query .. "&timestamp=" .. ts)
end
"""


def drain_all(rt: Runtime) -> None:
    """Store everything in the stream, in this process."""
    writer = Writer(rt, "bench-drain")
    writer.start()
    while entries := rt.feed.read_stream(writer.consumer, 5000, 50):
        writer.process(entries)


def environment(rt: Runtime) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": rt.settings.database_url,
        "REDIS_URL": rt.settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": PREFIX,
        "SECRET_KEY": rt.settings.secret_key,
        "FIELDOPS_OSMAND_PORT": str(OSMAND_PORT),
        "FIELDOPS_INGEST_PORT": "off",  # each server measured alone
        "FIELDOPS_TILE_URL": "none",
        "FIELDOPS_ACCEPT_VOLATILE_REDIS": "1",  # a benchmark's positions are thrown away
        "PYTHONPATH": str(ROOT),
    }


def start(server: str, rt: Runtime) -> tuple[subprocess.Popen, str, str]:
    """The server's process and the URL path the load goes to."""
    cli = [sys.executable, "-m", "dashboard.cli"]
    if server == "flask":
        command = [*cli, "serve", "--host", HOST, "--port", str(PORT), "--workers", "2", "--threads", "8"]
        target, path = OSMAND_PORT, "/"
    elif server == "uvicorn":
        command = [*cli, "ingest", "--host", HOST, "--port", str(PORT), "--osmand-port", str(OSMAND_PORT)]
        target, path = OSMAND_PORT, "/"
    else:
        granian = shutil.which("granian") or str(Path(sys.executable).parent / "granian")
        command = [granian, "--interface", "asgi", "--factory", "--host", HOST, "--port", str(PORT)]
        command += ["--loop", "uvloop", "--workers", "1", "--log-level", "warning", "dashboard.cli.ingest:app_from_env"]
        target, path = PORT, "/ingest/osmand"
    process = subprocess.Popen(command, env=environment(rt), cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, target, timeout=2)
            conn.request("GET", f"{path}?id=warm-up")
            conn.getresponse().read()
            return process, f"http://{HOST}:{target}{path}", path
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"{server} did not start")


def cpu_seconds(process: subprocess.Popen) -> float:
    parent = psutil.Process(process.pid)
    total = 0.0
    for each in [parent, *parent.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def milliseconds(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_one(server: str, rt: Runtime, args: argparse.Namespace) -> dict:
    for key in rt.feed.client.scan_iter(match=f"{PREFIX}*", count=5000):
        rt.feed.client.delete(key)
    rt.db.execute("TRUNCATE positions")
    process, url, path = start(server, rt)
    try:
        base_ms = (int(time.time()) - 3600) * 1000
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % (base_ms, path))
        cpu_before = cpu_seconds(process)
        result = subprocess.run(
            ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "-s", script.name, url],
            capture_output=True,
            text=True,
            check=True,
        )
        cpu = cpu_seconds(process) - cpu_before
    finally:
        process.terminate()
        process.wait(30)
    out = result.stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))
    refused = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    errors = re.search(r"Socket errors: (.*)", out)
    seconds = float(re.search(r"requests in ([\d.]+)s", out).group(1))
    answered = total - refused
    published = sum(
        int(rt.feed.client.xinfo_stream(key)["entries-added"])
        for key in rt.feed.stream_keys
        if rt.feed.client.exists(key)
    )
    drain_all(rt)
    rows = stored(rt)
    return {
        "server": server,
        "rps": answered / seconds,
        "p50": milliseconds(re.search(r"50%\s+(\S+)", out).group(1)),
        "p99": milliseconds(re.search(r"99%\s+(\S+)", out).group(1)),
        "cpu_per_1k_ms": cpu / max(total, 1) * 1e6,
        "answered": answered,
        "refused": refused,
        "published": published,
        "stored": rows,
        "exactly_once": rows == published and answered <= rows <= answered + args.connections,
        "socket_errors": errors.group(1) if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--servers", default="flask,uvicorn,granian")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed (apt-get install wrk)")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"machine: {platform.node()} {os.cpu_count()} cores, load {load}, Python {platform.python_version()}")
    rt, services = setup(DATABASE, PREFIX)
    assert EMPLOYEES >= 1000
    results = []
    try:
        for _round in range(args.rounds):
            for server in args.servers.split(","):
                results.append(run_one(server, rt, args))
                r = results[-1]
                print(
                    f"{r['server']:8} {r['rps']:>8,.0f} req/s  p50 {r['p50']:.1f} ms  p99 {r['p99']:.1f} ms  "
                    f"CPU {r['cpu_per_1k_ms']:,.0f} ms/1k req  answered {r['answered']:,} refused {r['refused']}  "
                    f"published {r['published']:,} stored {r['stored']:,} exactly once: {r['exactly_once']}"
                    + (f"  socket errors: {r['socket_errors']}" if r["socket_errors"] else ""),
                    flush=True,
                )
    finally:
        rt.close()
        services.stop()


if __name__ == "__main__":
    main()
