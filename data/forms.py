"""Visit forms and the parts catalogue (migration 0024): a task kind's form, version by version."""

from __future__ import annotations

from datetime import datetime

import orjson

from data.db import Database

FORM_COLUMNS = "f.id, f.task_kind, f.version, f.title, f.fields, f.required, f.created_by, f.created_at, f.retired_at"


def create_version(
    db: Database, task_kind: str, title: str, fields: list[dict], required: bool, user_id: int | None, now: datetime
) -> dict:
    """The kind's next version of its form (the first is 1); earlier versions stay, for the answers given to them."""
    return db.fetch_one(
        f"""INSERT INTO forms AS f (task_kind, version, title, fields, required, created_by, created_at)
            SELECT %s, coalesce(max(version), 0) + 1, %s, %s::jsonb, %s, %s, %s FROM forms WHERE task_kind = %s
            RETURNING {FORM_COLUMNS}""",  # noqa: S608 - a constant column list
        (task_kind, title, orjson.dumps(fields).decode(), required, user_id, now, task_kind),
    )


def current(db: Database, task_kind: str) -> dict | None:
    """The form in use for a task kind: its newest version not retired."""
    return db.fetch_one(
        f"""SELECT {FORM_COLUMNS} FROM forms f WHERE f.task_kind = %s AND f.retired_at IS NULL
            ORDER BY f.version DESC LIMIT 1""",  # noqa: S608 - a constant column list
        (task_kind,),
    )


def get(db: Database, form_id: int) -> dict | None:
    return db.fetch_one(f"SELECT {FORM_COLUMNS} FROM forms f WHERE f.id = %s", (form_id,))  # noqa: S608


def versions(db: Database, task_kind: str) -> list[dict]:
    """Every version of a kind's form, newest first, with how many tasks have answers to it."""
    return db.fetch_all(
        f"""SELECT {FORM_COLUMNS}, (SELECT count(*) FROM form_answers a WHERE a.form_id = f.id) AS answered
            FROM forms f WHERE f.task_kind = %s ORDER BY f.version DESC""",  # noqa: S608 - a constant column list
        (task_kind,),
    )


def retire(db: Database, task_kind: str, now: datetime) -> int:
    """No form for the kind from now on (answers already given keep theirs)."""
    return db.execute("UPDATE forms SET retired_at = %s WHERE task_kind = %s AND retired_at IS NULL", (now, task_kind))


def parts(db: Database, active_only: bool = True) -> list[dict]:
    return db.fetch_all(
        "SELECT id, code, name, unit, active FROM parts WHERE active OR NOT %s ORDER BY code", (active_only,)
    )


def add_part(db: Database, code: str, name: str, unit: str) -> dict:
    return db.fetch_one(
        "INSERT INTO parts (code, name, unit) VALUES (%s, %s, %s) RETURNING id, code, name, unit, active",
        (code, name, unit),
    )


def set_part_active(db: Database, part_id: int, active: bool) -> bool:
    return db.execute("UPDATE parts SET active = %s WHERE id = %s", (active, part_id)) > 0
