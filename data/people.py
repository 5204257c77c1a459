"""Writes of people and teams (issue 18), each in one transaction with its history row (`people_changes`) and its
webhook (`employee.*`, `team.*`), so an ERP hears of exactly what was committed. The values are checked first by
dashboard/work/people.py, the only caller. `by` is who changes: {"user_id", "username"}.

A `version` is the row's xmin (data/employees.PERSON_COLUMNS): a write given one changes the row only if nobody
changed it since it was read, and returns None otherwise."""

from __future__ import annotations

from collections.abc import Iterable

import orjson
from psycopg2.extras import RealDictCursor

from data import webhooks
from data.db import Database
from data.employees import PERSON_COLUMNS, PERSON_FIELDS, PERSON_FROM
from data.teams import TEAM_COLUMNS

# What the API answers and the webhooks announce of a person and of a team.
PUBLIC_PERSON = ("id", *PERSON_FIELDS, "active", "deactivated_at", "created_at", "updated_at")
PUBLIC_TEAM = ("id", "name", "color", "external_id", "members", "supervisor_ids", "created_at", "updated_at")
TEAM_FIELDS = ("name", "color", "external_id")


def public_person(person: dict) -> dict:
    return {key: person[key] for key in PUBLIC_PERSON}


def public_team(team: dict) -> dict:
    return {key: team[key] for key in PUBLIC_TEAM}


def _record(cur: RealDictCursor, by: dict, action: str, **change: object) -> None:
    cur.execute(
        """INSERT INTO people_changes (employee_id, team_id, action, detail, user_id, username)
           VALUES (%(employee_id)s, %(team_id)s, %(action)s, %(detail)s, %(user_id)s, %(username)s)""",
        {
            "employee_id": change.get("employee_id"),
            "team_id": change.get("team_id"),
            "action": action,
            "detail": orjson.dumps(change.get("detail") or {}, default=str).decode(),
            "user_id": by.get("user_id"),
            "username": by["username"],
        },
    )


def _person(cur: RealDictCursor, employee_id: int) -> dict:
    cur.execute(f"SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE e.id = %s", (employee_id,))  # noqa: S608
    return dict(cur.fetchone())


def _team(cur: RealDictCursor, team_id: int) -> dict:
    cur.execute(f"SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = %s", (team_id,))  # noqa: S608 - a constant
    return dict(cur.fetchone())


def _announce_person(cur: RealDictCursor, event: str, employee_id: int, extra: dict | None = None) -> dict:
    person = _person(cur, employee_id)
    webhooks.enqueue(cur, event, {"employee": public_person(person), **(extra or {})})
    return person


def _announce_team(cur: RealDictCursor, event: str, team_id: int, extra: dict | None = None) -> dict:
    team = _team(cur, team_id)
    webhooks.enqueue(cur, event, {"team": public_team(team), **(extra or {})})
    return team


# People


def _insert(cur: RealDictCursor, person: dict) -> int:
    columns = ", ".join(PERSON_FIELDS)
    values = ", ".join(f"%({f})s" for f in PERSON_FIELDS)
    cur.execute(f"INSERT INTO employees ({columns}) VALUES ({values}) RETURNING id", person)  # noqa: S608
    return cur.fetchone()["id"]


def _update(cur: RealDictCursor, employee_id: int, changes: dict, version: str | None) -> bool:
    sets = "".join(f"{f} = %({f})s, " for f in changes if f in PERSON_FIELDS)
    cur.execute(
        f"""UPDATE employees SET {sets}updated_at = clock_timestamp()
            WHERE id = %(id)s AND (%(version)s::text IS NULL OR xmin::text = %(version)s)""",  # noqa: S608
        {**changes, "id": employee_id, "version": version},
    )
    return cur.rowcount == 1


def add_person(db: Database, person: dict, by: dict) -> dict:
    """A new, active person (every PERSON_FIELDS key given); returns their record."""
    with db.cursor() as cur:
        employee_id = _insert(cur, person)
        _record(cur, by, "created", employee_id=employee_id, team_id=person["team_id"], detail=person)
        return _announce_person(cur, "employee.created", employee_id)


