"""Activities: visits (from geofences), notes, calls and meetings."""

from __future__ import annotations

from datetime import datetime

from psycopg2.extras import Json, RealDictCursor

from data import webhooks
from data.db import Database
from data.scope import Scope

GEOFENCE_EVENTS = {"geofence_enter": "geofence.enter", "geofence_exit": "geofence.exit"}  # webhook events (issue 9)


VISIT_LOCK = 727_015  # pg_advisory_xact_lock(VISIT_LOCK, employee): one arrival or departure of a person at a time
OPEN_VISIT = """SELECT id, customer_id, task_id, started_at FROM activities
                WHERE employee_id = %s AND kind = 'visit' AND ended_at IS NULL"""


def open_visit(
    db: Database, employee_id: int, customer_id: int, task_id: int | None, at: datetime, source: str = "geofence"
) -> dict:
    """Record an arrival as the person's one open visit (the unique index activities_open_visit_idx holds it).
    An open visit at the same customer is the same arrival seen twice (the phone's check-in and the site's
    geofence) and is kept; one elsewhere is closed at this moment first. Returns the open visit, with the
    visit it closed (or None) as `closed`."""
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (VISIT_LOCK, employee_id))
        cur.execute(OPEN_VISIT, (employee_id,))
        current = cur.fetchone()
        same_arrival = (
            current is not None
            and current["customer_id"] == customer_id
            and (task_id is None or current["task_id"] in (None, task_id))
        )
        if same_arrival:
            cur.execute(
                "UPDATE activities SET task_id = coalesce(task_id, %s) WHERE id = %s RETURNING task_id",
                (task_id, current["id"]),
            )
            return {**current, "task_id": cur.fetchone()["task_id"], "closed": None}
        closed = _close_visit(cur, employee_id, at, visit_id=current["id"]) if current else None
        cur.execute(
            """INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, source)
               VALUES (%s, %s, %s, 'visit', %s, %s) RETURNING id, customer_id, task_id, started_at""",
            (employee_id, customer_id, task_id, at, source),
        )
        return {**cur.fetchone(), "closed": closed}


def _close_visit(
    cur: RealDictCursor, employee_id: int, at: datetime, *, visit_id: int | None, customer_id: int | None = None
) -> dict | None:
    cur.execute(
        """UPDATE activities SET ended_at = greatest(started_at, %s)
           WHERE employee_id = %s AND kind = 'visit' AND ended_at IS NULL
             AND (%s::bigint IS NULL OR id = %s) AND (%s::int IS NULL OR customer_id = %s)
           RETURNING id, customer_id, task_id, started_at, ended_at""",
        (at, employee_id, visit_id, visit_id, customer_id, customer_id),
    )
    visit = cur.fetchone()
    if visit is not None:  # announced in the same transaction: a webhook for every visit stored, no other
        webhooks.enqueue(cur, "visit.completed", {"visit_id": visit["id"], "employee_id": employee_id, **visit})
    return visit


def close_visit(db: Database, employee_id: int, at: datetime, customer_id: int | None = None) -> dict | None:
    """Record a departure (from `customer_id`'s site only, when given: a visit the phone opened elsewhere
    meanwhile stays open); return the closed visit, with its task, or None if none was open."""
    with db.transaction() as conn, conn.cursor(cursor_factory=RealDictCursor) as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (VISIT_LOCK, employee_id))
        return _close_visit(cur, employee_id, at, visit_id=None, customer_id=customer_id)


def current_visit(db: Database, employee_id: int) -> dict | None:
    """The person's open visit, with the customer's name and its task's place in the day's plan: what the
    phone's note box is for."""
    return db.fetch_one(
        """SELECT a.id, a.customer_id, a.task_id, a.started_at, c.name AS customer_name, t.planned_seq
           FROM activities a LEFT JOIN customers c ON c.id = a.customer_id LEFT JOIN tasks t ON t.id = a.task_id
           WHERE a.employee_id = %s AND a.kind = 'visit' AND a.ended_at IS NULL""",
        (employee_id,),
    )


