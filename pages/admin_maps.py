"""Admin: the maps' tiles and coordinate system, and the filing numbers of the public pages (issue 19). Layout only."""

from __future__ import annotations

import dash
from dash import dcc, html

from dashboard.core.i18n import _
from dashboard.core.permissions import ADMIN_ROLES
from dashboard.web.components import field, page_frame
from dashboard.web.maps import system_options

dash.register_page(
    __name__, path="/admin/maps", name="Maps and filing", order=57, section="admin", roles=ADMIN_ROLES, id_prefix="maps"
)


def preset_options() -> list[dict]:
    return [
        {"label": _("As the server is configured (FIELDOPS_TILE_URL)"), "value": ""},
        {"label": _("OpenStreetMap (WGS-84)"), "value": "osm"},
        {"label": _("Tianditu 天地图 (WGS-84 / CGCS2000, needs a key)"), "value": "tianditu"},
        {"label": _("AMap 高德 (GCJ-02)"), "value": "amap"},
        {"label": _("Tencent 腾讯 (GCJ-02)"), "value": "tencent"},
        {"label": _("Our own tile server"), "value": "custom"},
        {"label": _("No tiles: our street lines only"), "value": "none"},
    ]


def layout(**_query: str) -> html.Div:
    return page_frame(
        _("Maps and filing"),
        html.P(
            _(
                "Positions, zones and customers are always stored in WGS-84. Maps of mainland China (AMap, Tencent) "
                "are drawn in GCJ-02, about 300 to 600 m away: FieldOps converts everything it draws to the system "
                "of the tiles chosen here, and what is drawn on the map back."
            ),
            className="text-muted",
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(_("Map tiles"), dcc.Dropdown(id="maps-preset", clearable=False, options=preset_options())),
                field(
                    _("Tianditu key (tk)"),
                    dcc.Input(
                        id="maps-key",
                        className="form-control",
                        maxLength=64,
                        autoComplete="off",
                        style={"width": "22rem"},
                    ),
                ),
            ],
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("Tile URL of our own server"),
                    dcc.Input(
                        id="maps-url", className="form-control", type="url", maxLength=500, style={"width": "32rem"}
                    ),
                ),
                field(
                    _("Its coordinate system"),
                    dcc.Dropdown(
                        id="maps-system",
                        clearable=False,
                        options=system_options(),
                    ),
                ),
            ],
        ),
        field(
            _("The provider offsets these regions too (mainland China always)"),
            dcc.Checklist(
                id="maps-regions",
                options=[
                    {"label": _("Hong Kong"), "value": "HK"},
                    {"label": _("Macao"), "value": "MO"},
                    {"label": _("Taiwan"), "value": "TW"},
                ],
                inline=True,
                inputClassName="me-1",
                labelClassName="me-3",
            ),
        ),
        html.P(id="maps-current", className="small text-muted mt-2"),
        html.Button(_("Save maps"), id="maps-save", className="btn btn-primary"),
        html.Div(id="maps-result"),
        html.H3(_("Filing numbers"), className="h5 mt-4"),
        html.P(
            _(
                "A site served in mainland China shows its ICP filing number (linked to beian.miit.gov.cn) and its "
                "public security filing number at the foot of its public pages: sign-in, survey and share links. "
                "Leave both empty elsewhere."
            ),
            className="text-muted",
        ),
        html.Div(
            className="fo-form-row",
            children=[
                field(
                    _("ICP filing number"),
                    dcc.Input(
                        id="maps-icp",
                        className="form-control",
                        maxLength=64,
                        placeholder="京ICP备12345678号-1",
                        style={"width": "18rem"},
                    ),
                ),
                field(
                    _("Public security filing number"),
                    dcc.Input(
                        id="maps-psb",
                        className="form-control",
                        maxLength=64,
                        placeholder="京公网安备11010502030143号",
                        style={"width": "18rem"},
                    ),
                ),
            ],
        ),
        html.Button(_("Save filing numbers"), id="maps-filing-save", className="btn btn-primary"),
        html.Div(id="maps-filing-result"),
        dcc.Store(id="maps-refresh", data=0),
        page_id="maps-page",
    )
