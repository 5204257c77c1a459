"""Organisation settings: privacy.off_hours, privacy.retention_days, privacy.executive_sees_individuals."""

from __future__ import annotations

import orjson

from data.db import Database

DEFAULTS: dict[str, object] = {
    "privacy.off_hours": "drop",
    "privacy.retention_days": 90,
    "privacy.executive_sees_individuals": False,
    # Issue 8: the wall display's rotation and the targets reports compare KPIs with.
    "wall.cycle_s": 20,
    "report.target_visits_per_day": 5,
    "report.target_on_time_pct": 90,
    "report.target_satisfaction": 4.2,
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
