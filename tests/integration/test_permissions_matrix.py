"""Every page, every callback and every route × every role and anonymous → the expected status;
and no row outside the viewer's scope in any payload."""

from __future__ import annotations

import json

import dash
import pytest

from dashboard.core.permissions import ROLES
from data.feed import Fix
from tests.conftest import (
    callback_body,
    csrf_headers,
    make_app,
    password_of,
    post_callback,
    server_callbacks,
    sign_in,
    sign_in_wall,
)

VIEWERS = ("anonymous", *ROLES)
# Which pages each role opens (executives see live positions only when the organisation allows).
PAGE_ACCESS = {
    "/": {"field", "supervisor", "manager", "wall"},
    "/me": {"field", "supervisor", "manager", "executive", "admin"},
    "/m": {"field"},
    "/trackers": {"field", "supervisor", "manager", "admin"},
    "/import/gpx": {"supervisor", "manager", "admin"},
    "/ops/ingest": {"manager", "admin"},
    "/admin/users": {"admin"},
    "/admin/teams": {"admin"},
    "/admin/zones": {"admin"},
    "/admin/devices": {"admin"},
    "/admin/privacy": {"admin"},
    "/admin/consent": {"admin"},
    "/admin/audit": {"admin"},
    "/reports": {"supervisor", "manager", "executive"},  # issue 8
    "/wall": {"wall"},  # issue 8
    "/analytics/heatmap": {"supervisor", "manager", "executive"},
    "/analytics/performance": {"supervisor", "manager", "executive"},
    "/analytics/day": {"field", "supervisor", "manager"},  # executives: only with executive_sees_individuals
    "/tasks": {"supervisor", "manager", "executive"},
    "/alerts/rules": {"supervisor", "manager", "admin"},  # issue 17
    "/customers": {"field", "supervisor", "manager", "executive"},
    "/admin/integration": {"admin"},  # issue 9
    "/admin/sso": {"admin"},  # issue 18
    "/admin/maps": {"admin"},  # issue 19
    "/admin/forms": {"admin"},  # issue 21
    "/import/erp": {"manager", "admin"},
    "/exports": {"supervisor", "manager", "executive"},
    "/alerts": {"supervisor", "manager"},  # issue 17
    "/admin/people/import": {"manager", "admin"},  # issue 18
    "/admin/people": {"manager", "admin"},  # issue 18
    "/admin/plans": {"supervisor", "manager", "admin"},  # issue 21
    "/analytics/coverage": {"supervisor", "manager", "executive"},  # issue 21
}


@pytest.fixture(scope="module")
def app(servers, templates):
    from tests.conftest import _make_settings

    gen = _make_settings(servers, templates, "seeded")
    settings = next(gen)
    app = make_app(settings)
    yield app
    app.server.extensions["fieldops"].close()
    next(gen, None)


def _client(app, viewer: str):
    client = app.server.test_client()
    if viewer == "wall":
        assert sign_in_wall(client).status_code == 302
    elif viewer != "anonymous":
        assert sign_in(client, viewer).status_code == 302
    else:
        client.get("/login")  # an anonymous visitor still has a CSRF token
    return client


def test_every_registered_page_is_in_the_matrix(app):
    assert {page["relative_path"] for page in dash.page_registry.values()} == set(PAGE_ACCESS)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("path", sorted(PAGE_ACCESS))
def test_pages(app, viewer, path):
    answer = _client(app, viewer).get(path)
    if viewer == "anonymous":
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/login")
    elif viewer in PAGE_ACCESS[path]:
        assert answer.status_code == 200
    elif path == "/":
        assert answer.status_code == 302  # home: the viewer's own first page instead (see below)
    else:
        assert answer.status_code == 403


# Where each person lands after signing in: their own work, never a "no access" page.
LANDING = {"field": "/m", "supervisor": "/", "manager": "/", "admin": "/admin/users"}


@pytest.mark.parametrize("viewer", sorted(LANDING))
def test_each_role_lands_on_a_page_it_may_open(app, viewer):
    client = app.server.test_client()
    answer = sign_in(client, viewer)
    assert answer.status_code == 302 and answer.headers["Location"] == LANDING[viewer]
    assert client.get(LANDING[viewer]).status_code == 200


