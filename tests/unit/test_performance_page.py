"""The performance page's teams chart as a person reads it (issue 16): the share axis steps by 20 %, the bars of
its two axes side by side; a day axis per language. (Its ranking's headers: tests/browser/test_screens.py.)"""

from callbacks.analytics_performance import _teams_figure
from dashboard.core.i18n import chart_day_format

TEAM = {
    "team_name": "North",
    "visits_per_person_day": 6.2,
    "on_time_rate": 0.81,
    "idle_share": 0.07,
}
TARGETS = {"visits_per_day": 6, "on_time_rate": 0.8, "km_per_day": 60, "visit_share": 0.5, "satisfaction": 4}


def test_the_teams_chart_shares_step_by_twenty_per_cent_side_by_side():
    figure = _teams_figure([TEAM, {**TEAM, "team_name": "South"}], TARGETS)
    axis = figure.layout.yaxis2
    assert (axis.tickmode, axis.tick0, axis.dtick, tuple(axis.range)) == ("linear", 0, 20, (0, 100))
    assert len({bar.offsetgroup for bar in figure.data}) == len(figure.data) == 3  # no bar drawn over another


def test_a_day_axis_reads_in_each_language():
    assert chart_day_format("en") == "%d %b"
    assert chart_day_format("zh-CN") == "%-m月%-d日"
