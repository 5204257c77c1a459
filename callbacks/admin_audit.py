"""Admin audit page: the newest looks at locations, filtered by kind."""

from __future__ import annotations

from dash import Dash, Input, Output

from dashboard.core.i18n import _
from dashboard.core.inputs import text
from dashboard.core.runtime import runtime
from dashboard.web.shell import role_label
from data import audit


def action_labels() -> dict[str, str]:
    return {
        "view_live_map": _("opened the live map"),
        "view_person": _("looked at a person's live position"),
        "view_track": _("looked at a trajectory"),
        "export": _("exported positions"),
        "export_own_data": _("exported their own data"),
        "view_shared_link": _("opened a share link"),
        "view_customer_visits": _("looked at a customer's visits"),
        "view_alert": _("opened an alert about a person"),
    }


def entries(action: str | None, _tick: int) -> tuple[list[dict], list[dict]]:
    rt = runtime()
    labels = action_labels()
    rows = [
        {
            "at": rt.local(r["at"], "%Y-%m-%d %H:%M:%S"),
            "username": r["username"],
            "role": role_label(r["role"]),
            "action": labels.get(r["action"], r["action"]),
            "subject": r["subject_name"] or _("{n} people", n=r["subjects"]),
            "ip": r["ip"] or "",
        }
        for r in audit.recent(rt.db, 500, text(action) if text(action) in labels else None)
    ]
    return rows, [{"label": label, "value": key} for key, label in labels.items()]


def register(app: Dash) -> None:
    app.callback(
        Output("audit-grid", "rowData"),
        Output("audit-action", "options"),
        Input("audit-action", "value"),
        Input("audit-tick", "n_intervals"),
    )(entries)