@pytest.mark.parametrize(
    ("viewer", "asked_for", "lands"),
    [
        *((viewer, "/", home) for viewer, home in sorted(LANDING.items())),  # the form's next after a visit to "/"
        ("field", "/me", "/me"),
        ("field", "/customers?customer=3", "/customers?customer=3"),
        ("supervisor", "/?person=1", "/?person=1"),
    ],
)
def test_a_deep_link_is_kept_and_home_is_the_roles_own(app, viewer, asked_for, lands):
    client = app.server.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {"username": viewer, "password": password_of(viewer), "csrf_token": token, "next": asked_for}
    answer = client.post("/login", data=form)
    assert answer.status_code == 302 and answer.headers["Location"] == lands
    assert client.get(f"/login?next={asked_for}").headers["Location"] == lands  # signed in already: the same


def test_a_deep_link_asked_for_before_sign_in_keeps_its_query(app):
    answer = app.server.test_client().get("/customers?customer=3&tab=visits")
    assert (
        answer.status_code == 302
        and answer.headers["Location"] == "/login?next=/customers%3Fcustomer%3D3%26tab%3Dvisits"
    )


def test_home_sends_a_viewer_who_may_not_see_the_live_map_to_their_first_page(app):
    client = _client(app, "executive")
    answer = client.get("/")
    assert answer.status_code == 302
    assert client.get(answer.headers["Location"]).status_code == 200
    assert _client(app, "admin").get("/").headers["Location"] == "/admin/users"


def _page_of(output: str) -> str | None:
    prefix = output.strip(".").split("-", 1)[0]
    return next((p["relative_path"] for p in dash.page_registry.values() if p["id_prefix"] == prefix), None)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_callbacks(app, viewer):
    client = _client(app, viewer)
    headers = csrf_headers(client)
    checked = 0
    for output, spec in server_callbacks(app):
        body = callback_body(output, spec)
        page = _page_of(output)
        if page is None:
            continue  # Dash's page router: covered by test_the_page_router_serves_only_allowed_pages
        answer = client.post(
            "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=headers
        )
        drill_down = "livemap-selected" in output or "livemap-details" in output
        allowed = viewer in PAGE_ACCESS[page] and not (viewer == "wall" and drill_down)
        if viewer == "anonymous":
            assert answer.status_code == 401, output
        elif allowed:
            assert answer.status_code in (200, 204), (output, answer.status_code, answer.data[:300])
        else:
            assert answer.status_code == 403, (output, viewer)
        checked += 1
    assert checked >= 15


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_the_page_router_serves_only_allowed_pages(app, viewer):
    client = _client(app, viewer)
    router = next(o for o in app.callback_map if "_pages_content" in o)
    spec = app.callback_map[router]
    for path, roles in PAGE_ACCESS.items():
        inputs = [
            {"id": i["id"], "property": i["property"], "value": path if i["property"] == "pathname" else None}
            for i in spec["inputs"]
        ]
        body = {
            "output": router,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": inputs,
            "state": [],
            "changedPropIds": ["_pages_location.pathname"],
        }
        answer = client.post(
            "/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers=csrf_headers(client),
        )
        assert answer.status_code == (200 if viewer in roles else 403), (path, viewer)


def _location(prop: str, value: str, component: str = "_pages_location") -> dict:
    return {"id": component, "property": prop, "value": value}


# Inputs of the page router that are not the declared (pathname, search): Dash binds by position, so each of
# these would hand Dash a pathname other than the one a guard reading "the input named pathname" checks.
MISMATCHED_ROUTER_INPUTS = {
    "search before pathname": lambda page: [_location("search", page), _location("pathname", "/m")],
    "pathname twice": lambda page: [_location("pathname", "/m"), _location("pathname", page)],
    "a third input": lambda page: [_location("search", page), _location("pathname", "/m"), _location("pathname", "/m")],
    "another component's pathname": lambda page: [_location("pathname", page, "_pages_store"), _location("search", "")],
    "pathname only": lambda page: [_location("pathname", "/m")],
    "a list for a plain input": lambda page: [[_location("pathname", page)], _location("search", "")],
}


