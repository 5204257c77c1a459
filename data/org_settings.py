"""Organisation settings: privacy.off_hours, privacy.retention_days, privacy.executive_sees_individuals,
the analytics thresholds and targets, a new task's expected minutes, the wall's cycle and how far ahead visits are
planned."""

from __future__ import annotations

import orjson

from data.db import Database

DEFAULTS: dict[str, object] = {
    "privacy.off_hours": "drop",
    "privacy.retention_days": 90,
    "privacy.executive_sees_individuals": False,
    "webhooks.allow_private_targets": False,  # issue 9: webhook URLs on private/loopback addresses
    # Analytics (issue 5, docs/EFFICIENCY.md): when an hour counts as low efficiency, and the targets.
    "analytics.low_idle_share": 0.25,
    "analytics.low_travel_visit_ratio": 2.0,
    "analytics.low_visits_per_hour": 0.5,
    "analytics.low_outside_share": 0.25,
    "analytics.target_visits_per_day": 6,
    "analytics.target_on_time_rate": 0.8,
    "analytics.target_km_per_day": 60,
    "analytics.target_visit_share": 0.5,
    "analytics.target_satisfaction": 4.0,
    "tasks.default_duration_min": 30,  # issue 16: a new task's expected minutes, and a CSV line's without them
    "wall.cycle_s": 20,  # issue 8: seconds each wall display panel shows
    # Issue 19 (docs/CHINA.md): maps, consent, filing numbers, check-in trust.
    "maps.preset": "",  # empty: FIELDOPS_TILE_URL decides; else one of dashboard.geo.tiles.PRESETS
    "maps.tile_key": "",  # Tianditu's tk
    "maps.custom_url": "",
    "maps.custom_system": "wgs84",
    "maps.offset_regions": [],  # of HK, MO, TW: where the provider offsets too (mainland China always)
    "privacy.legal_basis": "consent",  # consent (PIPL art. 29, GDPR art. 6(1)(a)) or notice (a lawful basis)
    "filing.icp": "",  # ICP备案号, e.g. 京ICP备12345678号-1
    "filing.public_security": "",  # 公安备案号, e.g. 京公网安备11010502030143号
    "trust.enabled": True,  # score check-ins and shared positions 0-100 (off where a works council says so)
    "plans.horizon_days": 14,  # issue 21 (docs/PLANS.md): how many days ahead the daily run plans visits
}
OFF_HOURS_POLICIES = ("drop", "coarse")


def all_settings(db: Database) -> dict[str, object]:
    stored = {row["key"]: row["value"] for row in db.fetch_all("SELECT key, value FROM org_settings")}
    return {**DEFAULTS, **stored}


def set_setting(db: Database, key: str, value: object, user_id: int | None) -> None:
    if key not in DEFAULTS:
        raise ValueError(f"unknown setting {key!r}")
    db.execute(
        """INSERT INTO org_settings (key, value, updated_by) VALUES (%s, %s, %s)
           ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_by = EXCLUDED.updated_by,
                                           updated_at = now()""",
        (key, orjson.dumps(value).decode(), user_id),
    )
