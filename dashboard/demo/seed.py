"""Demo data from a real city: teams, employees and devices, customers with sites, work areas,
street lines, and each day's tasks. Every step is idempotent, so `fieldops demo` can run again."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from shapely.geometry import MultiPoint, mapping

from dashboard.work.streets import StreetNetwork, helsinki_places, helsinki_streets
from data import devices
from data.db import Database

log = logging.getLogger(__name__)

TEAMS = (("North", "#0072B2"), ("East", "#D55E00"), ("South", "#009E73"), ("West", "#CC79A7"))
FIRST_NAMES = (
    "Aino",
    "Eero",
    "Helmi",
    "Juho",
    "Kaisa",
    "Lauri",
    "Mikko",
    "Noora",
    "Onni",
    "Pia",
    "Sanna",
    "Timo",
    "Ville",
    "Emma",
    "Leo",
    "Wang Fang",
    "Li Wei",
    "Zhang Min",
    "Chen Jie",
    "Liu Yang",
    "Anna",
    "Oskari",
    "Elina",
    "Matti",
    "Riikka",
)
LAST_NAMES = (
    "Virtanen",
    "Korhonen",
    "Mäkinen",
    "Nieminen",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Saarinen",
    "Salminen",
)
CHINESE_GIVEN = {"Wang Fang": "王芳", "Li Wei": "李伟", "Zhang Min": "张敏", "Chen Jie": "陈杰", "Liu Yang": "刘洋"}
SITE_RADIUS_M = 40.0
CUSTOMERS_PER_PERSON = 6
TASKS_PER_PERSON = (6, 9)
DEMO_SEED = 20261127


def device_token(secret_key: str, identifier: str) -> str:
    """The demo devices' tokens are derived from the secret, so the simulator can sign in as them."""
    return hmac.new(secret_key.encode(), f"device:{identifier}".encode(), hashlib.sha256).hexdigest()


def demo_password(secret_key: str, username: str) -> str:
    """Demo accounts' passwords are derived from the secret, so `fieldops demo` can print them each run."""
    return hmac.new(secret_key.encode(), f"demo-user:{username}".encode(), hashlib.sha256).hexdigest()[:16]


DEMO_ACCOUNTS = (
    ("admin", "admin", None, ()),
    ("manager", "manager", None, ()),
    ("supervisor", "supervisor", None, ("North",)),
    ("executive", "executive", None, ()),
    ("field", "field", "E0001", ()),
)


def seed_demo_accounts(db: Database, secret_key: str) -> list[tuple[str, str, str]]:
    """One account per role (and a wall token); returns (user name, role, password) of each."""
    from dashboard.work.accounts import create_account, team_ids_by_name
    from data import users

    accounts = []
    for username, role, employee_code, teams in DEMO_ACCOUNTS:
        password = demo_password(secret_key, username)
        if users.user_by_name(db, username) is None:
            create_account(
                db,
                username,
                password,
                role,
                employee_code=employee_code,
                team_ids=team_ids_by_name(db, list(teams)) if teams else None,
            )
        accounts.append((username, role, password))
    return accounts


def demo_wall_secret(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"demo-wall", hashlib.sha256).hexdigest()


def demo_wall_token(db: Database, secret_key: str) -> str:
    """The demo's wall display token, derived from the secret and registered once."""
    from data import wall_tokens

    token = demo_wall_secret(secret_key)
    if not db.fetch_one("SELECT 1 AS ok FROM wall_tokens WHERE token_hash = %s", (devices.hash_token(token),)):
        wall_tokens.create(
            db, "Operations room (demo)", token, datetime.now(tz=ZoneInfo("UTC")) + timedelta(days=365), None
        )
    return token


def employee_code(number: int) -> str:
    return f"E{number:04d}"