@pytest.mark.parametrize("shape", sorted(MISMATCHED_ROUTER_INPUTS))
def test_the_page_router_refuses_inputs_that_differ_from_its_declaration(app, shape):
    client = _client(app, "field")
    router = next(o for o in app.callback_map if "_pages_content" in o)
    forbidden = sorted(path for path, roles in PAGE_ACCESS.items() if "field" not in roles)
    for page in forbidden:
        body = {
            "output": router,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": MISMATCHED_ROUTER_INPUTS[shape](page),
            "state": [],
            "changedPropIds": ["_pages_location.pathname"],
        }
        answer = client.post(
            "/_dash-update-component",
            data=json.dumps(body),
            content_type="application/json",
            headers=csrf_headers(client),
        )
        assert answer.status_code == 400, (shape, page, answer.status_code)
        assert answer.json["error"]["code"] == "invalid_callback"
    well_formed = [_location("pathname", "/m"), _location("search", "")]
    body["inputs"] = well_formed
    answer = client.post(
        "/_dash-update-component", data=json.dumps(body), content_type="application/json", headers=csrf_headers(client)
    )
    assert answer.status_code == 200


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("anonymous", 401),
        ("field", 200),
        ("supervisor", 404),
        ("manager", 404),
        ("executive", 404),
        ("admin", 404),
        ("wall", 403),
    ],
)
def test_my_data_export(app, viewer, status):
    # Only the field account is linked to an employee in the demo; the others have nothing to export.
    assert _client(app, viewer).get("/me/export").status_code == status


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("anonymous", 401),
        ("field", 403),
        ("supervisor", 404),
        ("manager", 404),
        ("executive", 404),
        ("admin", 403),
        ("wall", 403),
    ],
)
def test_report_files(app, viewer, status):
    # Issue 8: report roles reach the route (no such report here: 404); everyone else is refused by the guard.
    assert _client(app, viewer).get("/reports/file/999999/report.pdf").status_code == status


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_device_endpoint_wants_a_device_not_a_session(app, viewer):
    client = _client(app, viewer)
    answer = client.post("/api/v1/positions", json={"positions": []}, headers=csrf_headers(client))
    assert answer.status_code == 401


def _fleet(client, team=None):
    answer = post_callback(
        client,
        "livemap-feed.data",
        {"livemap-tick.n_intervals": 1, "livemap-team.value": team},
        {"livemap-cursor.data": None},
        changed="livemap-tick.n_intervals",
    )
    assert answer.status_code == 200
    return answer.get_json()["response"]["livemap-feed"]["data"]


def test_no_row_outside_the_viewers_scope(app):
    rt = app.server.extensions["fieldops"]
    people = rt.db.fetch_all("SELECT e.id, e.team_id, t.name FROM employees e JOIN teams t ON t.id = e.team_id")
    rt.feed.publish([Fix(p["id"], 1_790_000_000_000, 60.17, 24.94) for p in people], "native")
    north = {p["id"] for p in people if p["name"] == "North"}
    field_id = rt.db.fetch_one("SELECT employee_id FROM users WHERE username = 'field'")["employee_id"]
    other_team = next(p["team_id"] for p in people if p["name"] != "North")

    supervisor = _client(app, "supervisor")
    assert set(_fleet(supervisor)["id"]) == north
    assert _fleet(supervisor, team=other_team)["id"] == []  # choosing another team shows nothing
    assert set(_fleet(_client(app, "field"))["id"]) == {field_id}
    assert set(_fleet(_client(app, "manager"))["id"]) == {p["id"] for p in people}


def test_a_supervisor_cannot_open_another_teams_person(app):
    rt = app.server.extensions["fieldops"]
    outsider = rt.db.fetch_one(
        "SELECT e.id FROM employees e JOIN teams t ON t.id = e.team_id WHERE t.name <> 'North' LIMIT 1"
    )["id"]
    answer = post_callback(
        _client(app, "supervisor"),
        "livemap-details.children",
        {"livemap-selected.data": outsider, "livemap-details-tick.n_intervals": None},
        changed="livemap-selected.data",
    )
    assert answer.status_code == 200
    assert "not in your view" in answer.get_data(as_text=True)