def visits(db: Database, employee_id: int, start: datetime, end: datetime) -> list[dict]:
    return db.fetch_all(
        """SELECT id, customer_id, task_id, started_at, ended_at FROM activities
           WHERE employee_id = %s AND kind = 'visit' AND started_at >= %s AND started_at < %s
           ORDER BY started_at""",
        (employee_id, start, end),
    )


def record_event(
    db: Database,
    employee_id: int,
    kind: str,
    at: datetime,
    source: str,
    details: dict,
    customer_id: int | None = None,
    ended_at: datetime | None = None,
) -> int:
    """A geofence enter/exit or a stay, with what is known about it in attributes."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            """INSERT INTO activities (employee_id, customer_id, kind, started_at, ended_at, source, attributes)
               VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
            (employee_id, customer_id, kind, at, ended_at, source, Json(details)),
        )
        activity_id = cur.fetchone()[0]
        if kind in GEOFENCE_EVENTS:
            event = {"activity_id": activity_id, "employee_id": employee_id, "customer_id": customer_id, "at": at}
            webhooks.enqueue(cur, GEOFENCE_EVENTS[kind], event | details)
        return activity_id


def events(db: Database, employee_id: int, kinds: tuple[str, ...]) -> list[dict]:
    return db.fetch_all(
        """SELECT kind, customer_id, started_at, ended_at, source, attributes FROM activities
           WHERE employee_id = %s AND kind = ANY(%s) ORDER BY started_at, id""",
        (employee_id, list(kinds)),
    )


def record_presence(
    db: Database,
    employee_id: int,
    customer_id: int,
    task_id: int,
    kind: str,
    at: datetime,
    check: dict,
    visit_id: int | None,
) -> int:
    """A check-in or check-out from the phone, on its visit, with whether the site and the fix's accuracy
    verified it."""
    return db.fetch_one(
        """INSERT INTO activities (employee_id, customer_id, task_id, visit_id, kind, started_at, source, attributes)
           VALUES (%s, %s, %s, %s, %s, %s, 'mobile', %s) RETURNING id""",
        (employee_id, customer_id, task_id, visit_id, kind, at, Json(check)),
    )["id"]


def note_context(db: Database, employee_id: int, visit_id: int | None) -> dict | None:
    """What a note's photo is stamped with: the person's name and, on a visit, the customer, their site and what
    the visit's latest check-in measured (its `attributes`: distance_m, accuracy_m). None when the person is
    unknown."""
    return db.fetch_one(
        """SELECT display_name(e) AS person, c.id AS customer_id, c.name AS customer,
                  (SELECT ci.attributes FROM activities ci WHERE ci.visit_id = v.id AND ci.kind = 'check_in'
                   ORDER BY ci.started_at DESC, ci.id DESC LIMIT 1) AS check_in
           FROM employees e
           LEFT JOIN activities v ON v.id = %(visit)s AND v.employee_id = e.id AND v.kind = 'visit'
           LEFT JOIN customers c ON c.id = v.customer_id
           WHERE e.id = %(employee)s""",
        {"employee": employee_id, "visit": visit_id},
    )


# The nearest photo by perceptual hash among other visits' photos (anyone's) taken since a moment.
NEAREST_PHOTO = """
    SELECT p.activity_id, bit_count((p.phash # %(phash)s)::bit(64)) AS bits
    FROM note_photos p JOIN activities a ON a.id = p.activity_id
    WHERE p.phash IS NOT NULL AND a.started_at >= %(since)s AND a.id <> %(note)s
      AND (%(visit)s::bigint IS NULL OR a.visit_id IS DISTINCT FROM %(visit)s)
      AND bit_count((p.phash # %(phash)s)::bit(64)) <= %(max_bits)s
    ORDER BY bits, a.started_at DESC LIMIT 1
"""


