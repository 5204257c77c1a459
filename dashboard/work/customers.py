"""Words the customer page and its callbacks share: the kinds of interaction a person logs, the visits' columns;
and the customer's contact (issue 21), the one way it is changed."""

from __future__ import annotations

import re

from dashboard.core.i18n import _
from dashboard.core.permissions import PLANNER_ROLES, Viewer
from dashboard.core.runtime import Runtime
from data import customers

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


CONTACT_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")  # as migration 0024's check, with a dot in the domain


class ContactError(ValueError):
    """A contact that cannot be saved; str(error) says why."""


def set_contact(rt: Runtime, viewer: Viewer, customer_id: int, name: object, email: object) -> None:
    """The customer's contact, to whom each visit's service report is e-mailed (both empty: nobody)."""
    if viewer.role not in PLANNER_ROLES:
        raise ContactError(_("Your role cannot change the customer's contact."))
    name = str(name or "").strip()
    email = str(email or "").strip()
    if len(name) > 200:
        raise ContactError(_("A contact's name is up to 200 characters."))
    if email and (len(email) > 254 or not CONTACT_EMAIL.match(email)):
        raise ContactError(_("Write an e-mail address such as name@example.com."))
    if not customers.set_contact(rt.db, viewer.scope, customer_id, name or None, email or None):
        raise ContactError(_("This customer is not in your view."))