def change_person(
    db: Database, employee_id: int, changes: dict, version: str | None, by: dict, before: dict
) -> dict | None:
    """Write some PERSON_FIELDS; None when `version` is stale. A change of team alone is recorded as a move; a
    move signs the person's accounts out (a session's scope is read when it signs in)."""
    with db.cursor() as cur:
        if not _update(cur, employee_id, changes, version):
            return None
        action = "moved" if set(changes) == {"team_id"} else "updated"
        detail = {key: [before[key], value] for key, value in changes.items()}
        _record(cur, by, action, employee_id=employee_id, team_id=changes.get("team_id"), detail=detail)
        if "team_id" in changes:
            cur.execute("UPDATE users SET session_version = session_version + 1 WHERE employee_id = %s", (employee_id,))
        return _announce_person(cur, "employee.updated", employee_id, {"changed": sorted(changes)})


def deactivate_person(db: Database, employee_id: int, by: dict) -> tuple[bool, int]:
    """Mark the person inactive (the moment kept) and disable and sign out their accounts. Returns (whether they
    were active, how many accounts were signed out)."""
    with db.cursor() as cur:
        cur.execute(
            """UPDATE employees SET active = false, deactivated_at = clock_timestamp(), updated_at = clock_timestamp()
               WHERE id = %s AND active RETURNING team_id""",
            (employee_id,),
        )
        row = cur.fetchone()
        cur.execute(
            """UPDATE users SET disabled = true, session_version = session_version + 1
               WHERE employee_id = %s AND NOT disabled""",
            (employee_id,),
        )
        signed_out = cur.rowcount
        if row is not None:
            _record(cur, by, "deactivated", employee_id=employee_id, team_id=row["team_id"])
            _announce_person(cur, "employee.deactivated", employee_id)
        return row is not None, signed_out


def reactivate_person(db: Database, employee_id: int, by: dict) -> bool:
    """Mark the person active again and enable their accounts; False when they were active."""
    with db.cursor() as cur:
        cur.execute(
            """UPDATE employees SET active = true, deactivated_at = NULL, updated_at = clock_timestamp()
               WHERE id = %s AND NOT active RETURNING team_id""",
            (employee_id,),
        )
        row = cur.fetchone()
        if row is None:
            return False
        cur.execute("UPDATE users SET disabled = false WHERE employee_id = %s AND disabled", (employee_id,))
        _record(cur, by, "reactivated", employee_id=employee_id, team_id=row["team_id"])
        _announce_person(cur, "employee.reactivated", employee_id)
        return True


def write_import(db: Database, creates: Iterable[dict], updates: Iterable[tuple[dict, dict]], by: dict) -> None:
    """An import's new people and changes (each (stored person, changes)), all in one transaction."""
    with db.cursor() as cur:
        for person in creates:
            employee_id = _insert(cur, person)
            _record(cur, by, "created", employee_id=employee_id, team_id=person["team_id"], detail=person)
            _announce_person(cur, "employee.created", employee_id)
        for before, changes in updates:
            _update(cur, before["id"], changes, None)
            detail = {key: [before[key], value] for key, value in changes.items()}
            _record(cur, by, "updated", employee_id=before["id"], team_id=changes.get("team_id"), detail=detail)
            _announce_person(cur, "employee.updated", before["id"], {"changed": sorted(changes)})


# Teams


def add_team(db: Database, team: dict, by: dict) -> dict:
    """A new team (name, color, external_id); returns its record."""
    with db.cursor() as cur:
        cur.execute(
            "INSERT INTO teams (name, color, external_id) VALUES (%(name)s, %(color)s, %(external_id)s) RETURNING id",
            team,
        )
        team_id = cur.fetchone()["id"]
        _record(cur, by, "team_created", team_id=team_id, detail=team)
        return _announce_team(cur, "team.created", team_id)


