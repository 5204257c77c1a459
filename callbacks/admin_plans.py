"""Visit plans page (issue 21): tiers, a customer's plan, the calendar, leave and the planner, through
dashboard/work/planning.py. Supervisors and managers mark their teams' leave; the rest is the administrator's."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from dash import Dash, Input, Output, State, ctx, no_update
from flask import g

from dashboard.core.errors import AppError
from dashboard.core.i18n import _
from dashboard.core.inputs import calendar_day, counter, text, whole_number, whole_numbers
from dashboard.core.permissions import PLAN_ADMIN_ROLES
from dashboard.core.runtime import runtime
from dashboard.web.components import person_options, result
from dashboard.work import planning
from data import employees, visit_plans


def _weekdays(days: list[int] | None) -> str:
    names = (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))
    return ", ".join(names[day - 1] for day in days or ()) or _("any working day")


def _window(starts, ends) -> str:
    if starts is None and ends is None:
        return ""
    return f"{starts.strftime('%H:%M') if starts else ''}–{ends.strftime('%H:%M') if ends else ''}"


def _today() -> date:
    return datetime.now(runtime().settings.tz).date()


def _admin() -> bool:
    return g.viewer.role in PLAN_ADMIN_ROLES


def _refused() -> object:
    return result(_("Only an administrator can change this."), ok=False)


def load(_refresh: int) -> tuple:
    rt = runtime()
    viewer = g.viewer
    today = _today()
    tiers = visit_plans.list_tiers(rt.db)
    tier_rows = [
        {
            "code": t["code"],
            "name": t["name"],
            "every_days": t["every_days"],
            "route_days": _weekdays(t["route_days"]),
            "window": _window(t["window_start"], t["window_end"]),
            "customers": t["customers"],
        }
        for t in tiers
    ]
    tier_options = [{"label": f"{t['code']} · {t['name']}", "value": t["code"]} for t in tiers]
    customer_options = [
        {"label": f"{c['customer_name']} ({c['tier'] or '–'})", "value": c["customer_id"]}
        for c in visit_plans.customer_plans(rt.db, viewer.scope)
    ]
    kinds = {"holiday": _("holiday"), "workday": _("make-up working day")}
    sources = {"manual": _("by hand"), "import": _("imported")}
    calendar = [
        {"day": r["day"].isoformat(), "kind": kinds[r["kind"]], "name": r["name"], "source": sources[r["source"]]}
        for r in visit_plans.calendar_days(rt.db, date(today.year, 1, 1), date(today.year + 1, 12, 31))
    ]
    leave = [
        {**r, "first_day": r["first_day"].isoformat(), "last_day": r["last_day"].isoformat()}
        for r in visit_plans.leave_list(rt.db, viewer.scope, today - timedelta(days=31))
    ]
    leave_options = [{"label": f"#{r['id']} {r['employee_name']} {r['first_day']}", "value": r["id"]} for r in leave]
    people = person_options(employees.roster(rt.db, viewer.scope), value="id")
    return (
        tier_rows,
        tier_options,
        customer_options,
        calendar,
        leave,
        leave_options,
        people,
        planning.horizon_days(rt),
    )


def tier(
    _save: int,
    _remove: int,
    code: str | None,
    name: str | None,
    every: object,
    starts: object,
    ends: object,
    days: object,
    refresh: object,
) -> tuple:
    if not _admin():
        return _refused(), no_update
    rt = runtime()
    try:
        if ctx.triggered_id == "plans-tier-remove":
            wanted = text(code, 10).strip().upper()
            if not visit_plans.delete_tier(rt.db, wanted):
                return result(_("No tier has that code."), ok=False), no_update
            return result(_("Tier {code} removed.", code=wanted), ok=True), _bump(refresh)
        saved = planning.save_tier(
            rt,
            {
                "code": text(code, 10),
                "name": text(name, 100),
                "every_days": whole_number(every),
                "window_start": text(starts, 5),
                "window_end": text(ends, 5),
                "route_days": whole_numbers(days),
            },
        )
    except AppError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Tier {code} saved.", code=saved["code"]), ok=True), _bump(refresh)


def customer_plan(_clicks: int, customer_id: object, tier_code: object, every: object, refresh: object) -> tuple:
    if not _admin():
        return _refused(), no_update
    rt = runtime()
    try:
        plan = planning.set_customer_plan(
            rt,
            g.viewer.scope,
            whole_number(customer_id),
            {"tier": text(tier_code, 10) or None, "every_days": whole_number(every)},
        )
    except AppError as exc:
        return result(str(exc), ok=False), no_update
    return result(
        _(
            "{customer}: every {days} days.",
            customer=plan.get("customer_name", ""),
            days=plan.get("every_days") or "–",
        ),
        ok=True,
    ), _bump(refresh)


def calendar(
    _add: int, _remove: int, _import: int, day: object, kind: object, name: object, year: object, refresh: object
) -> tuple:
    if not _admin():
        return _refused(), no_update
    rt = runtime()
    try:
        if ctx.triggered_id == "plans-import":
            chosen_year = _today().year + 1 if year in (None, "") else whole_number(year)  # none: the coming year
            return result(planning.import_holidays(rt, "CN", chosen_year).summary(), ok=True), _bump(refresh)
        chosen = calendar_day(text(day, 10).strip())
        if ctx.triggered_id == "plans-day-remove":
            if chosen is None or not visit_plans.remove_calendar_day(rt.db, chosen):
                return result(_("That day is not marked."), ok=False), no_update
            return result(_("{day} unmarked.", day=chosen.isoformat()), ok=True), _bump(refresh)
        planning.mark_day(rt, chosen, kind, text(name, 200))
    except AppError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("{day} marked.", day=chosen.isoformat()), ok=True), _bump(refresh)


def leave(
    _add: int, _remove: int, person: object, first: object, last: object, reason: object, pick: object, refresh: object
) -> tuple:
    rt = runtime()
    viewer = g.viewer
    if ctx.triggered_id == "plans-leave-remove":
        leave_id = whole_number(pick)
        if leave_id is None or not visit_plans.remove_leave(rt.db, viewer.scope, leave_id):
            return result(_("Choose leave of your teams first."), ok=False), no_update
        return result(_("Leave removed."), ok=True), _bump(refresh)
    try:
        planning.add_leave(
            rt,
            viewer.scope,
            whole_number(person),
            calendar_day(text(first, 10).strip()),
            calendar_day(text(last, 10).strip()),
            text(reason, 500),
            viewer.user_id,
        )
    except AppError as exc:
        return result(str(exc), ok=False), no_update
    return result(_("Leave marked: nothing is planned for them on those days."), ok=True), _bump(refresh)


def horizon(_clicks: int, days: object) -> object:
    if not _admin():
        return _refused()
    try:
        saved = planning.set_horizon_days(runtime(), whole_number(days), g.viewer.user_id)
    except AppError as exc:
        return result(str(exc), ok=False)
    return result(_("The daily run plans {days} days ahead.", days=saved), ok=True)


def plan_now(_clicks: int, refresh: object) -> tuple:
    if not _admin():
        return _refused(), no_update, no_update
    run = planning.plan_visits(runtime(), user_id=g.viewer.user_id)
    skipped = [{"customer": s.customer_name, "reason": s.message()} for s in run.skipped]
    return result(run.summary(), ok=run.ran), skipped, _bump(refresh)


def _bump(refresh: object) -> int:
    return counter(refresh) + 1


def register(app: Dash) -> None:
    app.callback(
        Output("plans-tiers", "rowData"),
        Output("plans-customer-tier", "options"),
        Output("plans-customer", "options"),
        Output("plans-calendar", "rowData"),
        Output("plans-leave", "rowData"),
        Output("plans-leave-pick", "options"),
        Output("plans-leave-person", "options"),
        Output("plans-horizon", "value"),
        Input("plans-refresh", "data"),
    )(load)
    app.callback(
        Output("plans-tier-result", "children"),
        Output("plans-refresh", "data", allow_duplicate=True),
        Input("plans-tier-save", "n_clicks"),
        Input("plans-tier-remove", "n_clicks"),
        State("plans-tier-code", "value"),
        State("plans-tier-name", "value"),
        State("plans-tier-every", "value"),
        State("plans-tier-start", "value"),
        State("plans-tier-end", "value"),
        State("plans-tier-days", "value"),
        State("plans-refresh", "data"),
        prevent_initial_call=True,
    )(tier)
    app.callback(
        Output("plans-customer-result", "children"),
        Output("plans-refresh", "data", allow_duplicate=True),
        Input("plans-customer-save", "n_clicks"),
        State("plans-customer", "value"),
        State("plans-customer-tier", "value"),
        State("plans-customer-every", "value"),
        State("plans-refresh", "data"),
        prevent_initial_call=True,
    )(customer_plan)
    app.callback(
        Output("plans-calendar-result", "children"),
        Output("plans-refresh", "data", allow_duplicate=True),
        Input("plans-day-add", "n_clicks"),
        Input("plans-day-remove", "n_clicks"),
        Input("plans-import", "n_clicks"),
        State("plans-day", "value"),
        State("plans-day-kind", "value"),
        State("plans-day-name", "value"),
        State("plans-import-year", "value"),
        State("plans-refresh", "data"),
        prevent_initial_call=True,
    )(calendar)
    app.callback(
        Output("plans-leave-result", "children"),
        Output("plans-refresh", "data", allow_duplicate=True),
        Input("plans-leave-add", "n_clicks"),
        Input("plans-leave-remove", "n_clicks"),
        State("plans-leave-person", "value"),
        State("plans-leave-first", "value"),
        State("plans-leave-last", "value"),
        State("plans-leave-reason", "value"),
        State("plans-leave-pick", "value"),
        State("plans-refresh", "data"),
        prevent_initial_call=True,
    )(leave)
    app.callback(
        Output("plans-run-result", "children", allow_duplicate=True),
        Input("plans-horizon-save", "n_clicks"),
        State("plans-horizon", "value"),
        prevent_initial_call=True,
    )(horizon)
    app.callback(
        Output("plans-run-result", "children"),
        Output("plans-skipped", "rowData"),
        Output("plans-refresh", "data", allow_duplicate=True),
        Input("plans-run", "n_clicks"),
        State("plans-refresh", "data"),
        prevent_initial_call=True,
    )(plan_now)