def add_note(
    db: Database,
    employee_id: int,
    visit_id: int | None,
    at: datetime,
    text: str,
    photo: dict | None,
    duplicates: tuple[datetime, int] | None = None,
) -> int | None:
    """A note with its photo in one transaction. With a visit, the customer and task are the visit's own, and None
    is returned (nothing stored) unless it is the person's open visit; without one, a plain note on no customer.
    `photo`: content_type, original (the bytes as sent), sha256, and, when the server could read it, stamped and
    phash. `duplicates` (since, max bits): the nearest photo of another visit since then within that many bits of
    phash is kept as the photo's possible duplicate."""
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", (VISIT_LOCK, employee_id))
        if visit_id is None:
            cur.execute(
                """INSERT INTO activities (employee_id, kind, started_at, notes, source)
                   VALUES (%s, 'note', %s, %s, 'mobile') RETURNING id""",
                (employee_id, at, text),
            )
        else:
            cur.execute(
                """INSERT INTO activities (employee_id, customer_id, task_id, visit_id, kind, started_at, notes, source)
                   SELECT employee_id, customer_id, task_id, id, 'note', %s, %s, 'mobile' FROM activities
                   WHERE id = %s AND employee_id = %s AND kind = 'visit' AND ended_at IS NULL
                   RETURNING id""",
                (at, text, visit_id, employee_id),
            )
        row = cur.fetchone()
        if row is None:
            return None
        if photo:
            nearest = (None, None)
            if duplicates and photo.get("phash") is not None:
                since, max_bits = duplicates
                query = {"phash": photo["phash"], "since": since, "note": row[0], "visit": visit_id}
                cur.execute(NEAREST_PHOTO, query | {"max_bits": max_bits})
                nearest = cur.fetchone() or nearest
            cur.execute(
                """INSERT INTO note_photos
                       (activity_id, content_type, bytes, sha256, stamped, phash, duplicate_of, duplicate_bits)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                (
                    row[0],
                    photo["content_type"],
                    photo["original"],
                    photo["sha256"],
                    photo.get("stamped"),
                    photo.get("phash"),
                    *nearest,
                ),
            )
        return row[0]


def day_summary(db: Database, employee_id: int, start: datetime, end: datetime) -> dict:
    """The phone's day in numbers: check-ins (verified or not), notes and photos."""
    return db.fetch_one(
        """SELECT count(*) FILTER (WHERE a.kind = 'check_in') AS check_ins,
                  count(*) FILTER (WHERE a.kind = 'check_in' AND (a.attributes->>'verified')::boolean) AS verified,
                  count(*) FILTER (WHERE a.kind = 'note') AS notes,
                  count(p.activity_id) AS photos
           FROM activities a LEFT JOIN note_photos p ON p.activity_id = a.id
           WHERE a.employee_id = %s AND a.started_at >= %s AND a.started_at < %s""",
        (employee_id, start, end),
    )


def last_note(db: Database, employee_id: int, since: datetime) -> dict | None:
    """The person's newest visit note since a moment, for the supervisor's view of their day."""
    return db.fetch_one(
        """SELECT a.started_at, a.notes, c.name AS customer_name FROM activities a
           LEFT JOIN customers c ON c.id = a.customer_id
           WHERE a.employee_id = %s AND a.kind = 'note' AND a.started_at >= %s
           ORDER BY a.started_at DESC, a.id DESC LIMIT 1""",
        (employee_id, since),
    )


# The customer page: what happened at a customer, by people in the viewer's scope.
CUSTOMER_SCOPE = """
    (%(teams)s::int[] IS NULL OR e.team_id = ANY(%(teams)s))
    AND (%(employee)s::int IS NULL OR a.employee_id = %(employee)s)
"""


def customer_visits(db: Database, scope: Scope, customer_id: int, limit: int = 200) -> list[dict]:
    """Visits at a customer, newest first: who, when, how long, and the notes written on that task."""
    return db.fetch_all(
        f"""SELECT a.id, a.started_at, a.ended_at, a.task_id, a.employee_id, display_name(e) AS employee_name,
                   extract(epoch FROM a.ended_at - a.started_at) AS seconds, a.trust_score, a.trust_reasons,
                   (SELECT string_agg(n.notes, ' · ' ORDER BY n.started_at) FROM activities n
                    WHERE n.kind = 'note' AND n.task_id = a.task_id AND a.task_id IS NOT NULL) AS notes
            FROM activities a JOIN employees e ON e.id = a.employee_id
            WHERE a.customer_id = %(customer)s AND a.kind = 'visit' AND {CUSTOMER_SCOPE}
            ORDER BY a.started_at DESC LIMIT %(limit)s""",  # noqa: S608 - CUSTOMER_SCOPE is a constant
        {"customer": customer_id, "limit": limit, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def customer_interactions(db: Database, scope: Scope, customer_id: int, limit: int = 200) -> list[dict]:
    """Notes, calls, e-mails, meetings and check-ins at a customer, newest first, with any note's photo: the
    stamped copy (`photo`, JPEG; the original for photos kept before issue 19), the original's SHA-256, and its
    possible duplicate: the other note's customer, time and person, or only `duplicate_hidden` when that note's
    person is outside the viewer's scope."""
    return db.fetch_all(
        f"""SELECT a.id, a.kind, a.started_at, a.notes, a.source, display_name(e) AS employee_name,
                   CASE WHEN p.stamped IS NULL THEN p.content_type ELSE 'image/jpeg' END AS photo_type,
                   coalesce(p.stamped, p.bytes) AS photo, p.sha256 AS photo_sha256,
                   p.duplicate_of, p.duplicate_bits, d.duplicate_hidden, d.duplicate_at, d.duplicate_customer,
                   d.duplicate_employee, a.trust_score, a.trust_reasons
            FROM activities a JOIN employees e ON e.id = a.employee_id
            LEFT JOIN note_photos p ON p.activity_id = a.id
            LEFT JOIN LATERAL (
                SELECT NOT ((%(teams)s::int[] IS NULL OR de.team_id = ANY(%(teams)s))
                            AND (%(employee)s::int IS NULL OR da.employee_id = %(employee)s)) AS duplicate_hidden,
                       da.started_at AS duplicate_at, dc.name AS duplicate_customer,
                       display_name(de) AS duplicate_employee
                FROM activities da JOIN employees de ON de.id = da.employee_id
                LEFT JOIN customers dc ON dc.id = da.customer_id
                WHERE da.id = p.duplicate_of
            ) d ON true
            WHERE a.customer_id = %(customer)s
              AND a.kind IN ('note', 'call', 'meeting', 'email', 'check_in', 'check_out') AND {CUSTOMER_SCOPE}
            ORDER BY a.started_at DESC, a.id DESC LIMIT %(limit)s""",  # noqa: S608 - CUSTOMER_SCOPE is a constant
        {"customer": customer_id, "limit": limit, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def photo_original(db: Database, scope: Scope, note_id: int) -> dict | None:
    """A note photo's original bytes as the phone sent them, with their type and SHA-256; None outside the
    viewer's scope."""
    return db.fetch_one(
        f"""SELECT p.content_type, p.bytes, p.sha256
            FROM note_photos p JOIN activities a ON a.id = p.activity_id JOIN employees e ON e.id = a.employee_id
            WHERE p.activity_id = %(note)s AND {CUSTOMER_SCOPE}""",  # noqa: S608 - CUSTOMER_SCOPE is a constant
        {"note": note_id, "teams": scope.team_filter(), "employee": scope.employee_id},
    )


def log_interaction(
    db: Database, employee_id: int, customer_id: int, kind: str, at: datetime, notes: str, logged_by: str
) -> int:
    """A call, e-mail or meeting with a customer, logged on their page."""
    return db.fetch_one(
        """INSERT INTO activities (employee_id, customer_id, kind, started_at, notes, source, attributes)
           VALUES (%s, %s, %s, %s, %s, 'web', %s) RETURNING id""",
        (employee_id, customer_id, kind, at, notes, Json({"logged_by": logged_by})),
    )["id"]
