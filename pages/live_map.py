"""The live map: every employee's latest position, zones and customers. Layout only; no data."""

from __future__ import annotations

import dash
import dash_ag_grid as dag
import dash_leaflet as dl
from dash import dcc, html

from dashboard.core.i18n import _, current_language
from dashboard.core.palette import STATE_SHAPES
from dashboard.core.permissions import LIVE_MAP_ROLES
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_tiles
from dashboard.live.presence import COUNTS
from dashboard.web.components import state_dot
from dashboard.web.maps import HELSINKI, base_layers, js

dash.register_page(
    __name__,
    path="/",
    name="Live map",
    title="FieldOps",
    order=0,
    roles=LIVE_MAP_ROLES,
    id_prefix="livemap",
    individual_positions=True,
)

# The alerts' version is read this often (one Redis GET): an alert raised shows within about a second.
ALERTS_POLL_MS = 1000
# online's three activities, then the rest
BADGES = ("moving", "visit", "idle", "offline", "consent_withdrawn", "paused", "no_position")


def state_labels() -> dict[str, str]:
    """Every person's state in words, for the toolbar and the people list (dashboard/live/presence.py)."""
    return {
        "online": _("Online"),
        "moving": _("Moving"),
        "visit": _("On a visit"),
        "idle": _("Idle"),
        "offline": _("Offline"),
        "consent_withdrawn": _("Consent withdrawn"),
        "paused": _("Paused"),
        "no_position": _("No position yet"),
    }


def _count_badge(state: str, label: str) -> html.Span:
    return html.Span(
        [state_dot(state), f"{label} ", html.B("0", id=f"livemap-count-{state}")],
        className="fo-count",
        id=f"livemap-badge-{state}",
    )


def _map() -> dl.Map:
    layers: list = [
        *base_layers(map_tiles(runtime()), "livemap-streets"),
        dl.GeoJSON(id="livemap-zones", style=js("zoneStyle"), pointToLayer=js("zonePoint"), interactive=False),
        dl.GeoJSON(id="livemap-customers", pointToLayer=js("customerPoint"), onEachFeature=js("nameTooltip")),
        dl.GeoJSON(
            id="livemap-fleet",
            pointToLayer=js("fleetPoint"),
            clusterToLayer=js("fleetCluster"),
            cluster=True,
            zoomToBoundsOnClick=True,
            superClusterOptions={"radius": 45, "maxZoom": 15},
        ),
        # Issue 17: a badge on the marker of each person with an open warning or critical alert (assets/livemap.js).
        dl.GeoJSON(id="livemap-alert-badges", pointToLayer=js("alertBadge")),
        dl.ScaleControl(position="bottomleft", imperial=False),
    ]
    return dl.Map(id="livemap-map", center=HELSINKI, zoom=14, preferCanvas=True, children=layers, className="fo-map")


def _people_grid() -> dag.AgGrid:
    """Everyone in view as Traccar's device list: name with code, team, state, last report; sortable. Rows come
    from the browser's copy of the fleet (assets/livemap_people.js), so they follow every refresh in place."""
    columns = [
        {
            "field": "name",
            "headerName": _("Person"),
            "flex": 1,
            "minWidth": 110,
            "sort": "asc",
            "cellRenderer": "PersonName",  # the code under the name, always: two people may share a name
            "cellClass": "fo-person-cell",
            "tooltipValueGetter": {"function": "params.data.name + ' · ' + params.data.code"},
        },
        {"field": "team", "headerName": _("Team"), "width": 66},
        {"field": "rank", "headerName": _("State"), "width": 112, "cellRenderer": "PersonState"},
        {
            "field": "last",
            "headerName": _("Last report"),
            "width": 94,
            "valueFormatter": {"function": "params.data.last_text"},
            "sortingOrder": ["desc", "asc", None],
        },
    ]
    return dag.AgGrid(
        id="livemap-people",
        columnDefs=columns,
        rowData=[],
        getRowId="params.data.key",
        defaultColDef={"sortable": True, "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        dashGridOptions={
            "animateRows": False,
            "rowHeight": 40,
            "localeText": {"noRowsToShow": _("Nobody matches.")},
            "rowClassRules": {"fo-row-chosen": "params.data.chosen"},
            "tooltipShowDelay": 300,
        },
        className="fo-grid fo-people-grid",
        style={"height": "100%"},
    )


