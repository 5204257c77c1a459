"""API tokens (issue 9): issued by an admin with scopes and an optional team limit, turned by the
guard into the same Viewer and Scope every page uses, so the API reads exactly what the UI shows."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from dashboard.core.i18n import _
from dashboard.core.permissions import API_TOKEN_ROLE, Viewer
from data import api_tokens
from data.db import Database
from data.scope import Scope

TOKEN_PREFIX = "fop_"  # noqa: S105 - marks our tokens, not a secret
READ_RESOURCES = (
    "employees",
    "teams",
    "devices",
    "customers",
    "orders",
    "tasks",
    "activities",
    "positions",
    "feedback",
    "attendance",
    "reports",
    "metrics",
    "alerts",  # issue 17: alerts and alert rules
    "consents",  # issue 19: the consent register
    "forms",  # issue 21: visit forms' answers
    "coverage",  # issue 21: visit coverage and overdue customers
)
WRITE_RESOURCES = ("customers", "orders", "alerts", "people", "tasks")  # issue 18: people = employees and teams
SCOPES = tuple(f"{r}:read" for r in READ_RESOURCES) + tuple(f"{r}:write" for r in WRITE_RESOURCES)
VALID_DAYS = (30, 90, 365)


class TokenError(ValueError):
    """A token that cannot be issued as asked, with the reason shown to the admin."""


def issue(
    db: Database, name: str, scopes: Sequence[str], team_ids: Sequence[int] | None, days: int, created_by: int | None
) -> str:
    """A new token; it is shown once, only its hash is kept."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise TokenError(_("Give the token a name."))
    chosen = [s for s in SCOPES if s in set(scopes)]
    if not chosen or len(chosen) != len(set(scopes)):
        raise TokenError(_("Choose at least one scope."))
    if days not in VALID_DAYS:
        raise TokenError(_("Choose how long the token works."))
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + timedelta(days=days)
    api_tokens.create(db, name, token, chosen, sorted(set(team_ids)) if team_ids else None, expires, created_by)
    return token


def token_viewer(db: Database, token: str) -> tuple[Viewer, frozenset[str], int] | None:
    """The viewer a valid token acts as, its scopes and its id (whose Idempotency-Keys are its own); None for an
    unknown, revoked or expired one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = api_tokens.valid_token(db, token, datetime.now(UTC))
    if row is None:
        return None
    scope = Scope(team_ids=frozenset(row["team_ids"])) if row["team_ids"] is not None else Scope.everything()
    viewer = Viewer(row["created_by"], f"token:{row['name']}", API_TOKEN_ROLE, None, scope, row["owner_role"])
    return viewer, frozenset(row["scopes"]), row["id"]
