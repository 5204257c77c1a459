"""The navigation shell around every page: brand, the pages' menu, the language switch."""

from __future__ import annotations

import dash
from dash import html

from dashboard.i18n import _, current_language

LANGUAGE_NAMES = {"en": "English", "zh-CN": "简体中文"}


def layout() -> html.Div:
    links = [
        html.A(_(page["name"]), href=page["relative_path"], className="nav-link")
        for page in sorted(dash.page_registry.values(), key=lambda page: page.get("order") or 0)
    ]
    language = current_language()
    switch = [
        html.A(name, href=f"/language/{code}", className="active" if code == language else "", lang=code)
        for code, name in LANGUAGE_NAMES.items()
    ]
    return html.Div(
        [
            html.Nav(
                className="navbar navbar-expand fo-nav px-3",
                children=[
                    html.A("FieldOps", href="/", className="navbar-brand"),
                    html.Div(links, className="navbar-nav me-auto"),
                    html.Div(switch, className="fo-lang"),
                ],
            ),
            dash.page_container,
        ]
    )
