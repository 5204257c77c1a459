"""The pages' callbacks, one module per page; `register_all` wires every one into an app."""

from __future__ import annotations

from dash import Dash

from callbacks import (
    admin_audit,
    admin_consent,
    admin_devices,
    admin_forms,
    admin_integration,
    admin_maps,
    admin_people,
    admin_plans,
    admin_privacy,
    admin_sso,
    admin_teams,
    admin_users,
    admin_zones,
    alert_rules,
    alerts,
    analytics_day,
    analytics_heatmap,
    analytics_performance,
    coverage,
    customers,
    erp_import,
    exports,
    gpx_import,
    live_map,
    mobile,
    my_data,
    ops_ingest,
    people_import,
    reports,
    shell,
    tasks,
    trackers,
    wall,
)

PAGES = (
    live_map,
    gpx_import,
    ops_ingest,
    admin_users,
    admin_teams,
    admin_zones,
    admin_devices,
    admin_privacy,
    admin_audit,
    my_data,
    mobile,
    trackers,
    tasks,
    customers,
    admin_integration,  # issue 9: API & webhooks, ERP import, exports
    erp_import,
    exports,
    reports,
    wall,
    analytics_heatmap,  # issue 5
    analytics_performance,
    analytics_day,
    alerts,  # issue 17: the inbox, and the shell's bell
    shell,
    alert_rules,  # issue 17
    admin_sso,  # issue 18: single sign-on
    people_import,  # issue 18
    admin_people,  # issue 18: the People page
    admin_maps,  # issue 19: tiles, coordinate system, filing numbers
    admin_consent,  # issue 19: the consent register
    admin_plans,  # issue 21: visit plans
    coverage,  # issue 21: visit plans' coverage
    admin_forms,  # issue 21: visit forms and the parts catalogue
)


def register_all(app: Dash) -> None:
    """Register every page's callbacks on `app`, in a fixed order."""
    for page in PAGES:
        page.register(app)
