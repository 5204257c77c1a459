"""Who may open which page and run which callback (dashboard/core/permissions.py), with plain Viewer
objects and page entries shaped like Dash's page registry: no app, no server. The whole app ×
every role is checked over HTTP in tests/integration/test_permissions_matrix.py."""

import pytest

from dashboard.core.permissions import (
    ADMIN_ROLES,
    ANALYTICS_ROLES,
    API_TOKEN_ROLE,
    DAY_REPLAY_ROLES,
    LIVE_MAP_ROLES,
    PEOPLE_ROLES,
    REPORT_ROLES,
    ROLES,
    WALL_ROLES,
    Viewer,
    home_path,
    may_open,
    may_read_report,
    may_run_callback,
    may_see_individuals,
    output_ids,
    phone_tabs,
    role_sees_individuals,
    scope_for,
)
from data.scope import Scope

LIVE_MAP = {
    "relative_path": "/",
    "order": 0,
    "roles": LIVE_MAP_ROLES,
    "id_prefix": "livemap",
    "individual_positions": True,
}
PHONE = {"relative_path": "/m", "order": 5, "roles": ("field",), "id_prefix": "mobile"}
PERFORMANCE = {"relative_path": "/analytics/performance", "order": 11, "roles": ANALYTICS_ROLES, "id_prefix": "perf"}
DAY_REPLAY = {
    "relative_path": "/analytics/day",
    "order": 12,
    "roles": DAY_REPLAY_ROLES,
    "id_prefix": "day",
    "individual_positions": True,
}
REPORTS = {"relative_path": "/reports", "order": 13, "roles": REPORT_ROLES, "id_prefix": "reports"}
USERS = {"relative_path": "/admin/users", "order": 50, "roles": ADMIN_ROLES, "id_prefix": "users"}
MY_DATA = {"relative_path": "/me", "order": 90, "roles": PEOPLE_ROLES, "id_prefix": "me"}
WALL = {"relative_path": "/wall", "order": 95, "roles": WALL_ROLES, "id_prefix": "wall"}
PAGES = [WALL, USERS, MY_DATA, LIVE_MAP, PHONE, REPORTS, DAY_REPLAY, PERFORMANCE]  # not in menu order on purpose

PRIVATE = {"privacy.executive_sees_individuals": False}
OPEN = {"privacy.executive_sees_individuals": True}


def viewer(role: str, employee_id: int | None = None, team_ids: tuple[int, ...] = ()) -> Viewer:
    return Viewer(
        user_id=1, username=role, role=role, employee_id=employee_id, scope=scope_for(role, employee_id, team_ids)
    )


# Scope


def test_field_staff_see_their_own_data_only():
    assert scope_for("field", 12, [1, 2]) == Scope(team_ids=None, employee_id=12)


def test_a_field_account_without_an_employee_record_sees_nothing():
    assert scope_for("field", None, [1]) == Scope(team_ids=frozenset(), employee_id=None)


def test_a_supervisor_sees_their_own_teams():
    assert scope_for("supervisor", None, [3, 1, 3]) == Scope(team_ids=frozenset({1, 3}))


@pytest.mark.parametrize("role", ["manager", "executive", "admin", "wall"])
def test_other_roles_see_the_whole_organisation(role):
    assert scope_for(role, None, [1]).all_teams


# Pages


@pytest.mark.parametrize(
    ("page", "allowed"),
    [
        (LIVE_MAP, {"field", "supervisor", "manager", "wall"}),
        (PHONE, {"field"}),
        (PERFORMANCE, {"supervisor", "manager", "executive"}),
        (DAY_REPLAY, {"field", "supervisor", "manager"}),
        (REPORTS, {"supervisor", "manager", "executive"}),
        (USERS, {"admin"}),
        (MY_DATA, {"field", "supervisor", "manager", "executive", "admin"}),
        (WALL, {"wall"}),
    ],
    ids=lambda value: value["relative_path"] if isinstance(value, dict) else None,
)
def test_each_role_opens_only_the_pages_that_name_it(page, allowed):
    assert {role for role in ROLES if may_open(viewer(role), page, PRIVATE)} == allowed


@pytest.mark.parametrize("page", [LIVE_MAP, DAY_REPLAY])
def test_executives_see_individual_positions_only_when_the_organisation_allows(page):
    assert not may_open(viewer("executive"), page, PRIVATE)
    assert not may_open(viewer("executive"), page, {})
    assert may_open(viewer("executive"), page, OPEN)


def test_the_organisations_setting_opens_nothing_to_other_roles():
    assert not may_open(viewer("admin"), LIVE_MAP, OPEN)


def test_a_page_that_names_no_roles_is_open_to_no_one():
    assert not any(may_open(viewer(role), {"relative_path": "/x", "id_prefix": "x"}, OPEN) for role in ROLES)


@pytest.mark.parametrize(
    ("role", "home"),
    [
        ("field", "/m"),
        ("supervisor", "/"),
        ("manager", "/"),
        ("executive", "/analytics/performance"),
        ("admin", "/admin/users"),
        ("wall", "/wall"),
    ],
)
def test_each_role_lands_on_its_home_page(role, home):
    assert home_path(viewer(role), PAGES, PRIVATE) == home


