"""Who may do what: the one module every page, callback and route asks.

Each page names the roles that may open it (`roles=` in `register_page`); each callback belongs
to the page whose component-id prefix its outputs carry, so a callback is allowed exactly when
its page is. Drill-down into individuals is refused on top of that to whoever may not see individuals
(may_see_individuals: the one privacy rule for people, asked by pages, reports, exports and the API alike).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from data.scope import Scope

ROLES = ("field", "supervisor", "manager", "executive", "admin", "wall")
PEOPLE_ROLES = ("field", "supervisor", "manager", "executive", "admin")
LIVE_MAP_ROLES = ("field", "supervisor", "manager", "executive", "wall")
ADMIN_ROLES = ("admin",)
HISTORY_IMPORT_ROLES = ("supervisor", "manager", "admin")  # GPX import of a person's past track
OPERATIONS_ROLES = ("manager", "admin")  # the ingest pipeline's health
TASK_ROLES = ("supervisor", "manager", "executive")  # the task board; executives read it only (issue 6)
CUSTOMER_ROLES = ("field", "supervisor", "manager", "executive")  # field staff see their own customers
# Issue 9: ERP import, period exports; an API token acts as this role (it is no sign-in role).
ERP_IMPORT_ROLES = ("manager", "admin")
EXPORT_ROLES = ("supervisor", "manager", "executive")
API_TOKEN_ROLE = "api"  # noqa: S105 - a role name, not a secret
REPORT_ROLES = ("supervisor", "manager", "executive")  # issue 8: reports of their scope
WALL_ROLES = ("wall",)  # issue 8: the wall display (/wall)
ANALYTICS_ROLES = ("supervisor", "manager", "executive")  # heatmap and performance (issue 5)
DAY_REPLAY_ROLES = ("field", "supervisor", "manager", "executive")  # one person's day; field: their own
PHONE_ROLES = ("field",)  # the phone page and its location sharing (issue 7)
PLANNER_ROLES = ("supervisor", "manager")  # plan and assign tasks; field staff only move their own
ALERT_ROLES = PLANNER_ROLES  # issue 17: the alerts inbox and the bell; they acknowledge and resolve
ALERT_RULE_ROLES = ("supervisor", "manager", "admin")  # issue 17: alert rules (supervisors for their teams)
PHOTO_AUDIT_ROLES = ("supervisor", "manager", "executive")  # issue 19: a photo's original, SHA-256, duplicate flag
ACTIVITY_LOG_ROLES = ("field", "supervisor", "manager")  # log a call, e-mail or meeting with a customer
TRACKER_SETUP_ROLES = ("field", "supervisor", "manager", "admin")  # tracker app settings and share links
PEOPLE_ADMIN_ROLES = ("manager", "admin")  # issue 18: add, change, move, deactivate people; teams (a scope limits)
# Issue 21: the visit plans page; supervisors and managers mark their teams' leave, admins set tiers, the calendar
# and the planner.
VISIT_PLAN_ROLES = ("supervisor", "manager", "admin")
PLAN_ADMIN_ROLES = ("admin",)

# Where a role lands after sign-in, when it may open that page; otherwise its first page in menu order.
HOME_PAGES = {"field": "/m", "executive": "/analytics/performance", "admin": "/admin/users", "wall": "/wall"}
# The tab bar at phone widths (dashboard/web/shell.py): a role's pages there, beside "More"; by default its home
# and the next pages of its menu.
PHONE_TABS = {"field": ("/m", "/customers", "/me")}
PHONE_TAB_COUNT = 3

# Dash's own page router: allowed for a path the viewer may open (or no page at all: a 404 page).
PAGE_ROUTER_OUTPUTS = frozenset({"_pages_content", "_pages_store"})
# Outputs that reveal one person in detail: never for the wall display.
DRILL_DOWN_OUTPUTS = frozenset({"livemap-selected", "livemap-details"})
# Outputs of the shell around every page (dashboard/web/shell.py), with the roles whose shell has them.
SHELL_OUTPUTS = {
    f"shell-alerts-{part}": ALERT_ROLES for part in ("bell", "count", "label", "seen")
}  # issue 17: the alerts' bell


@dataclass(frozen=True)
class Viewer:
    """Who is looking, and the scope every data read of theirs is filtered by."""

    user_id: int | None
    username: str
    role: str
    employee_id: int | None
    scope: Scope
    # An API token's maker's current role: a token answers no more about people than its maker sees.
    owner_role: str | None = None


def scope_for(role: str, employee_id: int | None, team_ids: list[int] | tuple[int, ...]) -> Scope:
    if role == "field":
        # Own data only; a field account with no employee record sees nothing.
        return Scope(team_ids=None if employee_id else frozenset(), employee_id=employee_id)
    if role == "supervisor":
        return Scope(team_ids=frozenset(team_ids))
    return Scope.everything()


def page_roles(page: dict) -> tuple[str, ...]:
    return tuple(page.get("roles") or ())


def role_sees_individuals(role: str, settings: dict) -> bool:
    """The one privacy rule for individuals: every role that sees people does, executives only when the
    organisation allows (`privacy.executive_sees_individuals`); the wall never."""
    if role == "executive":
        return bool(settings.get("privacy.executive_sees_individuals"))
    return role != "wall"


TRUST_ROLES = ("supervisor", "manager", "executive")  # issue 19: a check-in's trust score; never the person scored


def may_see_trust(viewer: Viewer, settings: dict) -> bool:
    """A check-in's trust score is a judgement of a person: supervisors and above who see individuals, while the
    organisation scores (`trust.enabled`; off where a works council says so). Never the field worker."""
    return bool(settings.get("trust.enabled")) and viewer.role in TRUST_ROLES and may_see_individuals(viewer, settings)


def may_see_individuals(viewer: Viewer, settings: dict) -> bool:
    """Names, live positions, help requests, nearest colleagues and per-person figures: pages of live positions
    (`individual_positions=True`), the callbacks of other pages that show people, the exports, the API (as the
    token's maker) and report downloads ask this; a report is built by role_sees_individuals of its author."""
    if viewer.owner_role is not None and not role_sees_individuals(viewer.owner_role, settings):
        return False
    return role_sees_individuals(viewer.role, settings)


def may_read_report(viewer: Viewer, names_individuals: bool | None, settings: dict) -> bool:
    """A report built teams-only is for anyone whose scope covers it; one that lists people (or was built before
    reports said so: None) only for a viewer who may see individuals."""
    return names_individuals is False or may_see_individuals(viewer, settings)


def may_open(viewer: Viewer, page: dict, settings: dict) -> bool:
    roles = page_roles(page)
    if viewer.role == "executive" and page.get("individual_positions"):
        return may_see_individuals(viewer, settings)
    return viewer.role in roles


def home_path(viewer: Viewer, pages: list[dict], settings: dict) -> str | None:
    """The viewer's landing page: the role's own, else "/" (the live map), else the first page of the menu."""
    allowed = [page["relative_path"] for page in menu_order(pages) if may_open(viewer, page, settings)]
    for path in (HOME_PAGES.get(viewer.role), "/"):
        if path in allowed:
            return path
    return allowed[0] if allowed else None


def phone_tabs(viewer: Viewer, pages: list[dict], settings: dict) -> list[dict]:
    """The pages of the viewer's tab bar at phone widths, in order (the menu's "More" holds them all)."""
    allowed = [page for page in menu_order(pages) if may_open(viewer, page, settings)]
    by_path = {page["relative_path"]: page for page in allowed}
    home = home_path(viewer, pages, settings)
    wanted = PHONE_TABS.get(viewer.role) or (home, *by_path)
    chosen = list(dict.fromkeys(path for path in wanted if path in by_path))
    return [by_path[path] for path in chosen[:PHONE_TAB_COUNT]]


def menu_order(pages: list[dict]) -> list[dict]:
    return sorted(pages, key=lambda page: page.get("order") or 0)


def output_ids(output: str) -> list[str]:
    """Component ids named by a callback's `output` string ("a.p" or "..a.p...b.q..")."""
    ids = []
    for part in output.strip(".").split("..."):
        component = part.rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                return []
        ids.append(component)
    return ids


def page_for_component(component_id: str, pages: list[dict]) -> dict | None:
    prefix = component_id.split("-", 1)[0]
    return next((page for page in pages if page.get("id_prefix") == prefix), None)


def may_run_callback(
    viewer: Viewer, output: str, pages: list[dict], settings: dict, pathname: str | None = None
) -> bool:
    ids = output_ids(output)
    if not ids:
        return False
    if set(ids) <= PAGE_ROUTER_OUTPUTS:
        page = next((p for p in pages if p.get("relative_path") == pathname), None)
        return page is None or may_open(viewer, page, settings)
    if set(ids) <= SHELL_OUTPUTS.keys():
        return all(viewer.role in SHELL_OUTPUTS[component] for component in ids)
    for component in ids:
        page = page_for_component(component, pages)
        if page is None or not may_open(viewer, page, settings):
            return False
        if component in DRILL_DOWN_OUTPUTS and not may_see_individuals(viewer, settings):
            return False
    return True
