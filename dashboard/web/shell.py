"""The navigation shell around every page: brand, the pages' menu, the alerts' bell, the language switch."""

from __future__ import annotations

import dash
from dash import dcc, html
from flask import g

from dashboard.core.i18n import _, current_language
from dashboard.core.permissions import ALERT_ROLES, Viewer, home_path, may_open, menu_order, phone_tabs
from dashboard.core.runtime import runtime

LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}
MAIN_ID = "main-content"  # the skip link's target on every page
FLAT_MENU_MAX = 7  # up to this many pages, every page is a link of its own; beyond it, sections fold
BELL_REFRESH_MS = 5_000  # the bell asks the alerts' version this often (callbacks/shell.py)


def landing_path(viewer: Viewer) -> str | None:
    """Where the viewer goes after sign-in or from "/" when the live map is not theirs."""
    return home_path(viewer, list(dash.page_registry.values()), runtime().org_settings())


def layout() -> html.Div:
    viewer = g.get("viewer")  # absent when Dash validates the layout at start-up
    if viewer and viewer.role == "wall":
        return html.Div(dash.page_container)  # the wall display is full screen: no menu (issue 8)
    settings = runtime().org_settings()
    registry = menu_order(list(dash.page_registry.values()))
    allowed = [page for page in registry if viewer and may_open(viewer, page, settings)]
    links = _menu(allowed)
    language = current_language()
    switch = [
        html.A(
            name,
            href=f"/language/{code}",
            className="active" if code == language else "",
            lang=code,
            **({"aria-current": "true"} if code == language else {}),
        )
        for code, name in LANGUAGE_NAMES.items()
    ]
    return html.Div(
        [
            skip_link(),
            html.Nav(
                className="navbar navbar-expand fo-nav px-3",
                **{"aria-label": _("Main menu")},
                children=[
                    html.A(
                        "FieldOps", href=(landing_path(viewer) if viewer else None) or "/", className="navbar-brand"
                    ),
                    html.Div(links, className="navbar-nav me-auto"),
                    alerts_bell() if viewer and viewer.role in ALERT_ROLES else None,
                    html.Div(switch, className="fo-lang"),
                    html.Span(
                        viewer.username if viewer else "",
                        className="fo-user",
                        title=role_label(viewer.role) if viewer else "",
                        id="nav-user",
                    ),
                    _logout_button() if viewer and viewer.role != "wall" else None,
                ],
            ),
            html.Main(dash.page_container, id=MAIN_ID, tabIndex="-1"),
            _tab_bar(phone_tabs(viewer, registry, settings), allowed) if viewer else None,
        ]
    )


def alerts_bell() -> html.Div:
    """A bell linking to the alerts inbox with the open count; callbacks/shell.py fills it, red while a warning or
    a critical alert is open, grey for info only. Its name to a screen reader is "N open alerts"."""
    return html.Div(
        [
            html.A(
                [
                    html.Span(className="fo-bell-icon", **{"aria-hidden": "true"}),
                    html.Span(
                        id="shell-alerts-count", className="fo-bell-count", hidden=True, **{"aria-hidden": "true"}
                    ),
                    html.Span(_("Alerts"), id="shell-alerts-label", className="visually-hidden"),
                ],
                href="/alerts",
                id="shell-alerts-bell",
                className="fo-bell",
            ),
            dcc.Interval(id="shell-alerts-tick", interval=BELL_REFRESH_MS),
            dcc.Store(id="shell-alerts-seen"),
        ],
        className="fo-bell-wrap",
    )


def _tab_bar(tabs: list[dict], pages: list[dict]) -> html.Nav:
    """At phone widths the menu is this bar of thumb-sized tabs at the bottom instead (assets/fieldops.css):
    the role's tabs and "More", which opens every page of the menu; assets/mobile.js marks the current tab."""
    more = html.Details(
        [
            html.Summary(_("More"), className="fo-tab", id="tab-more"),
            html.Div([_link(page, "tab-page") for page in pages], className="fo-tab-menu"),
        ],
        className="fo-tab-more",
    )
    return html.Nav(
        [*(_link(page, "tab", tab_label(page)) for page in tabs), more],
        className="fo-tabbar",
        id="tab-bar",
        **{"aria-label": _("Tabs")},
    )


def tab_label(page: dict) -> str:
    labels = {"/m": _("Today")}  # the phone page's own title, shorter than its menu name
    return labels.get(page["relative_path"]) or _(page["name"])


def skip_link() -> html.A:
    """The first thing Tab reaches: past the menu to the page itself (visible only when focused)."""
    return html.A(_("Skip to main content"), href=f"#{MAIN_ID}", className="fo-skip", id="skip-link")


def _menu(pages: list[dict]) -> list:
    """The viewer's pages in menu order; pages of one `section` (register_page(..., section=)) fold
    into a drop-down where the section begins, when the menu is long and the section has several."""
    sections: dict[str, list[dict]] = {}
    for page in pages:
        sections.setdefault(page.get("section") or page["relative_path"], []).append(page)
    if len(pages) <= FLAT_MENU_MAX:
        return [_link(page) for page in pages]
    menu = []
    for key, members in sections.items():
        if len(members) == 1:
            menu.append(_link(members[0]))
            continue
        menu.append(
            html.Details(
                [
                    html.Summary(section_label(key), className="nav-link"),
                    html.Div([_link(page) for page in members], className="fo-menu-items"),
                ],
                className="fo-menu",
                id=f"nav-section-{key}",
            )
        )
    return menu


def _link(page: dict, kind: str = "nav", label: str | None = None) -> html.A:
    css = "fo-tab" if kind == "tab" else "nav-link"
    return html.A(label or _(page["name"]), href=page["relative_path"], className=css, id=f"{kind}-{page['id_prefix']}")


def section_label(section: str) -> str:
    labels = {"analytics": _("Analytics"), "data": _("Data"), "admin": _("Administration")}
    return labels.get(section, section)


def _logout_button() -> html.Button:
    # assets/session.js posts the sign-out with the CSRF header.
    return html.Button(
        _("Sign out"), type="button", className="btn btn-sm btn-outline-light fo-logout", id="nav-logout"
    )


def role_label(role: str) -> str:
    labels = {
        "field": _("Field staff"),
        "supervisor": _("Supervisor"),
        "manager": _("Manager"),
        "executive": _("Executive"),
        "admin": _("Administrator"),
        "wall": _("Wall display"),
    }
    return labels.get(role, role)