def test_a_role_without_its_home_page_lands_on_the_live_map_else_its_first_page_in_menu_order():
    without_home = [page for page in PAGES if page is not PHONE]
    assert home_path(viewer("field"), without_home, PRIVATE) == "/"
    assert home_path(viewer("executive"), [MY_DATA, REPORTS], PRIVATE) == "/reports"


def test_a_viewer_who_may_open_no_page_has_no_home():
    assert home_path(viewer("wall"), [USERS, MY_DATA], PRIVATE) is None


CUSTOMERS = {"relative_path": "/customers", "order": 3, "roles": ("field", "supervisor"), "id_prefix": "customers"}


def test_field_staff_tabs_at_phone_widths_are_today_customers_and_my_data():
    tabs = phone_tabs(viewer("field"), [*PAGES, CUSTOMERS], PRIVATE)
    assert [page["relative_path"] for page in tabs] == ["/m", "/customers", "/me"]


def test_other_roles_tabs_are_their_home_then_their_menu_and_never_a_page_they_may_not_open():
    assert [p["relative_path"] for p in phone_tabs(viewer("admin"), PAGES, PRIVATE)] == ["/admin/users", "/me"]
    tabs = phone_tabs(viewer("executive"), PAGES, PRIVATE)
    assert [p["relative_path"] for p in tabs] == ["/analytics/performance", "/reports", "/me"]


# Callbacks


@pytest.mark.parametrize(
    ("output", "ids"),
    [
        ("livemap-fleet.data", ["livemap-fleet"]),
        ("..livemap-fleet.data...livemap-count.children..", ["livemap-fleet", "livemap-count"]),
        ('{"index":["ALL"],"type":"tasks-row"}.n_clicks', ["tasks-row"]),
        ('{"type": oops}.children', []),
    ],
)
def test_a_callbacks_output_names_its_component_ids(output, ids):
    assert output_ids(output) == ids


def test_a_callback_is_allowed_exactly_when_its_page_is():
    assert may_run_callback(viewer("field"), "mobile-status.children", PAGES, PRIVATE)
    assert not may_run_callback(viewer("manager"), "mobile-status.children", PAGES, PRIVATE)
    assert may_run_callback(viewer("admin"), "users-table.rowData", PAGES, PRIVATE)
    assert not may_run_callback(viewer("supervisor"), "users-table.rowData", PAGES, PRIVATE)


def test_a_callback_writing_to_two_pages_needs_both():
    both = "..reports-list.children...users-table.rowData.."
    assert not may_run_callback(viewer("manager"), both, PAGES, PRIVATE)
    assert not may_run_callback(viewer("admin"), both, PAGES, PRIVATE)


def test_a_callback_of_no_known_page_is_refused():
    assert not may_run_callback(viewer("admin"), "nosuchpage-thing.children", PAGES, PRIVATE)
    assert not may_run_callback(viewer("admin"), "", PAGES, PRIVATE)


def test_the_wall_sees_the_map_but_never_drills_down_into_a_person():
    wall = viewer("wall")
    assert may_run_callback(wall, "livemap-fleet.data", PAGES, PRIVATE)
    assert not may_run_callback(wall, "livemap-details.children", PAGES, PRIVATE)
    assert not may_run_callback(wall, "livemap-selected.data", PAGES, PRIVATE)
    assert may_run_callback(viewer("supervisor", team_ids=(1,)), "livemap-details.children", PAGES, PRIVATE)


def test_the_page_router_serves_a_path_the_viewer_may_open_or_no_page_at_all():
    router = ".._pages_content.children..._pages_store.data.."
    assert may_run_callback(viewer("admin"), router, PAGES, PRIVATE, pathname="/admin/users")
    assert not may_run_callback(viewer("field"), router, PAGES, PRIVATE, pathname="/admin/users")
    assert may_run_callback(viewer("field"), router, PAGES, PRIVATE, pathname="/no/such/page")


# The one privacy rule for individuals (issue 15)


@pytest.mark.parametrize(
    ("role", "private", "open_"),
    [
        ("field", True, True),
        ("supervisor", True, True),
        ("manager", True, True),
        ("admin", True, True),
        ("executive", False, True),
        ("wall", False, False),
    ],
)
def test_who_sees_individuals(role, private, open_):
    assert role_sees_individuals(role, PRIVATE) is private and role_sees_individuals(role, OPEN) is open_
    assert may_see_individuals(viewer(role), PRIVATE) is private


def test_an_api_token_sees_no_more_people_than_its_maker():
    token = Viewer(1, "token:bi", API_TOKEN_ROLE, None, Scope.everything(), owner_role="executive")
    assert not may_see_individuals(token, PRIVATE) and may_see_individuals(token, OPEN)
    integration = Viewer(1, "token:erp", API_TOKEN_ROLE, None, Scope.everything(), owner_role="admin")
    assert may_see_individuals(integration, PRIVATE)


def test_a_report_listing_people_is_read_only_by_who_may_see_them():
    executive = viewer("executive")
    assert may_read_report(executive, False, PRIVATE)
    assert not may_read_report(executive, True, PRIVATE) and not may_read_report(executive, None, PRIVATE)
    assert may_read_report(executive, True, OPEN) and may_read_report(viewer("manager"), None, PRIVATE)
