"""Health that tells the truth (docs/OPERATIONS.md).

GET /healthz  liveness: 200 whenever this process answers, with the report below ("status" says
              "degraded" and "reasons" say why when it is not ready). Load balancers and process
              supervisors: a web process that answers can still take fixes into Redis while
              PostgreSQL is down, and restarting it would mend nothing.
GET /readyz   readiness: the same report, 503 while degraded. Monitoring alerts on this.

The report names each dependency (PostgreSQL, Redis, Redis's persistence), the writers' heartbeats,
the backlog against its limit and the lag. Degraded: a dependency is down; Redis could lose accepted
positions and nobody accepted that; positions wait while no writer beats, or while none was stored
for STALLED_S; the backlog is at BACKLOG_HIGH of its limit (ingest is about to answer 503); the
oldest waiting position is older than LAG_LIMIT_S.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import redis
from flask import Blueprint, Response, jsonify

from dashboard.core.durability import DURABLE, UNKNOWN, Verdict, check_redis
from dashboard.core.runtime import Runtime, runtime

blueprint = Blueprint("health", __name__)

HEARTBEAT_STALE_S = 30.0  # a writer beats every loop (≤ 1 s idle, one batch busy)
STALLED_S = 30.0  # positions wait and no writer stored a batch for this long
LAG_LIMIT_S = 300.0  # the oldest waiting position is 5 min old: history and visits are that late
BACKLOG_HIGH = 0.9  # of FIELDOPS_MAX_BACKLOG; at the limit ingest answers 503
DATA_LOSS_WARNING_S = 24 * 3600  # how long a Redis that came back empty is reported


@dataclass(frozen=True)
class WriterFigures:
    """What Redis says of the writers at one moment."""

    backlog: int  # over every shard
    backlog_limit: int  # per shard
    lag_s: float
    heartbeat_age_s: float | None  # the freshest writer's; None when no writer beats
    progress_age_s: float | None  # since the last batch any writer stored (or since it started)
    fullest: int = 0  # the fullest shard's backlog: ingest refuses its people at the limit


def degraded_reasons(postgres: str, redis: str, persistence: Verdict | None, writer: WriterFigures | None) -> list[str]:
    """Why this installation is not ready, in words; empty when it is."""
    reasons = [f"{name}: {state}" for name, state in (("postgres", postgres), ("redis", redis)) if state != "ok"]
    if persistence is not None and persistence.loses_positions:
        reasons.append(f"redis persistence: {persistence.reason}")
    if writer is None:
        return reasons
    if writer.backlog:
        if writer.heartbeat_age_s is None or writer.heartbeat_age_s > HEARTBEAT_STALE_S:
            silent = "ever" if writer.heartbeat_age_s is None else f"for {writer.heartbeat_age_s:.0f} s"
            reasons.append(f"writer: no heartbeat {silent} while {writer.backlog:,} positions wait")
        elif writer.progress_age_s is not None and writer.progress_age_s > STALLED_S:
            reasons.append(f"writer: nothing stored for {writer.progress_age_s:.0f} s while {writer.backlog:,} wait")
    if writer.fullest >= BACKLOG_HIGH * writer.backlog_limit:
        reasons.append(f"backlog: {writer.fullest:,} of {writer.backlog_limit:,} (ingest refuses at the limit)")
    if writer.lag_s > LAG_LIMIT_S:
        reasons.append(f"lag: the oldest waiting position is {writer.lag_s:.0f} s old")
    return reasons


def writer_figures(
    backlog: int, limit: int, lag_s: float, heartbeats: dict[str, dict], now_ms: int, fullest: int | None = None
) -> WriterFigures:
    beats = [beat["at_ms"] for beat in heartbeats.values()]
    progress = [beat["batch_ms"] or beat["since_ms"] for beat in heartbeats.values()]
    return WriterFigures(
        backlog=backlog,
        backlog_limit=limit,
        lag_s=lag_s,
        heartbeat_age_s=max(0.0, (now_ms - max(beats)) / 1000) if beats else None,
        progress_age_s=max(0.0, (now_ms - max(progress)) / 1000) if progress else None,
        fullest=backlog if fullest is None else fullest,
    )


def report(rt: Runtime) -> dict:
    """The health report /healthz and /readyz answer."""
    postgres, redis_state = _state(rt.db.ping), _state(rt.feed.client.ping)
    persistence: Verdict | None = None
    figures: WriterFigures | None = None
    writer: dict[str, object] = {}
    lost_at_ms: int | None = None
    if redis_state == "ok":
        try:
            persistence = check_redis(rt.feed.client, rt.settings.accept_volatile_redis)
            heartbeats = rt.feed.heartbeats()
            backlogs, lag_s = rt.feed.shard_backlogs(), rt.feed.writer_lag_s()
            lost_at_ms = rt.feed.data_lost_at_ms()
            set_aside = rt.feed.set_aside_count()
        except redis.RedisError as exc:  # went down between the ping and these reads
            redis_state, persistence = f"down: {type(exc).__name__}", None
        else:
            now_ms = int(time.time() * 1000)
            backlog = sum(backlogs)
            figures = writer_figures(backlog, rt.settings.max_backlog, lag_s, heartbeats, now_ms, max(backlogs))
            writer = _writer_section(figures, heartbeats, now_ms)
            writer["set_aside"] = set_aside
            if lost_at_ms is not None:
                writer["data_lost_age_s"] = _rounded((now_ms - lost_at_ms) / 1000)
    reasons = degraded_reasons(postgres, redis_state, persistence, figures)
    warnings = []
    if persistence is not None and persistence.state != DURABLE and not persistence.loses_positions:
        accepted = " (accepted by FIELDOPS_ACCEPT_VOLATILE_REDIS)" if persistence.accepted else ""
        warnings.append(f"redis persistence {persistence.state}: {persistence.reason}{accepted}")
    if writer.get("set_aside"):
        warnings.append(
            f"writer: {writer['set_aside']:,} positions set aside because PostgreSQL refuses them"
            " (`fieldops set-aside` lists them and sends them again)"
        )
    lost_age_s = writer.get("data_lost_age_s")
    if isinstance(lost_age_s, float) and lost_age_s < DATA_LOSS_WARNING_S:
        warnings.append(
            f"redis came back without its data {lost_age_s:.0f} s ago: positions accepted before then"
            " and not yet stored were lost"
        )
    return {
        "status": "degraded" if reasons else "ok",
        "ready": not reasons,
        "reasons": reasons,
        "warnings": warnings,
        "postgres": postgres,
        "redis": redis_state,
        "redis_persistence": (persistence or Verdict(UNKNOWN, "Redis is down")).as_dict(),
        "writer": writer,
    }


def _writer_section(figures: WriterFigures, heartbeats: dict[str, dict], now_ms: int) -> dict[str, object]:
    return {
        "backlog": figures.backlog,
        "lag_s": round(figures.lag_s, 3),
        "backlog_limit": figures.backlog_limit,
        "fullest_shard": figures.fullest,
        "heartbeat_age_s": _rounded(figures.heartbeat_age_s),
        "progress_age_s": _rounded(figures.progress_age_s),
        "writers": [
            {
                "name": name,
                "heartbeat_age_s": _rounded((now_ms - beat["at_ms"]) / 1000),
                "last_batch_age_s": _rounded(beat["batch_ms"] and (now_ms - beat["batch_ms"]) / 1000),
                "stored": beat["stored"],
            }
            for name, beat in sorted(heartbeats.items())
        ],
    }


@blueprint.get("/healthz")
def healthz() -> Response:
    """Liveness: this process answers. The body is the full report, its status truthful."""
    return jsonify(report(runtime()))


@blueprint.get("/readyz")
def readyz() -> Response:
    """Readiness: 503 with the reasons while degraded."""
    body = report(runtime())
    response = jsonify(body)
    response.status_code = 200 if body["ready"] else 503
    return response


def _state(probe) -> str:
    try:
        probe()
    except Exception as exc:  # any failure of a probe means "down", with its kind named
        return f"down: {type(exc).__name__}"
    return "ok"


def _rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(max(0.0, seconds), 1)
