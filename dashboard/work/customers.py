"""Words the customer page and its callbacks share: the kinds of interaction a person logs, the visits' columns."""

from __future__ import annotations

from dashboard.core.i18n import _

INTERACTIONS = ("call", "email", "meeting", "note")


def interaction_label(kind: str) -> str:
    labels = {
        "call": _("Call"),
        "email": _("E-mail"),
        "meeting": _("Meeting"),
        "note": _("Note"),
        "check_in": _("Check-in"),
        "check_out": _("Check-out"),
    }
    return labels.get(kind, kind)


def visit_columns() -> list[tuple[str, str]]:
    """The customer page's visits grid: field and header. Supervisors also get the trust column (issue 19)."""
    return [("when", _("When")), ("who", _("Who")), ("minutes", _("Minutes")), ("notes", _("Notes"))]


def trust_column() -> dict:
    """A visit's trust score and reasons, coloured by its band (fieldops.css .fo-trust-*)."""
    return {
        "field": "trust",
        "headerName": _("Trust"),
        "sortable": True,
        "filter": True,
        "cellClass": {"function": "params.data.band ? 'fo-trust-cell fo-trust-' + params.data.band : ''"},
        "tooltipField": "trust",
    }