def seed_demo(db: Database, secret_key: str, employee_count: int = 50) -> bool:
    """Seed the city, teams, people and customers once; return False when already seeded."""
    if db.fetch_one("SELECT 1 AS seeded FROM employees LIMIT 1"):
        return False
    rng = random.Random(DEMO_SEED)
    network = helsinki_streets()
    all_places = helsinki_places()
    places = rng.sample(all_places, min(len(all_places), employee_count * CUSTOMERS_PER_PERSON))
    with db.transaction() as conn, conn.cursor() as cur:
        _insert_streets(cur, network)
        team_names: dict[int, str] = {}
        for name, color in TEAMS:
            cur.execute("INSERT INTO teams (name, color) VALUES (%s, %s) RETURNING id", (name, color))
            team_names[cur.fetchone()[0]] = name
        team_ids = list(team_names)
        members: dict[int, list[int]] = {team_id: [] for team_id in team_ids}
        for number in range(1, employee_count + 1):
            team_id = team_ids[(number - 1) % len(team_ids)]
            code = employee_code(number)
            cur.execute(
                "INSERT INTO employees (code, name, team_id, phone) VALUES (%s, %s, %s, %s) RETURNING id",
                (code, _person_name(rng, number), team_id, f"+358 40 {rng.randrange(1000000, 9999999)}"),
            )
            employee_id = cur.fetchone()[0]
            members[team_id].append(employee_id)
            cur.execute(
                "INSERT INTO devices (identifier, employee_id, protocol, token_hash) VALUES (%s, %s, 'native', %s)",
                (code, employee_id, devices.hash_token(device_token(secret_key, code))),
            )
        by_team = _split_into_quadrants(places, team_ids)
        for team_id, team_places in by_team.items():
            owners = members[team_id] or [None]
            for index, place in enumerate(team_places):
                cur.execute(
                    """INSERT INTO customers (external_id, name, category, address, lat, lon, owner_employee_id)
                       VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id""",
                    (
                        f"osm:{place['osm_id']}",
                        place["name"],
                        place["category"],
                        place["address"],
                        place["lat"],
                        place["lon"],
                        owners[index % len(owners)],
                    ),
                )
                customer_id = cur.fetchone()[0]
                cur.execute(
                    """INSERT INTO zones (name, kind, customer_id, center_lat, center_lon, radius_m)
                       VALUES (%s, 'customer_site', %s, %s, %s, %s)""",
                    (place["name"], customer_id, place["lat"], place["lon"], SITE_RADIUS_M),
                )
            # The demo runs at any hour: its teams may be tracked all day, every day.
            for weekday in range(7):
                cur.execute(
                    "INSERT INTO working_hours (team_id, weekday, starts, ends) VALUES (%s, %s, '00:00', '00:00')",
                    (team_id, weekday),
                )
            area = MultiPoint([(p["lon"], p["lat"]) for p in team_places]).convex_hull.buffer(0.0012)
            cur.execute(
                "INSERT INTO zones (name, kind, team_id, geometry) VALUES (%s, 'work_area', %s, %s)",
                (f"{team_names[team_id]} area", team_id, orjson.dumps(mapping(area.simplify(0.0002))).decode()),
            )
    log.info("Seeded %d employees in %d teams and %d customers", employee_count, len(team_ids), len(places))
    return True


def plan_day(db: Database, day: date, tz: ZoneInfo, start: datetime | None = None) -> int:
    """Give every active employee with no tasks that day a round of visits; return tasks created.

    The first visit's window opens at `start` (default: 08:00 local), the rest follow every ~40 min.
    """
    rng = random.Random(f"{DEMO_SEED}:{day.isoformat()}")
    day_start = datetime.combine(day, datetime.min.time(), tz)
    first_window = start or day_start.replace(hour=8)
    people = db.fetch_all(
        """SELECT e.id, e.team_id FROM employees e WHERE e.active AND NOT EXISTS (
               SELECT 1 FROM tasks t WHERE t.employee_id = e.id AND t.window_start >= %s AND t.window_start < %s)
           ORDER BY e.id""",
        (day_start, day_start + timedelta(days=1)),
    )
    customers = db.fetch_all(
        "SELECT c.id, c.lat, c.lon, o.team_id FROM customers c JOIN employees o ON o.id = c.owner_employee_id"
    )
    created = 0
    with db.transaction() as conn, conn.cursor() as cur:
        for person in people:
            pool = [c for c in customers if c["team_id"] == person["team_id"]]
            if not pool:
                continue
            visits = _nearest_neighbour_order(rng.sample(pool, min(len(pool), rng.randint(*TASKS_PER_PERSON))))
            for seq, customer in enumerate(visits, start=1):
                window_start = first_window + timedelta(minutes=40 * (seq - 1) + rng.randint(-5, 5))
                cur.execute(
                    """INSERT INTO tasks (customer_id, employee_id, kind, priority, state, window_start,
                                          window_end, duration_min, planned_seq)
                       VALUES (%s, %s, 'visit', %s, 'assigned', %s, %s, %s, %s)""",
                    (
                        customer["id"],
                        person["id"],
                        rng.choice((1, 2, 2, 3)),
                        window_start,
                        window_start + timedelta(minutes=60),
                        rng.randint(4, 10),
                        seq,
                    ),
                )
                created += 1
    return created


