"""The phone page: today's tasks (polled, redrawn only when they change), accept/decline, check-in and
check-out, notes with a photo, help, pause, share links. Thin: coerce inputs, call dashboard.work.phone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dash import ALL, ClientsideFunction, Dash, Input, Output, State, ctx, html, no_update
from flask import g

from callbacks.my_data import change_sharing_of, sharing_view
from dashboard.analytics import coverage
from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import counter, mapping, text, whole_number
from dashboard.core.runtime import runtime
from dashboard.geo.tiles import map_frame, map_tiles
from dashboard.web.components import order_lines, result
from dashboard.web.maps import navigate_to
from dashboard.work import consent, form_answers
from dashboard.work.lifecycle import TaskError, change_state
from dashboard.work.lifecycle import state_label as task_state_label
from dashboard.work.phone import (
    DEVICE_KEY_CHARS,
    MAX_NOTE_CHARS,
    PHONE_CLOCK_MS,
    VISIT_IDS,
    MobileError,
    VisitNotOpen,
    call_for_help,
    create_share_link,
    phone_fix,
    photo_from_upload,
    qr_svg,
    record_presence,
    record_remote_visit,
    revoke_share_links,
    save_visit_note,
)
from dashboard.work.surveys import survey_path_of_task
from data import activities, orders, tasks
from data.scope import Scope

ACTIONS = ("accept", "decline", "en_route", "failed", "check_in", "check_out")
MOVES = {"accept": "accepted", "decline": "new", "en_route": "en_route", "failed": "failed"}


def _day() -> tuple[datetime, datetime]:
    start = datetime.now(runtime().settings.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def reason_label(reason: str | None) -> str:
    labels = {
        "outside": _("you were outside the customer's site"),
        "inaccurate": _("your position was not accurate enough"),
        "stale_position": _("your position was too old"),
        "clock": _("your phone's clock is wrong"),
        "no_position": _("your phone gave no position"),
        "no_site": _("the customer has no site on the map"),
    }
    return labels.get(reason or "", reason or "")


def _navigation(task: dict) -> html.A:
    """Directions to the task's site in the map app of the organisation's preset (AMap in GCJ-02 for AMap's and
    Tencent's, OpenStreetMap otherwise)."""
    rt = runtime()
    stored = (task["lat"], task["lon"])
    return html.A(
        _("Navigate"),
        href=navigate_to(map_tiles(rt).preset, stored, map_frame(rt).out(*stored)),
        target="_blank",
        rel="noopener",
        className="btn btn-outline-primary btn-sm",
        id={"type": "mobile-nav", "task": task["id"]},
    )


def _button(label: str, action: str, task_id: int, style: str) -> html.Button:
    return html.Button(
        label, id={"type": "mobile-act", "action": action, "task": task_id}, className=f"btn btn-sm {style}"
    )


def _form_button(task_id: int) -> html.Button:
    """Opens the task's visit form (issue 21): assets/forms.js draws it, keeps it and its changes on the phone and
    sends them in order when online; no Dash callback, so it works offline."""
    return html.Button(
        _("Fill in the form"),
        id=f"mobile-form-{task_id}",
        type="button",
        className="btn btn-sm btn-warning fo-form-open",
        **{"data-task": str(task_id)},
    )


def _task_card(task: dict, outcome: html.Div | None = None) -> html.Div:
    """A task's card; `outcome` is the result of what the person just did on it, shown on the card itself."""
    rt = runtime()
    state = task["state"]
    buttons = [_navigation(task)]
    if state in ("new", "assigned"):
        buttons += [_button(_("Accept"), "accept", task["id"], "btn-success")]
    if state in ("new", "assigned", "accepted"):
        buttons += [_button(_("Decline"), "decline", task["id"], "btn-outline-secondary")]
    if state in ("assigned", "accepted"):
        buttons += [_button(_("On my way"), "en_route", task["id"], "btn-outline-primary")]
    if state in ("assigned", "accepted", "en_route"):
        buttons += [_button(_("Check in"), "check_in", task["id"], "btn-primary")]
    if state == "on_site":
        buttons += [_button(_("Check out"), "check_out", task["id"], "btn-primary")]
    if state in ("en_route", "on_site"):
        buttons += [_button(_("Could not do it"), "failed", task["id"], "btn-outline-danger")]
    if state == "on_site" and form_answers.form_of(rt, task["id"])[1] is not None:
        buttons.insert(1, _form_button(task["id"]))
    window = (
        f"{rt.local(task['window_start'], '%H:%M')}–{rt.local(task['window_end'], '%H:%M')}"
        if task["window_start"]
        else _("as soon as possible")
    )
    return html.Div(
        className=f"fo-m-task fo-m-task-{state}",
        id=f"mobile-task-{task['id']}",
        children=[
            html.Div([html.B(f"{task['planned_seq'] or '·'}. {task['customer_name']}"), " ", html.Span(window)]),
            html.Div(task["customer_address"] or "", className="small text-muted"),
            html.Div(task_state_label(state), className="small fo-m-task-state"),
            # The customer's orders from the ERP, read before the visit (issue 9).
            order_lines(
                orders.customer_orders(rt.db, g.viewer.scope, task["customer_id"], 3), f"mobile-orders-{task['id']}"
            ),
            html.Div(buttons, className="fo-m-buttons"),
            *([html.Div(outcome, className="fo-m-card-result", id="mobile-card-result")] if outcome else []),
            *(_survey_link(task["id"]) if state == "done" else []),
        ],
    )


def _survey_link(task_id: int) -> list:
    """The customer's survey as a QR code and a link, while it is unanswered: the person hands it over."""
    rt = runtime()
    path = survey_path_of_task(rt, task_id)
    if path is None:
        return []
    url = f"{rt.settings.public_url}{path}"
    return [
        html.Details(
            [
                html.Summary(_("Customer survey")),
                html.Img(src=qr_svg(url), alt=_("Survey QR code"), className="fo-m-qr"),
                html.A(url, href=path, target="_blank", rel="noopener", className="small fo-share-url"),
            ],
            className="fo-m-survey",
            id=f"mobile-survey-{task_id}",
        )
    ]


def note_target(employee_id: int) -> tuple[str, int | None]:
    """What the note box says it is for, and the visit id the page sends back with the note."""
    rt = runtime()
    visit = activities.current_visit(rt.db, employee_id)
    if visit is None:
        return _("Plain note: no visit is open, so it goes on no customer."), None
    # Named as the task's card is ("2. Crocs Store"), so the note box and the card visibly agree.
    customer = f"{visit['planned_seq']}. {visit['customer_name']}" if visit["planned_seq"] else visit["customer_name"]
    since = rt.local(visit["started_at"], "%H:%M")
    return _("Note for {customer} (visit since {at})", customer=customer, at=since), visit["id"]


def day_view(_tick: int, _refresh: int, signature: object) -> tuple:
    """Redraw the list only when a task was added, removed or changed, and say so; name the open visit."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        message = html.P(_("Your account is not linked to an employee."))
        return message, None, no_update, no_update, no_update, None
    return (*_day_lists(employee_id, signature), *note_target(employee_id))


def sharing(_tick: int, _refresh: int) -> tuple:
    """Whether the person's positions are kept now, and Pause or Resume, whichever applies (as on My data)."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return "", True, True
    return sharing_view(employee_id, "mobile-sharing-status")


def consent_view(_tick: int, _refresh: int, later_for: object) -> tuple:
    """The consent text over the page while an answer to the current version is due (unless put off with "Not
    now" in this session, consent mode only); in the privacy area the state with Withdraw or Give again; and
    whether the phone may send positions (mobile-consent-flag, read by assets/mobile.js)."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return True, "", no_update, True, "", True, True, ""
    state = consent.state_of(runtime(), employee_id, current_language())
    if state.state == consent.UNASKED:
        return True, "", no_update, True, "", True, True, "fo-consent-on"
    asking = state.state == consent.NEEDS_ANSWER and not (
        state.basis == "consent" and whole_number(later_for) == state.version
    )
    text = html.Div([html.P(line) for line in (state.text or "").splitlines() if line.strip()])
    give = _("Give consent") if state.basis == "consent" else _("I have read this")
    decided = rt_local(state.decided_at)
    if state.basis == "notice":
        status = _(
            "Your positions are kept on a lawful basis other than consent; there is no consent to withdraw. "
            "To object, ask your administrator."
        )
    elif state.state == consent.WITHDRAWN:
        status = _("You withdrew your consent on {at}: nothing is tracked.", at=decided)
    elif state.tracked:
        status = _("You gave your consent on {at} (version {version}).", at=decided, version=state.answered_version)
    else:
        status = _("You have not given your consent: nothing is tracked.")
    status_view = html.Div([html.P(status, id="mobile-consent-state", **{"data-state": state.state})])
    if state.state == consent.WITHDRAWN:
        status_view.children.append(html.Details([html.Summary(_("Read the text")), text]))
    can_withdraw = state.basis == "consent" and state.tracked
    can_give_again = state.basis == "consent" and not state.tracked and not asking
    flag = "fo-consent-on" if state.tracked else "fo-consent-off"
    return (
        not asking,
        text,
        give,
        state.basis != "consent",
        status_view,
        not can_withdraw,
        not can_give_again,
        flag,
    )


def rt_local(moment: datetime | None) -> str:
    return runtime().local(moment) if moment else ""


def consent_act(_give: int, _later: int, _withdraw: int, _again: int, refresh: object) -> tuple:
    """Give (or acknowledge), put off, withdraw (confirmed by the dialog) or give again."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False), no_update, no_update
    rt = runtime()
    pressed = ctx.triggered_id
    if pressed == "mobile-consent-later":
        return "", counter(refresh) + 1, consent.current_version(rt)
    try:
        if pressed == "mobile-consent-confirm":
            consent.withdraw(rt, employee_id, "phone", current_language())
            return result(_("Consent withdrawn: nothing is tracked from now on."), ok=True), counter(refresh) + 1, None
        state = consent.give(rt, employee_id, "phone", current_language())
    except consent.ConsentError as exc:
        return result(str(exc), ok=False), counter(refresh) + 1, no_update
    done = _("Thank you: consent given.") if state.state == consent.GIVEN else _("Thank you: notice acknowledged.")
    return result(done, ok=True), counter(refresh) + 1, None


def _day_lists(employee_id: int, signature: object) -> tuple:
    rt = runtime()
    start, end = _day()
    plan = tasks.day_plan(rt.db, employee_id, start, end)
    current = _signature(plan)
    summary = activities.day_summary(rt.db, employee_id, start.astimezone(UTC), end.astimezone(UTC))
    done = sum(t["state"] == "done" for t in plan)
    summary_view = html.Dl(
        [
            part
            for label, value in (
                (_("Tasks done"), f"{done} / {len(plan)}"),
                (_("Check-ins verified"), f"{summary['verified']} / {summary['check_ins']}"),
                (_("Notes"), str(summary["notes"])),
                (_("Photos"), str(summary["photos"])),
            )
            for part in (html.Dt(label), html.Dd(value))
        ],
        className="fo-details-list",
        id="mobile-summary-list",
    )
    if current == signature:
        return no_update, no_update, no_update, summary_view
    notice = (
        result(_("Your tasks changed at {at}.", at=rt.local(datetime.now(UTC), "%H:%M:%S")), ok=True)
        if isinstance(signature, list)
        else ""
    )
    return _cards(plan), current, notice, summary_view


def _signature(plan: list[dict]) -> list:
    return [[t["id"], t["state"], t["updated_at"].isoformat()] for t in plan]


def _cards(plan: list[dict], acted: int | None = None, outcome: html.Div | None = None) -> list:
    cards = [_task_card(t, outcome if t["id"] == acted else None) for t in plan]
    return cards or [html.P(_("No tasks today."), className="text-muted")]


def act(request: object, refresh: object) -> tuple:
    """Accept, decline, check in or check out, as the browser asked (with its position for a check); the result
    is shown on the card acted on, the list redrawn at once (and said once more for screen readers)."""
    request = mapping(request)
    action, task_id = request.get("action"), whole_number(request.get("task"))
    employee_id = g.viewer.employee_id
    if action not in ACTIONS or task_id is None or employee_id is None:
        return no_update, no_update, no_update, no_update
    outcome = _carry_out(action, task_id, request)
    start, end = _day()
    plan = tasks.day_plan(runtime().db, employee_id, start, end)
    return outcome, _cards(plan, task_id, outcome), _signature(plan), counter(refresh) + 1


def _carry_out(action: str, task_id: int, request: dict) -> html.Div:
    rt = runtime()
    if action in MOVES:
        try:
            change_state(rt, task_id, MOVES[action], g.viewer, reason=action)
        except TaskError as exc:
            return result(str(exc), ok=False)
        done = {
            "accept": _("Task accepted."),
            "decline": _("Task handed back to your supervisor."),
            "en_route": _("On your way: your supervisor sees it."),
            "failed": _("Marked as not done: your supervisor sees it."),
        }
        return result(done[action], ok=True)
    try:
        check = record_presence(
            rt,
            g.viewer,
            task_id,
            action,
            phone_fix(request.get("fix")),
            device_key=text(request.get("device"), DEVICE_KEY_CHARS),
            phone_now_ms=whole_number(request.get("at"), PHONE_CLOCK_MS),
        )
    except MobileError as exc:
        return result(str(exc), ok=False)
    done = _("Checked in") if action == "check_in" else _("Checked out")
    if check["verified"]:
        return result(_("{done}: verified at the customer's site.", done=done), ok=True)
    return result(_("{done}, not verified: {reason}.", done=done, reason=reason_label(check["reason"])), ok=False)


def save_note(request: object, note: object, photo: object, visit: object, refresh: object) -> tuple:
    """Save the note on the visit the page showed (`visit`), refused if that visit has ended meanwhile; the browser
    adds its position (`request`'s fix) for the photo's stamp."""
    if not mapping(request):
        return no_update, no_update, no_update
    employee_id = g.viewer.employee_id
    body = text(note, MAX_NOTE_CHARS).strip()
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False), no_update, no_update
    if not body:
        return result(_("Write a note first."), ok=False), no_update, no_update
    try:
        picture = photo_from_upload(photo)
    except MobileError as exc:
        return result(str(exc), ok=False), no_update, no_update
    visit_id = whole_number(visit, VISIT_IDS)
    try:
        if visit is not None and visit_id is None:
            raise VisitNotOpen  # not a visit id: the page did not send what it showed
        fix = phone_fix(mapping(request).get("fix"))
        save_visit_note(runtime(), employee_id, visit_id, body, picture, datetime.now(UTC), fix)
    except MobileError as exc:
        return result(str(exc), ok=False), no_update, counter(refresh) + 1
    return result(_("Note saved."), ok=True), "", counter(refresh) + 1


