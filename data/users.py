"""Users: who may sign in, with which role, seeing which teams."""

from __future__ import annotations

from data.db import Database

ROLES = ("field", "supervisor", "manager", "executive", "admin", "wall")
USER_COLUMNS = """u.id, u.username, u.password_hash, u.role, u.employee_id, u.language, u.disabled,
                  u.failed_logins, u.locked_until, u.session_version, u.last_login_at"""


def get_user(db: Database, user_id: int) -> dict | None:
    return db.fetch_one(
        f"""SELECT {USER_COLUMNS},
                   coalesce(array_agg(ut.team_id) FILTER (WHERE ut.team_id IS NOT NULL), '{{}}') AS team_ids
            FROM users u LEFT JOIN user_teams ut ON ut.user_id = u.id
            WHERE u.id = %s GROUP BY u.id""",  # noqa: S608 - USER_COLUMNS is a constant
        (user_id,),
    )


def user_by_name(db: Database, username: str) -> dict | None:
    return db.fetch_one(
        f"SELECT {USER_COLUMNS} FROM users u WHERE lower(u.username) = lower(%s)",  # noqa: S608 - constant
        (username,),
    )


def list_users(db: Database) -> list[dict]:
    return db.fetch_all(
        """SELECT u.id, u.username, u.role, u.disabled, u.last_login_at, u.locked_until, e.name AS employee_name,
                  coalesce(string_agg(t.name, ', ' ORDER BY t.name), '') AS teams
           FROM users u LEFT JOIN employees e ON e.id = u.employee_id
           LEFT JOIN user_teams ut ON ut.user_id = u.id LEFT JOIN teams t ON t.id = ut.team_id
           GROUP BY u.id, e.name ORDER BY u.username"""
    )


def create_user(
    db: Database,
    username: str,
    password_hash: str,
    role: str,
    employee_id: int | None = None,
    team_ids: list[int] | tuple[int, ...] = (),
) -> int:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            """INSERT INTO users (username, password_hash, role, employee_id) VALUES (%s, %s, %s, %s)
               RETURNING id""",
            (username, password_hash, role, employee_id),
        )
        user_id = cur.fetchone()[0]
        for team_id in team_ids:
            cur.execute("INSERT INTO user_teams (user_id, team_id) VALUES (%s, %s)", (user_id, team_id))
        return user_id


def set_password(db: Database, user_id: int, password_hash: str) -> None:
    db.execute(
        """UPDATE users SET password_hash = %s, session_version = session_version + 1,
                            failed_logins = 0, locked_until = NULL WHERE id = %s""",
        (password_hash, user_id),
    )


def set_disabled(db: Database, user_id: int, disabled: bool) -> None:
    db.execute(
        "UPDATE users SET disabled = %s, session_version = session_version + 1 WHERE id = %s", (disabled, user_id)
    )


def set_role_and_teams(db: Database, user_id: int, role: str, team_ids: list[int]) -> None:
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("UPDATE users SET role = %s, session_version = session_version + 1 WHERE id = %s", (role, user_id))
        cur.execute("DELETE FROM user_teams WHERE user_id = %s", (user_id,))
        for team_id in team_ids:
            cur.execute("INSERT INTO user_teams (user_id, team_id) VALUES (%s, %s)", (user_id, team_id))


def record_success(db: Database, user_id: int) -> None:
    db.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = %s", (user_id,)
    )


def end_sessions(db: Database, user_id: int) -> None:
    db.execute("UPDATE users SET session_version = session_version + 1 WHERE id = %s", (user_id,))


def set_email(db: Database, user_id: int, email: str | None) -> None:
    """Where the account's alert e-mail goes (None: its linked employee's address, if any)."""
    db.execute("UPDATE users SET email = %s WHERE id = %s", (email, user_id))


def planner_accounts(db: Database) -> list[dict]:
    """Enabled supervisors' and managers' accounts (id, username, role): who may be a person's supervisor."""
    return db.fetch_all(
        """SELECT id, username, role FROM users WHERE role IN ('supervisor', 'manager') AND NOT disabled
           ORDER BY username"""
    )