def test_executives_see_live_positions_only_when_the_organisation_allows(app):
    from data import org_settings

    rt = app.server.extensions["fieldops"]
    executive = _client(app, "executive")
    assert executive.get("/").headers["Location"] != "/"  # sent to a page of aggregates instead
    org_settings.set_setting(rt.db, "privacy.executive_sees_individuals", True, None)
    rt.forget_org_settings()
    try:
        assert executive.get("/").status_code == 200
    finally:
        org_settings.set_setting(rt.db, "privacy.executive_sees_individuals", False, None)
        rt.forget_org_settings()


def test_field_staff_see_only_their_own_team_zones_and_customers(app):
    from data import customers, teams, zones
    from data.scope import Scope

    rt = app.server.extensions["fieldops"]
    me = rt.db.fetch_one(
        "SELECT e.id, e.team_id FROM users u JOIN employees e ON e.id = u.employee_id WHERE u.username = 'field'"
    )
    scope = Scope(employee_id=me["id"])
    assert [t["id"] for t in teams.list_teams(rt.db, scope)] == [me["team_id"]]
    mine = customers.list_customers(rt.db, scope)
    assert mine and all(c["owner_employee_id"] == me["id"] for c in mine)
    for zone in zones.list_zones(rt.db, scope):
        assert zone["team_id"] == me["team_id"] or zone["customer_id"] in {c["id"] for c in mine}


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("anonymous", 401),
        ("field", 400),  # allowed; an empty batch has no position to accept
        ("supervisor", 403),
        ("manager", 403),
        ("executive", 403),
        ("admin", 403),
        ("wall", 403),
    ],
)
def test_the_phones_position_endpoint_is_for_field_staff_only(app, viewer, status):
    client = _client(app, viewer)
    answer = client.post("/api/v1/me/positions", json={"positions": []}, headers=csrf_headers(client))
    assert answer.status_code == status
    assert answer.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("anonymous", 401),
        ("field", 404),  # allowed; no such task on their list
        ("supervisor", 403),
        ("manager", 403),
        ("executive", 403),
        ("admin", 403),
        ("wall", 403),
    ],
)
def test_the_phones_visit_forms_are_for_field_staff_only(app, viewer, status):
    """Issue 21: a task's form, its changes and its files, for the field person's own tasks only."""
    client = _client(app, viewer)
    assert client.get("/api/v1/me/forms/999999").status_code == status
    answer = client.post("/api/v1/me/forms/999999/answers", json={"ops": []}, headers=csrf_headers(client))
    assert answer.status_code == (400 if viewer == "field" else status)  # no change sent: refused before the task
    assert answer.get_json()["error"]["message"]


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("path", ["/m/manifest.webmanifest", "/m/sw.js", "/m/icon.svg"])
def test_the_phone_pages_pwa_files_are_open_and_hold_no_data(app, viewer, path):
    assert _client(app, viewer).get(path).status_code == 200


@pytest.mark.parametrize("viewer", VIEWERS)
def test_a_share_link_with_an_unknown_token_shows_nothing(app, viewer):
    client = _client(app, viewer)
    assert client.get("/share/not-a-token").status_code == 404
    assert client.get("/share/not-a-token/position").status_code == 404


@pytest.mark.parametrize("viewer", VIEWERS)
def test_csv_exports_follow_the_export_roles(app, viewer):
    """Issue 9: attendance and visits downloads for the roles that read the field's day, none for others; issue 15:
    not for executives while the organisation hides individuals from them (the default)."""
    client = _client(app, viewer)
    allowed = PAGE_ACCESS["/exports"] - {"executive"}
    for path in ("/export/attendance.csv", "/export/visits.csv", "/export/activities.csv", "/export/form-answers.xlsx"):
        status = client.get(f"{path}?from=2026-01-01&to=2026-01-31").status_code
        assert status == (200 if viewer in allowed else 401 if viewer == "anonymous" else 403)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_token_api_takes_no_session(app, viewer):
    """Issue 9: whoever is signed in, the token API wants a token (a cookie never authorises it)."""
    client = _client(app, viewer)
    assert client.get("/api/v1/employees").status_code == 401
    assert client.post("/api/v1/import/customers", json={"rows": []}, headers=csrf_headers(client)).status_code == 401