def _due_line(row: dict) -> html.Li:
    if row["never_visited"]:
        when = _("never visited")
    elif row["due_in"] < 0:
        when = _("overdue by {days} days", days=-row["due_in"])
    elif row["due_in"] == 0:
        when = _("due today")
    else:
        when = _("due in {days} days", days=row["due_in"])
    late = row["never_visited"] or row["due_in"] < 0
    return html.Li(
        [html.Span(row["customer_name"], className="fw-semibold"), " · ", html.Span(when)],
        className="fo-m-due-late" if late else "",
    )


def due_this_week(_refresh: object) -> tuple:
    """The person's customers due or overdue within a week (dashboard/analytics/coverage.due_within), and their
    customers to choose from for a remote visit."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return html.P(_("Your account is not linked to an employee.")), []
    rt = runtime()
    rows = coverage.customers(rt.db, Scope(employee_id=employee_id), rt.settings.timezone, datetime.now(rt.settings.tz))
    due = coverage.due_within(rows)
    listed = html.Ul([_due_line(row) for row in due], className="list-unstyled mb-0") if due else None
    options = [
        {"label": row["customer_name"], "value": row["customer_id"]}
        for row in sorted(rows, key=lambda r: (r["customer_name"], r["customer_id"]))
    ]
    return listed or html.P(_("No customer is due this week."), className="text-muted small"), options


def save_remote_visit(_clicks: object, customer: object, channel: object, notes: object, refresh: object) -> tuple:
    """A phone, video or WeChat visit of one of the person's customers, started and ended now."""
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False), no_update, no_update
    customer_id = whole_number(customer)
    if customer_id is None:
        return result(_("Choose one of your customers."), ok=False), no_update, no_update
    try:
        record_remote_visit(
            runtime(),
            employee_id,
            customer_id,
            text(channel, 20),
            text(notes, MAX_NOTE_CHARS).strip(),
            datetime.now(UTC),
        )
    except MobileError as exc:
        return result(str(exc), ok=False), no_update, no_update
    return result(_("Visit recorded."), ok=True), "", counter(refresh) + 1


