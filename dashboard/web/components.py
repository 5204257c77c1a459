"""Small builders for the pieces pages share: a page frame, a grid, a labelled field, a result line."""

from __future__ import annotations

from datetime import date

import dash_ag_grid as dag
from dash import ClientsideFunction, Input, Output, State, dcc, html

from dashboard.core.i18n import _
from dashboard.core.palette import STATE_SHAPES
from dashboard.core.runtime import runtime
from dashboard.ingest.privacy import SharingState
from dashboard.reports.schedule import weekday_names
from dashboard.work import alerting, trust
from dashboard.work.phone import qr_svg


def page_frame(title: str, *children, page_id: str) -> html.Div:
    return html.Div([html.H2(title), *children], className="fo-page", id=page_id)


def row_id(field: str) -> str:
    """A grid's getRowId: the row's `field` as a string, as AG Grid requires (its warning #25 for a number); by
    concatenation, as dash-ag-grid's expressions may not call String()."""
    return f"'' + params.data.{field}"


def grid_texts() -> dict[str, str]:
    """AG Grid's own words (its empty grid, its filter menu) in the viewer's language: dashGridOptions' localeText."""
    return {
        "noRowsToShow": _("Nothing to show"),
        "loadingOoo": _("Loading…"),
        "filterOoo": _("Filter…"),
        "contains": _("Contains"),
        "notContains": _("Does not contain"),
        "equals": _("Equals"),
        "notEqual": _("Does not equal"),
        "startsWith": _("Begins with"),
        "endsWith": _("Ends with"),
        "blank": _("Blank"),
        "notBlank": _("Not blank"),
        "lessThan": _("Less than"),
        "greaterThan": _("Greater than"),
        "lessThanOrEqual": _("Less than or equal to"),
        "greaterThanOrEqual": _("Greater than or equal to"),
        "inRange": _("Between"),
        "inRangeStart": _("From"),
        "inRangeEnd": _("To"),
        "andCondition": _("AND"),
        "orCondition": _("OR"),
    }


def grid(grid_id: str, columns: list[tuple[str, str]], height: str = "360px") -> dag.AgGrid:
    """A sortable, filterable table; cells are rendered as text, so names and notes are never HTML."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=grid_columns(columns),
        rowData=[],
        defaultColDef={"resizable": True, "flex": 1, "minWidth": 110},
        dashGridOptions={"animateRows": False, "domLayout": "normal", "localeText": grid_texts()},
        style={"height": height},
        className="fo-grid",
    )


def grid_columns(columns: list[tuple[str, str]]) -> list[dict]:
    """A grid's sortable, filterable text columns: (field, header) each."""
    return [{"field": field, "headerName": header, "sortable": True, "filter": True} for field, header in columns]


def state_dot(state: str) -> html.Span:
    """A legend's mark of a person's state: its colour and its shape, as the map's markers draw them."""
    shape = f" fo-shape-{STATE_SHAPES[state]}" if state in STATE_SHAPES else ""
    return html.Span(className=f"fo-dot fo-{state}{shape}", **{"aria-hidden": "true"})


SEVERITY_MARKS = {"info": "i", "warning": "!", "critical": "!!"}  # the mark says it without colour too


def severity_chip(severity: str) -> html.Span:
    """An alert's severity (issue 17): its mark in the severity's colour (--severity-*) and its word."""
    return html.Span(
        [
            html.Span(SEVERITY_MARKS.get(severity, "?"), className="fo-severity-mark", **{"aria-hidden": "true"}),
            alerting.severity_label(severity),
        ],
        className=f"fo-severity fo-severity-{severity}",
    )


def side_panel_class(is_open: bool) -> str:
    """A side panel's classes, closed or open: the callback that opens it returns this as its className."""
    return "offcanvas offcanvas-end fo-side-panel show" if is_open else "offcanvas offcanvas-end fo-side-panel"


