"""Heatmap callbacks: hexagons and the weekday x hour matrix for the filters; who is behind a hexagon."""

from __future__ import annotations

import h3
import plotly.graph_objects as go
from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from flask import g

from dashboard.analytics import efficiency as service
from dashboard.analytics.scales import SCALES, MeasureScale
from dashboard.core.i18n import _
from dashboard.core.inputs import BIGINT, mapping, text, whole_number, whole_number_in_text, whole_numbers
from dashboard.core.permissions import may_see_individuals
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame
from dashboard.web.charts import empty, figure
from dashboard.web.maps import scale_legend
from data import analytics, teams

FILTERS = (
    Input("heatmap-dates", "start_date"),
    Input("heatmap-dates", "end_date"),
    Input("heatmap-team", "value"),
    Input("heatmap-weekdays", "value"),
    Input("heatmap-hours", "value"),
)
BREAKDOWN_ROWS = 40
TABLE_ROWS = 25  # the hexagon table, the keyboard's way to a hexagon's details: the worst ones


def team_options(_id: object) -> tuple[list[dict], dict]:
    """The viewer's teams, and the demo city's street lines under the hexagons."""
    rt = runtime()
    options = [{"label": team["name"], "value": team["id"]} for team in teams.list_teams(rt.db, g.viewer.scope)]
    return options, rt.livemap.streets_geojson()


def _selection(start: object, end: object, team: object, weekdays: object, hours: object) -> dict:
    """The filters as the data layer takes them; whatever else the browser sent is dropped."""
    tz = runtime().settings.tz
    first, last = service.period(start, end, tz)
    days = [d for d in whole_numbers(weekdays) if 1 <= d <= 7]
    span = whole_numbers(hours)
    low, high = (span[0], span[1]) if len(span) == 2 else (0, 24)
    low, high = sorted((max(0, min(low, 24)), max(0, min(high, 24))))
    return {
        "scope": g.viewer.scope.narrowed_to_team(whole_number(team)),
        "start": first,
        "end": last,
        "tz": runtime().settings.timezone,
        "weekdays": days or None,
        "hours": list(range(low, high)) if (low, high) != (0, 24) and high > low else None,
    }


def heatmap_view(start: object, end: object, team: object, weekdays: object, hours: object, measure: object):
    measure = text(measure) if text(measure) in analytics.MEASURES else "idle_share"
    scale = SCALES[measure]
    selection = _selection(start, end, team, weekdays, hours)
    rt = runtime()
    db, frame = rt.db, map_frame(rt)
    cells = analytics.heatmap(db, min_tracked_s=service.MIN_CELL_TRACKED_S, **selection)
    geojson = frame.out_geojson(service.hexagon_geojson(cells, measure))  # the hexagons as the tiles draw them
    label = scale.label()
    matrix = _matrix(analytics.week_hour_matrix(db, **selection), scale)
    hours_total = sum(float(r["tracked_s"] or 0) for r in cells) / 3600
    summary = _("{cells} hexagons · {hours} tracked hours", cells=len(cells), hours=f"{hours_total:,.0f}")
    viewport: object = no_update
    if cells and ctx.triggered_id != "heatmap-measure":
        centres = frame.out_many(h3.cell_to_latlng(h3.int_to_str(int(r["cell"]))) for r in cells)
        lats, lons = [c[0] for c in centres], [c[1] for c in centres]
        viewport = {"bounds": [[min(lats), min(lons)], [max(lats), max(lons)]], "transition": "flyToBounds"}
    table = _cell_table(cells, scale, label)
    return geojson, scale_legend(scale, label), matrix, summary, viewport, table


def _cell_table(cells: list[dict], scale: MeasureScale, label: str) -> object:
    """The worst hexagons as a table with a button each that opens the same details as a click on the map."""
    measure = scale.key
    rated = [r for r in cells if r[measure] is not None]
    if not rated:
        return html.P(_("No analytics for these filters yet."), className="text-muted")
    worst = sorted(rated, key=lambda r: float(r[measure]), reverse=not scale.high_is_good)[:TABLE_ROWS]
    header = [_("Where"), label, _("Tracked hours"), _("Visits"), _("Details")]
    rows = []
    for row in worst:
        lat, lon = h3.cell_to_latlng(h3.int_to_str(int(row["cell"])))
        where = f"{lat:.4f}, {lon:.4f}"
        button = html.Button(
            _("Who and when"),
            id={"type": "heatmap-cell-button", "cell": str(row["cell"])},
            className="btn btn-sm btn-outline-primary",
            **{"aria-label": _("Who and when at {where}", where=where)},
        )
        rows.append(
            html.Tr(
                [
                    html.Th(where, scope="row"),
                    html.Td(scale.text(row[measure]), className="fo-num"),
                    html.Td(f"{float(row['tracked_s'] or 0) / 3600:.1f}", className="fo-num"),
                    html.Td(str(int(row["visits"] or 0)), className="fo-num"),
                    html.Td(button),
                ]
            )
        )
    return html.Table(
        [
            html.Caption(_("The {count} hexagons of the map with the worst values", count=len(worst))),
            html.Thead(
                html.Tr(
                    [html.Th(h, scope="col", className="fo-num" if 0 < n < 4 else None) for n, h in enumerate(header)]
                )
            ),
            html.Tbody(rows),
        ],
        className="table table-sm fo-table fo-report",
    )


