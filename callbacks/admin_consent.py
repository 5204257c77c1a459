"""The consent register page: the legal basis, publishing a text's new version, and every person's consent.
Thin: coerce inputs, call dashboard.work.consent."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx
from flask import g

from dashboard.core.i18n import _, current_language
from dashboard.core.inputs import counter, text, whole_number
from dashboard.core.runtime import runtime
from dashboard.web.components import result
from dashboard.work import consent


def load(_refresh: int) -> tuple:
    rt = runtime()
    version = consent.current_version(rt)
    current = (
        _("Current version: {version}.", version=version)
        if version
        else _("No text published yet: tracking does not ask for consent until one is.")
    )
    registered = consent.register(rt, g.viewer.scope)
    rows = [
        {
            "code": row["code"],
            "name": row["name"],
            "team": row["team"] or "",
            "state": consent.state_label(row["state"]),
            "version": row["version"],
            "decided_at": rt.local(row["decided_at"]),
            "source": consent.source_label(row["source"]),
        }
        for row in registered
    ]
    people = [{"label": f"{row['name']} ({row['code']})", "value": row["employee_id"]} for row in registered]
    return consent.legal_basis(rt), current, rows, people


def save_basis(_clicks: int, basis: object, refresh: object) -> tuple:
    try:
        consent.set_legal_basis(runtime(), text(basis), g.viewer.user_id)
    except consent.ConsentError as exc:
        return result(str(exc), ok=False), counter(refresh)
    return result(_("Legal basis saved."), ok=True), counter(refresh) + 1


def publish(_submits: int, english: object, chinese: object, refresh: object) -> tuple:
    bodies = {"en": text(english, consent.MAX_TEXT_CHARS + 1), "zh-CN": text(chinese, consent.MAX_TEXT_CHARS + 1)}
    try:
        version = consent.publish(runtime(), bodies, g.viewer.user_id)
    except consent.ConsentError as exc:
        return result(str(exc), ok=False), counter(refresh)
    return result(_("Version {version} published: everyone is asked again.", version=version), ok=True), counter(
        refresh
    ) + 1


def record(_give: int, _withdraw: int, person: object, refresh: object) -> tuple:
    """An answer the person gave to the administrator (in writing, in person), recorded as such."""
    rt = runtime()
    employee_id = whole_number(person)
    if employee_id is None or employee_id not in {row["employee_id"] for row in consent.register(rt, g.viewer.scope)}:
        return result(_("Choose a person first."), ok=False), counter(refresh)
    try:
        if ctx.triggered_id == "consent-record-withdraw-confirm":
            consent.withdraw(rt, employee_id, "admin", current_language(), g.viewer.user_id)
            message = _("Withdrawal recorded: nothing of this person is kept from now on.")
        else:
            consent.give(rt, employee_id, "admin", current_language(), g.viewer.user_id)
            message = _("Consent recorded.")
    except consent.ConsentError as exc:
        return result(str(exc), ok=False), counter(refresh)
    return result(message, ok=True), counter(refresh) + 1


def register(app: Dash) -> None:
    app.callback(
        Output("consent-basis", "value"),
        Output("consent-current", "children"),
        Output("consent-register", "rowData"),
        Output("consent-person", "options"),
        Input("consent-refresh", "data"),
    )(load)
    app.callback(
        Output("consent-record-result", "children"),
        Output("consent-refresh", "data", allow_duplicate=True),
        Input("consent-record-give", "n_clicks"),
        Input("consent-record-withdraw-confirm", "submit_n_clicks"),
        State("consent-person", "value"),
        State("consent-refresh", "data"),
        prevent_initial_call=True,
    )(record)
    app.callback(
        Output("consent-basis-result", "children"),
        Output("consent-refresh", "data"),
        Input("consent-basis-save", "n_clicks"),
        State("consent-basis", "value"),
        State("consent-refresh", "data"),
        prevent_initial_call=True,
    )(save_basis)
    app.callback(
        Output("consent-publish-result", "children"),
        Output("consent-refresh", "data", allow_duplicate=True),
        Input("consent-publish-confirm", "submit_n_clicks"),
        State("consent-text-en", "value"),
        State("consent-text-zh", "value"),
        State("consent-refresh", "data"),
        prevent_initial_call=True,
    )(publish)