def side_panel(panel_id: str, close_id: str, body: list) -> html.Div:
    """A dialog on the right, drawn closed, titled by `{panel_id}-title` (which a callback fills). It takes the
    focus and gives it back, and Escape closes it (assets/panels.js, wired by `side_panel_focus`)."""
    return html.Div(
        id=panel_id,
        className=side_panel_class(False),
        role="dialog",
        tabIndex="-1",
        **{"aria-labelledby": f"{panel_id}-title"},
        children=[
            html.Div(
                className="offcanvas-header",
                children=[
                    html.H3(id=f"{panel_id}-title", className="offcanvas-title h5", tabIndex="-1"),
                    html.Button(
                        _("Close"),
                        id=close_id,
                        className="btn btn-sm btn-outline-secondary",
                        **{"data-panel-close": ""},
                    ),
                ],
            ),
            html.Div(className="offcanvas-body", children=body),
        ],
    )


def side_panel_focus(app, panel_id: str) -> None:
    """The panel's focus as it opens, closes, or shows another item (its title changes): assets/panels.js."""
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsPanel", function_name="focus"),
        Output(f"{panel_id}-title", "className"),
        Input(panel_id, "className"),
        Input(f"{panel_id}-title", "children"),
        State(panel_id, "id"),
        prevent_initial_call=True,
    )


def week_hours_table(prefix: str) -> html.Table:
    """A week of working hours, a from and a to time per day (`{prefix}-start-{day}`, `{prefix}-end-{day}`, day 0
    Monday), each named for screen readers by its day and column: the teams page's and the People panel's."""
    rows = [
        html.Tr(
            [
                html.Th(name, scope="row"),
                html.Td(_time_input(f"{prefix}-start-{day}", _("{day} from", day=name))),
                html.Td(_time_input(f"{prefix}-end-{day}", _("{day} to", day=name))),
            ]
        )
        for day, name in enumerate(weekday_names())
    ]
    head = html.Thead(html.Tr([html.Th(_("Day")), html.Th(_("From")), html.Th(_("To"))]))
    return html.Table([head, html.Tbody(rows)], className="table table-sm fo-table fo-hours-table")


def _time_input(input_id: str, label: str) -> list:
    return [
        html.Label(label, htmlFor=input_id, className="visually-hidden"),
        dcc.Input(id=input_id, type="time", className="form-control form-control-sm"),
    ]


def field(label: str, control) -> html.Div:
    return html.Div([html.Label(label, className="form-label small mb-1", htmlFor=control.id), control])


def result(message: str, ok: bool) -> html.Div:
    return html.Div(message, className=f"alert {'alert-success' if ok else 'alert-danger'} py-2 my-2", role="status")


def import_report_grid(grid_id: str, key_header: str) -> dag.AgGrid:
    """An import's report grid (`import_report` fills it): row, its key (`key_header`), outcome, column, reason."""
    table = grid(
        grid_id,
        [
            ("row", _("Row")),
            ("external_id", key_header),
            ("outcome", _("Outcome")),
            ("column", _("Column")),
            ("reason", _("Reason")),
        ],
    )
    table.columnDefs[0] |= {"flex": 0, "width": 90, "minWidth": 80}
    table.columnDefs[-1] |= {"flex": 3, "tooltipField": "reason"}  # the reason is the long one
    return table


def import_report(report: dict) -> tuple[html.Div, list[dict]]:
    """An import's outcome (dashboard/work/erp.Report.as_dict) as the import pages show it: a line with the counts,
    and every row of the file in order with its outcome, or each of its errors with the column and the reason."""
    labels = {"created": _("new"), "updated": _("changed"), "unchanged": _("unchanged")}
    rows = [
        {"row": e["row"], "external_id": e["external_id"] or "", "outcome": _("error"), "column": e["field"] or ""}
        | {"reason": e["message"]}
        for e in report["errors"]
    ] + [
        {"row": r["row"], "external_id": r["external_id"], "outcome": labels[r["action"]], "column": "", "reason": ""}
        for r in report["rows"]
    ]
    rows.sort(key=lambda row: row["row"])
    counts = _(
        "{created} new, {updated} changed, {unchanged} unchanged, {errors} rows with errors.",
        created=report["created"],
        updated=report["updated"],
        unchanged=report["unchanged"],
        errors=report["error_rows"],
    )
    if report["committed"]:
        return result(_("Imported: {counts}", counts=counts), ok=True), rows
    if report["dry_run"]:
        return result(_("Dry run, nothing written: {counts}", counts=counts), ok=not report["errors"]), rows
    return result(_("Nothing written, fix the rows in error first: {counts}", counts=counts), ok=False), rows


