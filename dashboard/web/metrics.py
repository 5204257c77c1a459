"""GET /metrics for Prometheus, and the request timing behind its HTTP figures (docs/OPERATIONS.md).

Open on the dashboard's port, as Prometheus expects, unless FIELDOPS_METRICS_TOKEN is set: then
the guard wants `Authorization: Bearer <token>` (Prometheus's `authorization` scrape setting). The
figures hold no personal data: counts, ages, states.

The counters of the web processes come from dashboard/core/metrics.py; the health report's figures
(dependencies, Redis persistence, backlog, lag, each writer's heartbeat and rows stored) are read
from PostgreSQL and Redis at scrape time by HealthCollector, so every web process answers the same
and the writer, another process, needs no port of its own.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from dashboard.core.metrics import exposition, observe_response
from dashboard.core.runtime import Runtime, runtime
from dashboard.web.health import report

blueprint = Blueprint("metrics", __name__)

# Route groups: few and fixed, so a label never grows with the URLs clients send.
ROUTE_GROUPS = (
    ("ingest", ("/ingest/", "/api/v1/positions", "/api/v1/me/positions", "/api/v1/gpx")),
    ("callback", ("/_dash-update-component",)),
    ("static", ("/assets/", "/_dash-component-suites/", "/_favicon.ico", "/favicon.ico")),
    ("dash", ("/_dash-", "/_reload-hash")),
    ("api", ("/api/",)),
    ("ops", ("/healthz", "/readyz", "/metrics")),
)


def route_group(path: str) -> str:
    """The label a request's figures are kept under: ingest, callback, static, dash, api, ops or page."""
    return next((group for group, prefixes in ROUTE_GROUPS if path.startswith(prefixes)), "page")


def install_request_timing(server: Flask) -> None:
    server.before_request(_start_timer)
    server.after_request(_observe)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        observe_response(route_group(request.path), response.status_code, time.perf_counter() - started)
    return response


class HealthCollector:
    """The health report as metrics, read when Prometheus scrapes."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[Metric]:
        health = report(self.rt)
        yield _gauge("fieldops_ready", "1 when /readyz answers 200, else 0", int(health["ready"]))
        up = GaugeMetricFamily("fieldops_dependency_up", "1 when the dependency answers", labels=["dependency"])
        for dependency in ("postgres", "redis"):
            up.add_metric([dependency], int(health[dependency] == "ok"))
        yield up
        persistence = health["redis_persistence"]
        yield _gauge(
            "fieldops_redis_persistence_durable",
            "1 when Redis keeps acknowledged positions across a crash (appendonly yes, appendfsync everysec/always)",
            int(persistence["state"] == "durable"),
        )
        writer = health["writer"]
        if not writer:
            return  # Redis is down: no figure of its to give
        yield _gauge("fieldops_writer_backlog", "Positions accepted, not yet stored", writer["backlog"])
        limit_help = "A shard's backlog at which ingest answers 503 to its people"
        yield _gauge("fieldops_writer_backlog_limit", limit_help, writer["backlog_limit"])
        yield _gauge("fieldops_writer_backlog_fullest_shard", "The fullest shard's backlog", writer["fullest_shard"])
        yield _gauge("fieldops_writer_lag_seconds", "Age of the oldest position not yet stored", writer["lag_s"])
        yield _gauge("fieldops_writers", "Writers with a heartbeat in Redis", len(writer["writers"]))
        yield _gauge(
            "fieldops_writer_set_aside",
            "Positions the writer set aside because PostgreSQL refuses them (`fieldops set-aside`)",
            writer["set_aside"],
        )
        if writer.get("data_lost_age_s") is not None:
            yield _gauge(
                "fieldops_redis_data_lost_age_seconds",
                "Seconds since the writer found Redis back without its data (accepted positions lost)",
                writer["data_lost_age_s"],
            )
        beat = GaugeMetricFamily(
            "fieldops_writer_heartbeat_age_seconds", "Seconds since each writer's last loop", labels=["writer"]
        )
        stored = CounterMetricFamily(
            "fieldops_writer_stored_rows", "Rows each writer stored since it started", labels=["writer"]
        )
        for each in writer["writers"]:
            beat.add_metric([each["name"]], each["heartbeat_age_s"])
            stored.add_metric([each["name"]], each["stored"])
        yield beat
        yield stored


@blueprint.get("/metrics")
def metrics() -> Response:
    health = CollectorRegistry()
    health.register(HealthCollector(runtime()))
    return Response(exposition(health), content_type=CONTENT_TYPE_LATEST)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