def layout(**_query: str) -> html.Div:
    labels = state_labels()
    return html.Div(
        className="fo-livemap",
        children=[
            html.Div(
                className="fo-toolbar",
                children=[
                    html.Label(_("Team"), htmlFor="livemap-team", className="fo-label"),
                    dcc.Dropdown(id="livemap-team", placeholder=_("All teams"), clearable=True, className="fo-team"),
                    html.Label(_("Find"), htmlFor="livemap-search", className="fo-label"),
                    dcc.Input(
                        id="livemap-search",
                        type="search",
                        placeholder=_("Name or code"),
                        autoComplete="off",
                        debounce=False,
                        className="fo-search",
                    ),
                    html.Div(
                        [
                            html.Span([_("Staff"), " ", html.B("0", id="livemap-count-total")], className="fo-count"),
                            html.Span(
                                [labels["online"], " ", html.B("0", id="livemap-count-online")],
                                className="fo-count",
                                id="livemap-badge-online",
                            ),
                            *[_count_badge(state, labels[state]) for state in BADGES],
                        ],
                        className="fo-counts",
                        role="group",
                        **{"aria-label": _("People by state")},
                    ),
                    html.Span(id="livemap-updated", className="fo-updated"),
                ],
            ),
            html.Div(
                id="livemap-alerts",
                className="fo-livemap-alerts",
                role="region",
                **{"aria-label": _("Alerts"), "aria-live": "polite"},
            ),
            html.Div(
                className="fo-map-row",
                children=[
                    _map(),
                    html.Aside(
                        id="livemap-side",
                        className="fo-details fo-livemap-side",
                        **{"aria-label": _("People and details")},
                        children=[
                            html.Div(
                                className="fo-side-head",
                                children=[
                                    html.H2(_("People"), className="h6 mb-0", id="livemap-people-title"),
                                    html.Button(
                                        "⟩",
                                        id="livemap-fold",
                                        type="button",
                                        className="btn btn-sm btn-light fo-fold",
                                        title=_("Hide the list"),
                                        **{
                                            "aria-controls": "livemap-side-body",
                                            "aria-expanded": "true",
                                            "aria-label": _("Hide the list"),
                                            "data-hide": _("Hide the list"),
                                            "data-show": _("Show the list"),
                                        },
                                    ),
                                ],
                            ),
                            html.Div(
                                id="livemap-side-body",
                                className="fo-side-body",
                                children=[
                                    html.Div(_people_grid(), className="fo-people"),
                                    html.Div(
                                        dcc.Checklist(
                                            id="livemap-follow",
                                            options=[{"label": _("Follow on the map"), "value": "follow"}],
                                            value=[],
                                            inputClassName="form-check-input me-2",
                                            labelClassName="form-check-label",
                                        ),
                                        id="livemap-follow-box",
                                        className="fo-follow",
                                        hidden=True,
                                    ),
                                    html.Div(
                                        id="livemap-details",
                                        children=html.P(
                                            _("Choose a person on the map or in the list for details."),
                                            className="text-muted",
                                        ),
                                    ),
                                ],
                            ),
                            html.Div(id="livemap-announce", className="visually-hidden", role="status"),
                        ],
                    ),
                ],
            ),
            dcc.Interval(id="livemap-tick", interval=runtime().settings.map_refresh_ms),
            dcc.Interval(id="livemap-details-tick", interval=10_000),
            dcc.Interval(id="livemap-alerts-tick", interval=ALERTS_POLL_MS),
            dcc.Store(id="livemap-feed"),
            dcc.Store(id="livemap-cursor"),
            dcc.Store(id="livemap-selected"),
            dcc.Store(id="livemap-names"),
            dcc.Store(id="livemap-roster"),
            dcc.Store(id="livemap-picked"),
            dcc.Store(id="livemap-followed"),
            dcc.Store(id="livemap-follow-at"),
            dcc.Store(id="livemap-alert-action"),
            dcc.Store(id="livemap-alert-done"),
            dcc.Store(id="livemap-alerts-shown"),
            dcc.Store(id="livemap-alert-people"),
            dcc.Store(
                id="livemap-labels",
                data={
                    **labels,
                    "shapes": STATE_SHAPES,
                    "order": list(BADGES),  # the people list sorts by state in this order
                    "counters": list(COUNTS),
                    "chosen": _("Details of {name}"),
                    "updated": _("Updated"),
                    "ago_s": _("{n} s ago"),
                    "ago_min": _("{n} min ago"),
                    "timezone": runtime().settings.timezone,
                    "locale": current_language(),
                },
            ),
        ],
    )