def _matrix(rows: list[dict], scale: MeasureScale) -> go.Figure:
    """The measure by local weekday and hour in the map's colour bands, on its fixed scale."""
    title = _("{measure} by weekday and hour", measure=scale.label())
    if not rows:
        return empty(title, _("No analytics for these filters yet."))
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    z: list[list[float | None]] = [[None] * 24 for _day in range(7)]
    shown = [[""] * 24 for _day in range(7)]
    for row in rows:
        value = row[scale.key]
        z[row["weekday"] - 1][row["hour_of_day"]] = None if value is None else float(value)
        shown[row["weekday"] - 1][row["hour_of_day"]] = scale.text(value)
    bands = scale.colors
    fig = figure(title, height=300)
    fig.add_trace(
        go.Heatmap(
            z=z,
            x=list(range(24)),
            y=weekdays,
            customdata=shown,
            zmin=scale.low,
            zmax=scale.high,
            # Stepped like the map: each colour covers one equal band of the fixed domain.
            colorscale=[[(n + edge) / len(bands), color] for n, color in enumerate(bands) for edge in (0, 1)],
            colorbar={"thickness": 12, "tickvals": scale.tick_values(), "ticktext": scale.tick_texts()},
            hoverongaps=False,
            hovertemplate=f"%{{y}} %{{x}}:00 · {scale.short_label()} %{{customdata}}<extra></extra>",
        )
    )
    fig.update_xaxes(title=_("Hour of day"), dtick=2)
    fig.update_yaxes(autorange="reversed")
    return fig


def cell_details(
    click: object, _pressed: object, start: object, end: object, team: object, weekdays: object, hours: object
):
    """The employees and hours behind a hexagon clicked on the map or chosen in the table, each linking to
    that person's day."""
    chosen = ctx.triggered_id
    if isinstance(chosen, dict):
        if not ctx.triggered[0]["value"]:
            return no_update  # the table was drawn anew, nothing was pressed
        properties = {"cell": chosen.get("cell")}
    else:
        properties = mapping(mapping(click).get("properties"))
    cell = whole_number_in_text(properties.get("cell"), BIGINT)  # an H3 cell's 64-bit number
    if cell is None:
        return no_update
    selection = _selection(start, end, team, weekdays, hours)
    rt = runtime()
    thresholds = service.Thresholds.from_settings(rt.org_settings())
    rows = analytics.cell_breakdown(rt.db, cell=cell, limit=BREAKDOWN_ROWS, **selection)
    if not rows:
        return html.P(_("Nobody in your view was tracked here in this period."), className="text-muted")
    names_shown = may_see_individuals(g.viewer, rt.org_settings())
    items = []
    for row in rows:
        when = rt.local(row["hour"], "%Y-%m-%d %H:00")
        share = SCALES["idle_share"].text(row["idle_share"] or 0)
        reasons = thresholds.reasons(
            {
                "idle_share": row["idle_share"],
                "outside_share": (row["outside_s"] or 0) / row["tracked_s"] if row["tracked_s"] else None,
            }
        )
        flag = html.Span(_("low efficiency"), className="badge text-bg-warning ms-1") if reasons else None
        if names_shown:
            href = f"/analytics/day?employee={row['employee_id']}&date={row['day'].isoformat()}"
            who = html.A(row["employee_name"], href=href)
        else:
            who = html.Span(_("A person"))
        items.append(
            html.Li([who, f" · {when} · ", _("idle {share}", share=share), f" · {row['tracked_s'] / 60:.0f} min", flag])
        )
    return [
        html.H2(_("Who and when, worst idle share first"), className="h6", id="heatmap-details-title", tabIndex="-1"),
        html.Ul(items, className="fo-breakdown"),
    ]


def register(app: Dash) -> None:
    app.callback(Output("heatmap-team", "options"), Output("heatmap-streets", "data"), Input("heatmap-team", "id"))(
        team_options
    )
    app.callback(
        Output("heatmap-cells", "data"),
        Output("heatmap-legend", "children"),
        Output("heatmap-matrix", "figure"),
        Output("heatmap-summary", "children"),
        Output("heatmap-map", "viewport"),
        Output("heatmap-table", "children"),
        *FILTERS,
        Input("heatmap-measure", "value"),
    )(heatmap_view)
    app.callback(
        Output("heatmap-details", "children"),
        Input("heatmap-cells", "clickData"),
        Input({"type": "heatmap-cell-button", "cell": ALL}, "n_clicks"),
        *[State(i.component_id, i.component_property) for i in FILTERS],
        prevent_initial_call=True,
    )(cell_details)
    # A hexagon chosen in the table: the reading point moves to its details (issue 22).
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsAnalytics", function_name="focusDetails"),
        Output("heatmap-details", "className"),
        Input("heatmap-details", "children"),
        prevent_initial_call=True,
    )
