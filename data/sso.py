"""Single sign-on (issue 18): the organisation's OpenID Provider settings and the accounts linked to it."""

from __future__ import annotations

import orjson

from data.db import Database

FIRST_SIGN_IN_LOCK = 727_018  # pg_advisory_xact_lock key: first sign-ins make accounts one at a time
CONFIG_COLUMNS = """enabled, display_name, issuer, client_id, client_secret, scopes, role_claim, role_map,
                    teams_claim, default_role, passwords_off, break_glass_username, updated_at"""


def get_config(db: Database) -> dict | None:
    """The stored settings, the client secret included (never shown: callers say only whether it is set)."""
    return db.fetch_one(f"SELECT {CONFIG_COLUMNS} FROM sso_config WHERE id")  # noqa: S608 - constant


def save_config(db: Database, values: dict, client_secret: str | None, user_id: int | None) -> None:
    """Store the settings; a `client_secret` of None keeps the stored one."""
    params = {**values, "role_map": orjson.dumps(values["role_map"]).decode(), "secret": client_secret}
    db.execute(
        """INSERT INTO sso_config (id, enabled, display_name, issuer, client_id, client_secret, scopes, role_claim,
                                   role_map, teams_claim, default_role, passwords_off, break_glass_username,
                                   updated_by)
           VALUES (true, %(enabled)s, %(display_name)s, %(issuer)s, %(client_id)s, %(secret)s, %(scopes)s,
                   %(role_claim)s, %(role_map)s, %(teams_claim)s, %(default_role)s, %(passwords_off)s,
                   %(break_glass_username)s, %(user_id)s)
           ON CONFLICT (id) DO UPDATE SET
               enabled = EXCLUDED.enabled, display_name = EXCLUDED.display_name, issuer = EXCLUDED.issuer,
               client_id = EXCLUDED.client_id,
               client_secret = coalesce(EXCLUDED.client_secret, sso_config.client_secret),
               scopes = EXCLUDED.scopes, role_claim = EXCLUDED.role_claim, role_map = EXCLUDED.role_map,
               teams_claim = EXCLUDED.teams_claim, default_role = EXCLUDED.default_role,
               passwords_off = EXCLUDED.passwords_off, break_glass_username = EXCLUDED.break_glass_username,
               updated_by = EXCLUDED.updated_by, updated_at = now()""",
        {**params, "user_id": user_id},
    )


def linked_user_id(db: Database, issuer: str, subject: str) -> int | None:
    row = db.fetch_one("SELECT user_id FROM user_identities WHERE issuer = %s AND subject = %s", (issuer, subject))
    return row["user_id"] if row else None


def create_linked_user(
    db: Database, issuer: str, subject: str, base_username: str, role: str, team_ids: list[int], email: str | None
) -> tuple[int, bool]:
    """The user linked to this provider account: made now without a password (named `base_username`, or with -2,
    -3 ... when taken) unless a sign-in running at the same moment made it first. Returns (user id, made now)."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s)", (FIRST_SIGN_IN_LOCK,))
        cur.execute("SELECT user_id FROM user_identities WHERE issuer = %s AND subject = %s", (issuer, subject))
        found = cur.fetchone()
        if found is not None:
            return found[0], False
        cur.execute(
            "SELECT lower(username) FROM users WHERE lower(username) LIKE lower(%s) || '%%'",
            (base_username.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),),
        )
        taken = {row[0] for row in cur.fetchall()}
        username = next(
            name
            for name in (base_username, *(f"{base_username}-{n}" for n in range(2, len(taken) + 3)))
            if name.lower() not in taken
        )
        cur.execute(
            "INSERT INTO users (username, password_hash, role, email) VALUES (%s, NULL, %s, %s) RETURNING id",
            (username, role, email),
        )
        user_id = cur.fetchone()[0]
        for team_id in team_ids:
            cur.execute("INSERT INTO user_teams (user_id, team_id) VALUES (%s, %s)", (user_id, team_id))
        cur.execute(
            "INSERT INTO user_identities (issuer, subject, user_id) VALUES (%s, %s, %s)", (issuer, subject, user_id)
        )
        return user_id, True