def sharing_status(state: SharingState, element_id: str) -> html.P:
    """The person's location sharing in one sentence (ingest/privacy.sharing_state): the phone page and My data
    say the same thing."""
    rt = runtime()
    if state.state == "paused":
        sentence = _("Paused since {at}: {reason}", at=rt.local(state.since), reason=state.reason or "")
    elif state.state == "sharing":
        sentence = _("Sharing is on during your working hours.")
    else:
        sentence = (
            _("Outside your working hours: only the area you are in (about 5 km²) is kept, once an hour.")
            if state.coarse
            else _("Outside your working hours: your position is not stored.")
        )
        if state.next_start is not None:
            sentence += " " + _("Sharing starts again at {at}.", at=rt.local(state.next_start))
    return html.P(sentence, id=element_id, className="fo-sharing-state", **{"data-state": state.state})


def pause_controls(prefix: str) -> html.Div:
    """Pause (with its reason) or Resume: the page's callback shows only the one that applies (`hidden`)."""
    return html.Div(
        [
            html.Div(
                [
                    field(
                        _("Reason for a pause"),
                        dcc.Input(id=f"{prefix}-reason", maxLength=200, className="form-control"),
                    ),
                    html.Button(_("Pause sharing"), id=f"{prefix}-pause", className="btn btn-outline-danger"),
                ],
                id=f"{prefix}-pause-form",
                className="fo-form-row",
                hidden=True,
            ),
            html.Button(_("Resume sharing"), id=f"{prefix}-resume", className="btn btn-outline-success", hidden=True),
        ]
    )


def share_link_controls(prefix: str, minutes_choices: tuple[int, ...], revoke_label: str) -> list:
    """How long a live-position link works, create and revoke buttons, and where the result shows."""
    return [
        field(
            _("Link works for"),
            dcc.Dropdown(
                id=f"{prefix}-share-minutes",
                options=[{"label": _("{minutes} min", minutes=m), "value": m} for m in minutes_choices],
                value=60,
                clearable=False,
            ),
        ),
        html.Div(
            className="fo-form-row mt-2",
            children=[
                html.Button(_("Create link"), id=f"{prefix}-share-create", className="btn btn-outline-primary"),
                html.Button(revoke_label, id=f"{prefix}-share-revoke", className="btn btn-outline-danger"),
            ],
        ),
        html.Div(id=f"{prefix}-share-result", role="status"),
    ]


def analytics_filters(prefix: str, start: date, end: date, *, with_hours: bool = False) -> html.Div:
    """The analytics pages' filter bar: a date range and a team, and on the heatmap weekdays and hours."""
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    children = [
        html.Label(_("Dates"), htmlFor=f"{prefix}-dates", className="fo-label"),
        dcc.DatePickerRange(
            id=f"{prefix}-dates",
            start_date=start,
            end_date=end,
            display_format="YYYY-MM-DD",
            first_day_of_week=1,
            start_date_placeholder_text=_("First day"),
            end_date_placeholder_text=_("Last day"),
        ),
        html.Label(_("Team"), htmlFor=f"{prefix}-team", className="fo-label"),
        dcc.Dropdown(id=f"{prefix}-team", placeholder=_("All teams"), clearable=True, className="fo-team"),
    ]
    if with_hours:
        children += [
            html.Label(_("Weekdays"), htmlFor=f"{prefix}-weekdays", className="fo-label"),
            dcc.Dropdown(
                id=f"{prefix}-weekdays",
                options=[{"label": label, "value": n} for n, label in enumerate(weekdays, start=1)],
                multi=True,
                placeholder=_("Every day"),
                className="fo-weekdays",
            ),
            html.Label(_("Hours"), htmlFor=f"{prefix}-hours", className="fo-label"),
            html.Div(
                dcc.RangeSlider(
                    id=f"{prefix}-hours",
                    min=0,
                    max=24,
                    step=1,
                    value=[0, 24],
                    marks={h: str(h) for h in (0, 6, 12, 18, 24)},
                    allow_direct_input=False,
                ),
                className="fo-hours",
            ),
        ]
    return html.Div(children, className="fo-toolbar fo-filters")


