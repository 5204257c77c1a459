"""Account commands shared by the admin pages and the CLI: validate, then write."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from dashboard.core.i18n import _
from dashboard.core.passwords import MIN_PASSWORD_LENGTH, hash_password
from dashboard.core.permissions import PEOPLE_ROLES
from dashboard.work.sso import load_config as load_sso_config
from data import employees, teams, users, wall_tokens
from data.db import Database

USERNAME = re.compile(r"^[A-Za-z0-9._@-]{3,64}$")


class AccountError(ValueError):
    """A request about accounts that cannot be carried out, with the reason."""


def create_account(
    db: Database,
    username: str,
    password: str,
    role: str,
    *,
    employee_code: str | None = None,
    team_ids: list[int] | None = None,
) -> int:
    username = username.strip()
    if not USERNAME.match(username):
        raise AccountError(_("A user name is 3-64 letters, digits or . _ @ -"))
    if role not in PEOPLE_ROLES:
        raise AccountError(_("Choose a role."))
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password has at least {n} characters.", n=MIN_PASSWORD_LENGTH))
    if users.user_by_name(db, username):
        raise AccountError(_("The user name {name} is taken.", name=username))
    employee_id = None
    if employee_code:
        row = employees.employee_by_code(db, employee_code)
        if row is None:
            raise AccountError(_("No employee has the code {code}.", code=employee_code))
        employee_id = row["id"]
    if role == "field" and employee_id is None:
        raise AccountError(_("A field account belongs to an employee: choose one."))
    if role == "supervisor" and not team_ids:
        raise AccountError(_("A supervisor supervises at least one team."))
    return users.create_user(db, username, hash_password(password), role, employee_id, team_ids or [])


def change_password(db: Database, username: str, password: str) -> None:
    row = _existing(db, username)
    config = load_sso_config(db)
    if not config.password_allowed(row["username"]):
        raise AccountError(
            _(
                "Passwords are switched off: {name} signs in with {provider}.",
                name=row["username"],
                provider=config.display_name,
            )
        )
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password has at least {n} characters.", n=MIN_PASSWORD_LENGTH))
    users.set_password(db, row["id"], hash_password(password))


def set_disabled(db: Database, username: str, disabled: bool) -> None:
    users.set_disabled(db, _existing(db, username)["id"], disabled)


EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def set_email(db: Database, username: str, email: str) -> None:
    """The account's e-mail for alert notifications; empty clears it (its employee's address is used, if any)."""
    row = _existing(db, username)
    email = email.strip()
    if email and (len(email) > 320 or not EMAIL.match(email)):
        raise AccountError(_("{email} is not an e-mail address.", email=email))
    users.set_email(db, row["id"], email or None)


def team_ids_by_name(db: Database, names: list[str]) -> list[int]:
    rows = teams.teams_by_name(db, names)
    missing = set(names) - {row["name"] for row in rows}
    if missing:
        raise AccountError(_("No team is named {names}.", names=", ".join(sorted(missing))))
    return [row["id"] for row in rows]


def new_wall_token(db: Database, name: str, days: int, created_by: int | None) -> str:
    """Create a wall display token; the token itself is shown once and stored only hashed."""
    if not 1 <= days <= 3650:
        raise AccountError(_("A wall token lasts 1 to 3650 days."))
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise AccountError(_("A wall display needs a name (up to 100 characters)."))
    token = secrets.token_urlsafe(32)
    wall_tokens.create(db, name, token, datetime.now(UTC) + timedelta(days=days), created_by)
    return token


def _existing(db: Database, username: str) -> dict:
    row = users.user_by_name(db, username)
    if row is None:
        raise AccountError(_("There is no user {name}.", name=username))
    return row