def photo_name(filename: object) -> str:
    return text(filename, 120)


def ask_for_help(request: object) -> object:
    request = mapping(request)
    employee_id = g.viewer.employee_id
    if not request or employee_id is None:
        return no_update
    _alert, colleagues = call_for_help(runtime(), employee_id, phone_fix(request.get("fix")))
    nearest = [html.Li(_("{name}: about {minutes} min away", name=c["name"], minutes=c["minutes"])) for c in colleagues]
    return html.Div(
        [
            html.P(_("Help is on its way: your supervisor sees your alert on the live map."), className="fw-semibold"),
            html.P(_("Nearest colleagues:") if nearest else _("No colleague is sharing a position nearby.")),
            html.Ul(nearest, id="mobile-colleagues"),
        ],
        className="alert alert-warning py-2 my-2",
    )


def change_sharing(_pause: int, _resume: int, reason: object, refresh: object) -> tuple:
    return change_sharing_of(g.viewer.employee_id, ctx.triggered_id == "mobile-resume", reason, refresh)


def share_link(_create: int, _revoke: int, minutes: object) -> object:
    employee_id = g.viewer.employee_id
    if employee_id is None:
        return result(_("Your account is not linked to an employee."), ok=False)
    return share_link_for(employee_id, ctx.triggered_id == "mobile-share-revoke", minutes)


