"""The one colour scale of each heatmap measure: a fixed domain in the measure's unit, so a colour means the
same value on every map, matrix, report and wall, whatever else is on screen.

Shares run 0–100 %. The open-ended measures run from 0 to twice their low-efficiency threshold's default
(docs/EFFICIENCY.md), which puts the threshold mid-scale; a value above the top takes the top colour and the
legend's last tick says "≥". Tracked hours (the wall's today layer, the report's map) are hours per day.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core.i18n import _
from dashboard.core.palette import GREY, HEAT_COLORS

NO_VALUE_COLOR = GREY


@dataclass(frozen=True)
class MeasureScale:
    """A measure's fixed colour domain [low, high] (values outside are clipped) and how its values read."""

    key: str
    unit: str  # share (shown in %) | number | hours | days (whole days: coverage's days since a visit)
    high: float
    high_is_good: bool = False
    ticks: int = 5  # legend ticks, evenly spaced from 0 to high; they fall on colour-band edges

    low = 0.0  # every measure is a share, a ratio, a rate or a duration: none goes below zero

    @property
    def colors(self) -> list[str]:
        """From the low end to the high end: worse (or, for hours, more) is always redder."""
        return HEAT_COLORS[::-1] if self.high_is_good else list(HEAT_COLORS)

    def fraction(self, value: float) -> float:
        """Where `value` lies on the scale, 0..1; beyond either end is the end."""
        return min(1.0, max(0.0, (float(value) - self.low) / (self.high - self.low)))

    def color(self, value: float | None) -> str:
        """The colour band of `value` (NO_VALUE_COLOR without one): equal bands across [low, high]."""
        if value is None:
            return NO_VALUE_COLOR
        colors = self.colors
        return colors[min(len(colors) - 1, int(self.fraction(value) * len(colors)))]

    def tick_values(self) -> list[float]:
        step = (self.high - self.low) / (self.ticks - 1)
        return [self.low + n * step for n in range(self.ticks)]

    def text(self, value: float | None) -> str:
        """A value in the measure's unit: '12 %', '1.4', '0.50', '3.4 h'; '–' without one."""
        if value is None:
            return "–"
        value = max(self.low, float(value))  # the measures are never negative; a rounding -0 is not shown
        if self.unit == "share":
            return f"{100 * value:.0f} %"
        if self.unit == "hours":
            return f"{value:.1f} h"
        if self.unit == "days":
            return f"{value:.0f}"
        return f"{value:.2f}" if self.high < 2 else f"{value:.1f}"

    def tick_texts(self) -> list[str]:
        """The legend's labels: the unit on each, and "≥" on the top one of an open-ended measure."""
        texts = []
        for value in self.tick_values():
            if self.unit == "share":
                texts.append(f"{100 * value:.0f} %")
            elif self.unit == "hours":
                texts.append(f"{value:.0f} h")
            else:
                texts.append(self.text(value))
        if self.unit != "share":
            texts[-1] = f"≥ {texts[-1]}"
        return texts

    def label(self, language: str | None = None) -> str:
        return scale_labels(language)[self.key]

    def short_label(self, language: str | None = None) -> str:
        return short_labels(language)[self.key]


SCALES = {
    scale.key: scale
    for scale in (
        MeasureScale("idle_share", "share", 1.0),
        MeasureScale("travel_visit_ratio", "number", 4.0),  # 2 × analytics.low_travel_visit_ratio (2.0)
        MeasureScale("visits_per_hour", "number", 1.0, high_is_good=True),  # 2 × low_visits_per_hour (0.5)
        MeasureScale("outside_share", "share", 1.0),
        MeasureScale("on_time_rate", "share", 1.0, high_is_good=True),
        MeasureScale("tracked_hours", "hours", 8.0),  # per hexagon per day: one working day tops it
    )
}


def scale_labels(language: str | None = None) -> dict[str, str]:
    """Each measure's full name, as the heatmap's measure menu and legends show it."""
    return {
        "idle_share": _("Idle share (away from customers)", language),
        "travel_visit_ratio": _("Travel time per visit time", language),
        "visits_per_hour": _("Visits per hour", language),
        "outside_share": _("Share outside work areas", language),
        "on_time_rate": _("On-time visits", language),
        "tracked_hours": _("Hours tracked per hexagon per day", language),
    }


def short_labels(language: str | None = None) -> dict[str, str]:
    """Each measure's name in a tooltip or a colour bar, beside its value."""
    return {
        "idle_share": _("Idle share", language),
        "travel_visit_ratio": _("Travel per visit time", language),
        "visits_per_hour": _("Visits per hour", language),
        "outside_share": _("Outside work areas", language),
        "on_time_rate": _("On time", language),
        "tracked_hours": _("Hours tracked", language),
    }