def order_lines(orders: list[dict], element_id: str) -> html.Div:
    """A customer's orders from the ERP (issue 9): number, status, amount, due date; nothing when none."""
    if not orders:
        return html.Div(id=element_id)
    lines = [
        html.Li(
            " · ".join(
                part
                for part in (
                    order["number"],
                    order["status"],
                    f"{order['amount']:.2f} {order['currency'] or ''}".strip() if order["amount"] is not None else "",
                    _("due {day}", day=order["due_date"]) if order["due_date"] else "",
                    order["summary"] or "",
                )
                if part
            )
        )
        for order in orders
    ]
    return html.Div(
        [html.Div(_("Orders"), className="small fw-semibold"), html.Ul(lines, className="small mb-1")],
        id=element_id,
        className="fo-orders",
    )


def person_options(roster: list[dict], value: str = "code") -> list[dict]:
    """A dropdown's people from employees.roster: the plain name with the code, which a picker always shows."""
    return [{"label": f"{person['plain_name']} ({person['code']})", "value": person[value]} for person in roster]


def tracker_settings(protocol: str, setup: dict, prefix: str) -> html.Div:
    """A tracker app's settings, shown once after it is registered (work/phone.traccar_setup or owntracks_setup),
    with their QR code: the tracker apps page and the People page show the same."""
    if protocol == "osmand":
        rows = [
            (_("Server URL"), setup["server"]),
            (_("Device identifier"), setup["identifier"]),
            (_("Frequency"), _("{seconds} s", seconds=setup["interval_s"])),
            (_("Distance"), _("{metres} m", metres=setup["distance_m"])),
            (_("Location accuracy"), _("medium")),
        ]
        note = _("The identifier is the only credential: keep it to this phone.")
    else:
        rows = [
            (_("Mode"), "HTTP"),
            (_("URL"), setup["url"]),
            (_("User ID"), setup["user"]),
            (_("Device ID"), setup["device"]),
            (_("Password (shown only now)"), setup["password"]),
            (_("Monitoring"), _("significant changes")),
        ]
        note = _("Scan the code in OwnTracks to import these settings.")
    return html.Div(
        [
            html.Dl(
                [part for label, value in rows for part in (html.Dt(label), html.Dd(html.Code(value)))],
                className="fo-details-list",
                id=f"{prefix}-settings",
            ),
            html.Img(
                src=qr_svg(setup["qr"]), alt=_("QR code with these settings"), className="fo-qr", id=f"{prefix}-qr"
            ),
            html.P(note, className="small text-muted"),
        ]
    )


def trust_badge(score: int | None, reasons: list | None, element_id: str | None = None) -> html.Span | None:
    """A check-in's trust score (issue 19) as a number in its colour band, with its reasons in words."""
    if score is None:
        return None
    words = _("; ").join(trust.reason_text(r) for r in reasons or [] if isinstance(r, dict))
    label = _("Trust {score}", score=score)
    children = [html.Span(label, className=f"badge fo-trust fo-trust-{trust.band(score)}")]
    if words:
        children.append(html.Span(f" {words}", className="small fo-trust-reasons"))
    return html.Span(children, id=element_id, className="fo-trust-view") if element_id else html.Span(children)


def trust_summary(score: int | None, reasons: list | None) -> str:
    """The same as plain text, for a grid's cell or a tooltip."""
    if score is None:
        return ""
    words = _("; ").join(trust.reason_text(r) for r in reasons or [] if isinstance(r, dict))
    return f"{score} · {words}" if words else str(score)
