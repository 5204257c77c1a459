"""Words the customer page and its callbacks share: the kinds of interaction a person logs."""

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