# Past days' outcomes (issue 8): ~82 % done, ~8 % failed, the rest left open; arrival between 10 min
# before and 80 min after the window opens (its window is 60 min); a survey answer for ~55 % of the visits done.
HISTORY_SQL = """
SELECT setseed(%(seed)s);
UPDATE tasks t SET state = CASE WHEN x.r < 0.82 THEN 'done' WHEN x.r < 0.90 THEN 'failed' ELSE t.state END,
       arrived_at = CASE WHEN x.r < 0.82 THEN t.window_start + (x.r2 * 90 - 10) * interval '1 minute' END,
       departed_at = CASE WHEN x.r < 0.82
                          THEN t.window_start + (x.r2 * 90 - 10 + t.duration_min) * interval '1 minute' END,
       updated_at = now()
FROM (SELECT id, random() AS r, random() AS r2 FROM tasks
      WHERE window_start >= %(start)s AND window_start < %(end)s AND state = 'assigned' AND window_end < now()
      ORDER BY id) x
WHERE t.id = x.id;
INSERT INTO activities (employee_id, customer_id, task_id, kind, started_at, ended_at, source)
SELECT t.employee_id, t.customer_id, t.id, 'visit', t.arrived_at, t.departed_at, 'seed'
FROM tasks t
WHERE t.state = 'done' AND t.window_start >= %(start)s AND t.window_start < %(end)s
  AND NOT EXISTS (SELECT 1 FROM activities a WHERE a.task_id = t.id AND a.kind = 'visit')
ORDER BY t.id;
INSERT INTO feedback (task_id, visit_id, customer_id, employee_id, nonce, created_at, expires_at, answered_at,
                      score, comment, language)
SELECT a.task_id, a.id, a.customer_id, a.employee_id, md5(%(seed)s::text || a.id::text), a.ended_at,
       a.ended_at + interval '7 days', a.ended_at + (x.r * 600) * interval '1 minute',
       x.score, CASE WHEN x.r < 0.35 THEN (%(comments)s::text[])[x.score] END, 'en'
FROM activities a
JOIN (SELECT id, random() AS r,
             (ARRAY[1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 5, 5, 5])[1 + floor(random() * 20)::int] AS score
      FROM activities WHERE kind = 'visit' AND source = 'seed' ORDER BY id) x ON x.id = a.id
WHERE a.kind = 'visit' AND a.source = 'seed' AND a.started_at >= %(start)s AND a.started_at < %(end)s
  AND x.r < 0.55 AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.task_id = a.task_id);
"""
SURVEY_COMMENTS = (
    "Nobody came when promised.",
    "Late, and the problem is still there.",
    "OK, but it took long.",
    "准时到达，服务专业。",
    "Quick and friendly, thank you!",
)


def seed_history(db: Database, first_day: date, last_day: date, tz: ZoneInfo) -> int:
    """Plan every day from first_day to last_day (included) and give the days already over outcomes,
    visits and survey answers, as if the field staff had worked them. Returns tasks planned."""
    planned = 0
    day = first_day
    while day <= last_day:
        planned += plan_day(db, day, tz)
        day += timedelta(days=1)
    start = datetime.combine(first_day, datetime.min.time(), tz)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tz)
    with db.transaction() as conn, conn.cursor() as cur:
        cur.execute(
            HISTORY_SQL,
            {"seed": 0.27, "start": start, "end": end, "comments": list(SURVEY_COMMENTS)},
        )
    return planned


def _person_name(rng: random.Random, number: int) -> str:
    first = FIRST_NAMES[(number * 7) % len(FIRST_NAMES)]
    if first in CHINESE_GIVEN:
        return CHINESE_GIVEN[first]
    return f"{first} {rng.choice(LAST_NAMES)}"


def _split_into_quadrants(places: list[dict], team_ids: list[int]) -> dict[int, list[dict]]:
    """North, East, South, West of the places' centre, by the larger of the two offsets."""
    lat0 = sorted(p["lat"] for p in places)[len(places) // 2]
    lon0 = sorted(p["lon"] for p in places)[len(places) // 2]
    split: dict[int, list[dict]] = {team_id: [] for team_id in team_ids}
    for place in places:
        dy, dx = place["lat"] - lat0, (place["lon"] - lon0) * 0.5  # a degree of longitude is half as long here
        quadrant = (0 if dy > 0 else 2) if abs(dy) >= abs(dx) else (1 if dx > 0 else 3)
        split[team_ids[quadrant]].append(place)
    return split


def _nearest_neighbour_order(stops: list[dict]) -> list[dict]:
    """A plausible planned order: always the closest remaining stop next (routes come later)."""
    if not stops:
        return []
    order, rest = [stops[0]], stops[1:]
    while rest:
        last = order[-1]
        nearest = min(rest, key=lambda s: (s["lat"] - last["lat"]) ** 2 + ((s["lon"] - last["lon"]) * 0.5) ** 2)
        rest.remove(nearest)
        order.append(nearest)
    return order


def _insert_streets(cur, network: StreetNetwork) -> None:
    rows = []
    for _u, _v, edge in network.graph.edges(data=True):
        coords = [[round(lon, 6), round(lat, 6)] for lat, lon in edge["shape"]]
        name = edge.get("name") if isinstance(edge.get("name"), str) else None
        highway = edge.get("highway") if isinstance(edge.get("highway"), str) else None
        rows.append((name, highway, orjson.dumps({"type": "LineString", "coordinates": coords}).decode()))
    cur.executemany("INSERT INTO streets (name, highway, geometry) VALUES (%s, %s, %s)", rows)
