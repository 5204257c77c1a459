"""Heatmap colour scales (issue 15): one fixed domain per measure in its unit, the same on the map, the weekday ×
hour matrix, the report's map and the wall; a colour never depends on what else is on screen."""

from __future__ import annotations

import h3
import pytest

from callbacks.analytics_heatmap import _matrix
from dashboard.analytics.efficiency import hexagon_geojson
from dashboard.analytics.scales import NO_VALUE_COLOR, SCALES
from dashboard.core.palette import HEAT_COLORS
from data.analytics import MEASURES

CELL = h3.str_to_int(h3.latlng_to_cell(60.1699, 24.9384, 9))
OTHER_CELL = h3.str_to_int(h3.latlng_to_cell(60.1750, 24.9500, 9))


def _cell(cell: int, idle_share: float | None, tracked_h: float = 3.4, visits: int = 4) -> dict:
    return {"cell": cell, "idle_share": idle_share, "tracked_s": tracked_h * 3600, "visits": visits}


def test_every_heatmap_measure_has_a_fixed_scale_from_zero():
    for measure in MEASURES:
        scale = SCALES[measure]
        assert scale.low == 0 and scale.high > 0
    assert [SCALES[m].high for m in ("idle_share", "outside_share", "on_time_rate")] == [1.0, 1.0, 1.0]


def test_shares_read_in_percent_from_0_to_100():
    assert SCALES["idle_share"].tick_texts() == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    assert SCALES["idle_share"].text(0.123) == "12 %"


def test_open_ended_measures_say_their_top_is_clipped():
    assert SCALES["travel_visit_ratio"].tick_texts() == ["0.0", "1.0", "2.0", "3.0", "≥ 4.0"]
    assert SCALES["visits_per_hour"].tick_texts() == ["0.00", "0.25", "0.50", "0.75", "≥ 1.00"]
    assert SCALES["tracked_hours"].tick_texts() == ["0 h", "2 h", "4 h", "6 h", "≥ 8 h"]
    assert SCALES["travel_visit_ratio"].color(9.5) == SCALES["travel_visit_ratio"].color(4.0) == HEAT_COLORS[-1]


def test_no_share_is_ever_negative():
    scale = SCALES["idle_share"]
    assert scale.text(-0.004) == "0 %"
    assert scale.color(-0.4) == HEAT_COLORS[0]
    assert not [text for measure in MEASURES for text in SCALES[measure].tick_texts() if "-" in text]


def test_a_one_percent_idle_hexagon_is_pale_whatever_else_is_on_the_map():
    alone = hexagon_geojson([_cell(CELL, 0.01)], "idle_share")["features"][0]["properties"]
    beside_worse = hexagon_geojson([_cell(CELL, 0.01), _cell(OTHER_CELL, 0.9)], "idle_share")["features"]
    assert alone["color"] == beside_worse[0]["properties"]["color"] == HEAT_COLORS[0]
    assert beside_worse[1]["properties"]["color"] == HEAT_COLORS[-1]


def test_where_high_is_good_low_values_are_red():
    assert SCALES["visits_per_hour"].color(0.0) == HEAT_COLORS[-1]
    assert SCALES["on_time_rate"].color(1.0) == HEAT_COLORS[0]


def test_the_tooltip_names_the_measure_and_its_value():
    properties = hexagon_geojson([_cell(CELL, 0.12)], "idle_share")["features"][0]["properties"]
    assert properties["tooltip"] == "Idle share 12 % · 3.4 h tracked · 4 visits"
    empty = hexagon_geojson([_cell(CELL, None)], "idle_share")["features"][0]["properties"]
    assert empty["tooltip"].startswith("Idle share – · ") and empty["color"] == NO_VALUE_COLOR


@pytest.mark.parametrize("measure", MEASURES)
def test_the_weekday_hour_matrix_uses_the_maps_scale(measure):
    rows = [{"weekday": 1, "hour_of_day": 9, measure: 0.01}, {"weekday": 2, "hour_of_day": 10, measure: 0.02}]
    trace = _matrix(rows, SCALES[measure]).data[0]
    scale = SCALES[measure]
    assert (trace.zmin, trace.zmax) == (0, scale.high)
    assert list(trace.colorbar.ticktext) == scale.tick_texts()
    assert [color for _edge, color in trace.colorscale][::2] == scale.colors
    assert trace.customdata[0][9] == scale.text(0.01)
