"""Prometheus counters kept by the web processes (docs/OPERATIONS.md): positions by protocol and
outcome, HTTP responses and their latency by route group. The writer's figures are not counted
here: the writer is another process, so /metrics reads them from Redis when it is scraped
(dashboard/web/metrics.py).

`fieldops serve` runs several gunicorn workers and a scrape reaches one of them, so before the
workers fork it points PROMETHEUS_MULTIPROC_DIR at a fresh folder in the data dir
(`use_multiprocess_dir`): each worker then keeps its counters in a file there and /metrics adds up
every worker's (prometheus_client's multiprocess mode). Elsewhere (`python app.py`, tests) the one
process keeps them in memory.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess, values

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OUTCOMES = ("accepted", "rejected", "withheld", "no_consent", "refused")

# Every metric has labels: prometheus_client makes a labelled metric's value when a label set is first
# used, in the worker, after use_multiprocess_dir has chosen the multiprocess kind of value.
INGESTED = Counter(
    "fieldops_ingest_positions",
    "Positions received, by protocol and outcome: accepted (into the stream), rejected (invalid, with a reason), "
    "withheld (valid, outside working hours or while paused), no_consent (valid, the person's consent withdrawn or "
    "not given), refused (503: backlog full or Redis down)",
    ["protocol", "outcome"],
)
RESPONSES = Counter("fieldops_http_responses", "HTTP responses by route group and status code", ["route", "status"])
LATENCY = Histogram("fieldops_http_request_duration_seconds", "Time to answer a request, by route group", ["route"])


def use_multiprocess_dir(directory: Path) -> None:
    """Before gunicorn forks its workers: counters in files in `directory` (emptied: a new run counts from 0)."""
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    # prometheus_client chose its kind of value when it was first imported, before this was known.
    values.ValueClass = values.get_value_class()


def forget_process(pid: int) -> None:
    """A gunicorn worker exited (its counters stay counted; live gauges of it would go)."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def count_ingest(protocol: str, **outcomes: int) -> None:
    """Add one request's positions by outcome, e.g. count_ingest("osmand", accepted=1)."""
    for outcome, count in outcomes.items():
        if count:
            INGESTED.labels(protocol, outcome).inc(count)


def observe_response(route: str, status: int, seconds: float) -> None:
    RESPONSES.labels(route, str(status)).inc()
    LATENCY.labels(route).observe(seconds)


def exposition(*extra: CollectorRegistry) -> bytes:
    """This installation's counters (every worker's, in multiprocess mode) and the extra registries', as text."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return b"".join(generate_latest(r) for r in (registry, *extra))
