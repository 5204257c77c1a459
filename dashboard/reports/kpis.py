"""The report's key figures, each against the previous period and, where the organisation set one, its target.

Every value is a figure of dashboard/analytics/metrics.py, so the report says what the pages say.
"""

from __future__ import annotations

from dashboard.analytics.metrics import FIGURE

# (figure, org_settings target, how a change reads): "up" is good news, "down" is, or "neutral".
KPIS = (
    ("staff", None, "up"),
    ("visits", None, "up"),
    ("visits_per_person_day", "analytics.target_visits_per_day", "up"),
    ("tasks_done", None, "up"),
    ("on_time_rate", "analytics.target_on_time_rate", "up"),
    ("overdue_tasks", None, "down"),
    ("satisfaction", "analytics.target_satisfaction", "up"),
    ("tracked_hours", None, "up"),
    ("visit_share", "analytics.target_visit_share", "up"),
    ("km_per_person_day", None, "neutral"),  # more kilometres is neither better nor worse by itself
    ("idle_share", None, "down"),
)


def _shown(key: str, value: object) -> float | None:
    """Shares in per cent, as the report prints them."""
    if value is None:
        return None
    return 100.0 * float(value) if FIGURE[key].unit == "share" else value


def kpi_list(current: dict, previous: dict, targets: dict, lang: str) -> list:
    """KPIs with the previous period's value and, where the organisation set one, the target."""
    found = []
    for key, target_key, better in KPIS:
        figure = FIGURE[key]
        share = figure.unit == "share"
        target = targets.get(target_key) if target_key else None
        kpi = {
            "key": key,
            "label": figure.label(lang) + (" (%)" if share else ""),
            "value": _shown(key, current[key]),
            "previous": _shown(key, previous[key]),
            "digits": figure.digits,
        }
        if target is not None:
            kpi["target"] = round(100 * float(target)) if share else target
        if better == "down":
            kpi["lower_is_better"] = True
        elif better == "neutral":
            kpi["neutral"] = True
        found.append(kpi)
    return found
