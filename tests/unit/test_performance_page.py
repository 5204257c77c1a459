"""The performance page's table and teams chart as a person reads them (issue 16): every ranking column has its
header, the grid's row ids are strings (AG Grid's warning #25), the teams chart's share axis steps by 20 %."""

from pathlib import Path

import pytest
from dash import Dash

from dashboard.core.i18n import chart_day_format

ROOT = Path(__file__).resolve().parents[2]

TEAM = {
    "team_name": "North",
    "visits_per_person_day": 6.2,
    "on_time_rate": 0.81,
    "idle_share": 0.07,
}
TARGETS = {"visits_per_day": 6, "on_time_rate": 0.8, "km_per_day": 60, "visit_share": 0.5, "satisfaction": 4}


@pytest.fixture(scope="module")
def performance():
    """The page and its callbacks, imported once the pages are registered, as the app does."""
    Dash(__name__, use_pages=True, pages_folder=str(ROOT / "pages"))
    from callbacks import analytics_performance as callbacks
    from pages import analytics_performance as page

    return page, callbacks


def test_every_ranking_column_has_a_header_beside_its_filter(performance):
    columns = performance[0].ranking_columns()
    assert all(column["headerName"].strip() for column in columns)
    assert not [column["field"] for column in columns if column.get("type") == "numericColumn"]  # header far right


def test_the_teams_chart_shares_step_by_twenty_per_cent_side_by_side(performance):
    figure = performance[1]._teams_figure([TEAM, {**TEAM, "team_name": "South"}], TARGETS)
    axis = figure.layout.yaxis2
    assert (axis.tickmode, axis.tick0, axis.dtick, tuple(axis.range)) == ("linear", 0, 20, (0, 100))
    assert len({bar.offsetgroup for bar in figure.data}) == len(figure.data) == 3  # no bar drawn over another


def test_a_day_axis_reads_in_each_language():
    assert chart_day_format("en") == "%d %b"
    assert chart_day_format("zh-CN") == "%-m月%-d日"