def change_team(db: Database, team_id: int, changes: dict, version: str | None, by: dict, before: dict) -> dict | None:
    """Write some TEAM_FIELDS (a rename, a colour, an external id); None when `version` is stale."""
    sets = "".join(f"{f} = %({f})s, " for f in changes if f in TEAM_FIELDS)
    with db.cursor() as cur:
        cur.execute(
            f"""UPDATE teams SET {sets}updated_at = clock_timestamp()
                WHERE id = %(id)s AND (%(version)s::text IS NULL OR xmin::text = %(version)s)""",  # noqa: S608
            {**changes, "id": team_id, "version": version},
        )
        if cur.rowcount != 1:
            return None
        detail = {key: [before[key], value] for key, value in changes.items()}
        _record(cur, by, "team_renamed", team_id=team_id, detail=detail)
        return _announce_team(cur, "team.updated", team_id, {"changed": sorted(changes)})


def set_team_supervisors(db: Database, team_id: int, user_ids: list[int], by: dict) -> dict:
    """The team's supervisors are exactly these supervisor accounts; every supervisor whose teams changed is
    signed out, so their next sign-in sees the new scope."""
    with db.cursor() as cur:
        cur.execute(
            """DELETE FROM user_teams ut USING users u
               WHERE ut.team_id = %s AND u.id = ut.user_id AND u.role = 'supervisor' AND NOT (u.id = ANY(%s))
               RETURNING ut.user_id""",
            (team_id, user_ids),
        )
        removed = [row["user_id"] for row in cur.fetchall()]
        cur.execute(
            """INSERT INTO user_teams (user_id, team_id)
               SELECT id, %s FROM users WHERE id = ANY(%s) AND role = 'supervisor' ON CONFLICT DO NOTHING
               RETURNING user_id""",
            (team_id, user_ids),
        )
        added = [row["user_id"] for row in cur.fetchall()]
        cur.execute("UPDATE users SET session_version = session_version + 1 WHERE id = ANY(%s)", (removed + added,))
        cur.execute("UPDATE teams SET updated_at = clock_timestamp() WHERE id = %s", (team_id,))
        _record(cur, by, "team_supervisors", team_id=team_id, detail={"added": added, "removed": removed})
        return _announce_team(cur, "team.updated", team_id, {"changed": ["supervisor_ids"]})


def merge_teams(db: Database, from_team: dict, into_team: int, by: dict) -> dict:
    """Everyone of one team (deactivated people too) and its supervisors into another, its working hours too when
    the other has none of its own; the emptied team is removed. Returns the team merged into."""
    with db.cursor() as cur:
        cur.execute(
            "UPDATE employees SET team_id = %s, updated_at = clock_timestamp() WHERE team_id = %s RETURNING id",
            (into_team, from_team["id"]),
        )
        moved = sorted(row["id"] for row in cur.fetchall())
        cur.execute(
            """INSERT INTO user_teams (user_id, team_id) SELECT user_id, %s FROM user_teams WHERE team_id = %s
               ON CONFLICT DO NOTHING""",
            (into_team, from_team["id"]),
        )
        cur.execute(
            """UPDATE working_hours SET team_id = %(into)s WHERE team_id = %(from)s
               AND NOT EXISTS (SELECT 1 FROM working_hours w WHERE w.team_id = %(into)s)""",
            {"into": into_team, "from": from_team["id"]},
        )
        cur.execute("UPDATE users SET session_version = session_version + 1 WHERE employee_id = ANY(%s)", (moved,))
        detail = {"from_team_id": from_team["id"], "from": from_team["name"], "moved": moved}
        _record(cur, by, "team_merged", team_id=into_team, detail=detail)
        cur.execute("DELETE FROM teams WHERE id = %s", (from_team["id"],))
        return _announce_team(cur, "team.merged", into_team, {"merged_team_id": from_team["id"], "moved": moved})


def remove_team(db: Database, team: dict, by: dict) -> bool:
    """Remove a team nobody belongs to (a deactivated person counts); False when someone still does."""
    with db.cursor() as cur:
        cur.execute(
            "DELETE FROM teams t WHERE t.id = %s AND NOT EXISTS (SELECT 1 FROM employees e WHERE e.team_id = t.id)",
            (team["id"],),
        )
        if cur.rowcount != 1:
            return False
        _record(cur, by, "team_removed", detail={"team_id": team["id"], "name": team["name"]})
        webhooks.enqueue(cur, "team.deleted", {"team": public_team(team)})
        return True