def share_link_for(employee_id: int, revoke: bool, minutes: object) -> html.Div:
    """Create or revoke share links of a person the caller has checked is in the viewer's view."""
    rt = runtime()
    if revoke:
        revoked = revoke_share_links(rt, employee_id)
        return result(_("{count} link(s) revoked.", count=revoked), ok=True)
    try:
        path = create_share_link(rt, employee_id, g.viewer.user_id, whole_number(minutes) or 0)
    except MobileError as exc:
        return result(str(exc), ok=False)
    url = f"{rt.settings.public_url}{path}"
    return html.Div(
        [
            html.P(_("Anyone with this link sees the live position until the link expires or is revoked:")),
            html.A(url, href=path, className="fo-share-url", target="_blank", rel="noopener"),
        ],
        className="alert alert-info py-2 my-2",
    )


def register(app: Dash) -> None:
    app.callback(
        Output("mobile-tasks", "children"),
        Output("mobile-tasks-sig", "data"),
        Output("mobile-notice", "children"),
        Output("mobile-summary", "children"),
        Output("mobile-note-for", "children"),
        Output("mobile-note-visit", "data"),
        Input("mobile-tick", "n_intervals"),
        Input("mobile-refresh", "data"),
        State("mobile-tasks-sig", "data"),
    )(day_view)
    app.callback(
        Output("mobile-sharing", "children"),
        Output("mobile-pause-form", "hidden"),
        Output("mobile-resume", "hidden"),
        Input("mobile-tick", "n_intervals"),
        Input("mobile-refresh", "data"),
    )(sharing)
    app.callback(
        Output("mobile-consent", "hidden"),
        Output("mobile-consent-text", "children"),
        Output("mobile-consent-give", "children"),
        Output("mobile-consent-later", "hidden"),
        Output("mobile-consent-status", "children"),
        Output("mobile-consent-withdraw", "hidden"),
        Output("mobile-consent-regive", "hidden"),
        Output("mobile-consent-flag", "className"),
        Input("mobile-tick", "n_intervals"),
        Input("mobile-refresh", "data"),
        Input("mobile-consent-later-for", "data"),
    )(consent_view)
    app.callback(
        Output("mobile-consent-result", "children"),
        Output("mobile-refresh", "data", allow_duplicate=True),
        Output("mobile-consent-later-for", "data"),
        Input("mobile-consent-give", "n_clicks"),
        Input("mobile-consent-later", "n_clicks"),
        Input("mobile-consent-confirm", "submit_n_clicks"),
        Input("mobile-consent-regive", "n_clicks"),
        State("mobile-refresh", "data"),
        prevent_initial_call=True,
    )(consent_act)
    # The browser adds its current position to a button press: only it knows where the phone is.
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsMobile", function_name="act"),
        Output("mobile-request", "data"),
        Input({"type": "mobile-act", "action": ALL, "task": ALL}, "n_clicks"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsMobile", function_name="note"),
        Output("mobile-note-request", "data"),
        Input("mobile-note-save", "n_clicks"),
    )
    app.clientside_callback(
        ClientsideFunction(namespace="fieldopsMobile", function_name="help"),
        Output("mobile-help-request", "data"),
        Input("mobile-help", "n_clicks"),
    )
    app.callback(
        Output("mobile-action-result", "children"),
        Output("mobile-tasks", "children", allow_duplicate=True),
        Output("mobile-tasks-sig", "data", allow_duplicate=True),
        Output("mobile-refresh", "data"),
        Input("mobile-request", "data"),
        State("mobile-refresh", "data"),
        prevent_initial_call=True,
    )(act)
    app.callback(
        Output("mobile-note-result", "children"),
        Output("mobile-note", "value"),
        Output("mobile-refresh", "data", allow_duplicate=True),
        Input("mobile-note-request", "data"),
        State("mobile-note", "value"),
        State("mobile-photo", "contents"),
        State("mobile-note-visit", "data"),
        State("mobile-refresh", "data"),
        prevent_initial_call=True,
    )(save_note)
    app.callback(Output("mobile-photo-name", "children"), Input("mobile-photo", "filename"))(photo_name)
    app.callback(
        Output("mobile-due", "children"),
        Output("mobile-remote-customer", "options"),
        Input("mobile-refresh", "data"),
    )(due_this_week)
    app.callback(
        Output("mobile-remote-result", "children"),
        Output("mobile-remote-notes", "value"),
        Output("mobile-refresh", "data", allow_duplicate=True),
        Input("mobile-remote-save", "n_clicks"),
        State("mobile-remote-customer", "value"),
        State("mobile-remote-channel", "value"),
        State("mobile-remote-notes", "value"),
        State("mobile-refresh", "data"),
        prevent_initial_call=True,
    )(save_remote_visit)
    app.callback(
        Output("mobile-help-result", "children"), Input("mobile-help-request", "data"), prevent_initial_call=True
    )(ask_for_help)
    app.callback(
        Output("mobile-pause-result", "children"),
        Output("mobile-refresh", "data", allow_duplicate=True),
        Input("mobile-pause", "n_clicks"),
        Input("mobile-resume", "n_clicks"),
        State("mobile-reason", "value"),
        State("mobile-refresh", "data"),
        prevent_initial_call=True,
    )(change_sharing)
    app.callback(
        Output("mobile-share-result", "children"),
        Input("mobile-share-create", "n_clicks"),
        Input("mobile-share-revoke", "n_clicks"),
        State("mobile-share-minutes", "value"),
        prevent_initial_call=True,
    )(share_link)
