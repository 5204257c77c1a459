"""The report's key figures, each against the previous period and, where the organisation set one, its target."""

from __future__ import annotations

from datetime import timedelta

from dashboard.core.i18n import _
from dashboard.reports.model import Period


def _share(part: float, whole: float) -> float | None:
    return None if not whole else part / whole


def _working_days(period: Period) -> int:
    return sum(1 for n in range(period.days) if (period.first_day + timedelta(days=n)).weekday() < 5) or 1


def _percent(rate: object) -> float | None:
    return None if rate is None else round(100.0 * float(rate))


def kpi_list(current: dict, previous: dict, period: Period, previous_period: Period, targets: dict, lang: str) -> list:
    """KPIs with the previous period's value and, where the organisation set one, the target."""

    def per_person_day(totals: dict, p: Period) -> float | None:
        return _share(totals["visits"], totals["staff"] * _working_days(p))

    return [
        {"key": "staff", "label": _("Active staff", lang), "value": current["staff"], "previous": previous["staff"]},
        {"key": "visits", "label": _("Visits", lang), "value": current["visits"], "previous": previous["visits"]},
        {
            "key": "visits_per_day",
            "label": _("Visits per person per working day", lang),
            "value": per_person_day(current, period),
            "previous": per_person_day(previous, previous_period),
            "target": targets.get("analytics.target_visits_per_day"),
            "digits": 1,
        },
        {"key": "done", "label": _("Tasks done", lang), "value": current["done"], "previous": previous["done"]},
        {
            "key": "on_time_pct",
            "label": _("On time (%)", lang),
            "value": current["on_time_pct"],
            "previous": previous["on_time_pct"],
            "target": _percent(targets.get("analytics.target_on_time_rate")),
            "digits": 0,
        },
        {
            "key": "overdue",
            "label": _("Overdue tasks", lang),
            "value": current["overdue"],
            "previous": previous["overdue"],
            "lower_is_better": True,
        },
        {
            "key": "satisfaction",
            "label": _("Average satisfaction (1–5)", lang),
            "value": current["satisfaction"],
            "previous": previous["satisfaction"],
            "target": targets.get("analytics.target_satisfaction"),
            "digits": 2,
        },
        {
            "key": "tracked_h",
            "label": _("Hours tracked", lang),
            "value": current["tracked_h"],
            "previous": previous["tracked_h"],
            "digits": 0,
        },
        {
            "key": "on_visits_pct",
            "label": _("Tracked time on customer sites (%)", lang),
            "value": current["on_visits_pct"],
            "previous": previous["on_visits_pct"],
            "target": _percent(targets.get("analytics.target_visit_share")),
            "digits": 0,
        },
        {
            "key": "km_per_day",
            "label": _("Kilometres per person per day", lang),
            "value": current["km_per_day"],
            "previous": previous["km_per_day"],
            "digits": 0,
            "neutral": True,  # more kilometres is neither better nor worse by itself
        },
        {
            "key": "idle_pct",
            "label": _("Idle share of tracked time (%)", lang),
            "value": current["idle_pct"],
            "previous": previous["idle_pct"],
            "digits": 0,
            "lower_is_better": True,
        },
    ]
