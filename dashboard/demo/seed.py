"""Demo data from a real city: teams, employees and devices, customers with sites, work areas,
street lines, and each day's tasks. Every step is idempotent, so `fieldops demo` can run again."""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
from shapely.geometry import MultiPoint, mapping

from dashboard.core.permissions import Viewer
from dashboard.work.alerting import validate_rule
from dashboard.work.streets import StreetNetwork, helsinki_places, helsinki_streets
from data import alerts, consent, customers, demo, devices, employees, tasks, users, wall_tokens
from data import teams as team_rows
from data.db import Database
from data.demo import DemoArea, DemoCustomer, DemoPerson
from data.scope import Scope

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
# FIELDOPS_LANGUAGE=zh-CN (issue 19): the same city and streets, with a Chinese organisation in them.
TEAM_NAMES_ZH = {"North": "北区", "East": "东区", "South": "南区", "West": "西区"}
FAMILY_NAMES_ZH = (
    "王",
    "李",
    "张",
    "刘",
    "陈",
    "杨",
    "黄",
    "赵",
    "吴",
    "周",
    "徐",
    "孙",
    "马",
    "朱",
    "胡",
    "郭",
    "何",
    "林",
)
GIVEN_NAMES_ZH = (
    "芳", "伟", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "丽",
    "强", "平", "刚", "桂英", "建华", "文", "华", "玉兰", "志强", "海燕", "晓东", "雪梅", "国庆", "春生",
)  # fmt: skip
SHOP_WORDS_ZH = (
    "鸿福", "金城", "顺心", "和美", "百佳", "瑞丰", "东方", "新天地", "万家", "好运", "华联", "永盛",
    "兴隆", "嘉禾", "锦绣", "丰泽", "明珠", "长青", "吉祥", "同心",
)  # fmt: skip
CATEGORY_ZH = {
    "restaurant": "餐厅", "cafe": "咖啡馆", "fast_food": "快餐店", "pub": "酒馆", "bar": "酒吧",
    "clothes": "服装店", "hairdresser": "理发店", "jewelry": "珠宝店", "beauty": "美容院", "bank": "银行支行",
    "optician": "眼镜店", "shoes": "鞋店", "furniture": "家具店", "kiosk": "便利亭", "convenience": "便利店",
    "books": "书店", "sports": "体育用品店", "supermarket": "超市", "pharmacy": "药房", "gift": "礼品店",
    "mobile_phone": "手机店", "dentist": "牙科诊所", "travel_agency": "旅行社", "tea": "茶庄", "cinema": "影院",
    "company": "有限公司", "ngo": "协会", "lawyer": "律师事务所", "government": "服务中心", "library": "图书馆",
}  # fmt: skip
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
                team_ids=team_ids_by_name(db, [_seeded_team_name(db, team) for team in teams]) if teams else None,
            )
        accounts.append((username, role, password))
    return accounts


def _seeded_team_name(db: Database, english: str) -> str:
    """A demo team's name as seeded: English, or Chinese when the demo was seeded in zh-CN."""
    chinese = TEAM_NAMES_ZH[english]
    return chinese if team_rows.teams_by_name(db, [chinese]) else english


def demo_wall_secret(secret_key: str) -> str:
    return hmac.new(secret_key.encode(), b"demo-wall", hashlib.sha256).hexdigest()


def demo_wall_token(db: Database, secret_key: str) -> str:
    """The demo's wall display token, derived from the secret and registered once."""
    token = demo_wall_secret(secret_key)
    if not wall_tokens.is_registered(db, token):
        wall_tokens.create(
            db, "Operations room (demo)", token, datetime.now(tz=ZoneInfo("UTC")) + timedelta(days=365), None
        )
    return token


def employee_code(number: int) -> str:
    return f"E{number:04d}"


def seed_demo(db: Database, secret_key: str, employee_count: int = 50, language: str = "en") -> bool:
    """Seed the city, teams, people and customers once; return False when already seeded. In zh-CN the people,
    teams and customers have Chinese names and the phones Chinese numbers (the streets stay Helsinki's)."""
    if employees.count_employees(db):
        return False
    rng = random.Random(DEMO_SEED)
    network = helsinki_streets()
    all_places = helsinki_places()
    places = rng.sample(all_places, min(len(all_places), employee_count * CUSTOMERS_PER_PERSON))
    chinese = language == "zh-CN"
    seeded_teams = tuple((TEAM_NAMES_ZH[name], color) for name, color in TEAMS) if chinese else TEAMS
    team_names = [name for name, _color in seeded_teams]
    people = []
    members: dict[str, list[str]] = {name: [] for name in team_names}
    for number in range(1, employee_count + 1):
        team = team_names[(number - 1) % len(team_names)]
        code = employee_code(number)
        name = _chinese_person_name(number) if chinese else _person_name(rng, number)
        phone = (
            f"+86 138 {rng.randrange(1000, 9999)} {rng.randrange(1000, 9999)}"
            if chinese
            else (f"+358 40 {rng.randrange(1000000, 9999999)}")
        )
        people.append(DemoPerson(code, name, team, phone, devices.hash_token(device_token(secret_key, code))))
        members[team].append(code)
    areas = []
    for team, team_places in _split_into_quadrants(places, team_names).items():
        owners = members[team] or [None]
        team_customers = [
            DemoCustomer(
                f"osm:{place['osm_id']}",
                _chinese_customer_name(place, index) if chinese else place["name"],
                place["category"],
                place["address"],
                place["lat"],
                place["lon"],
                owners[index % len(owners)],
            )
            for index, place in enumerate(team_places)
        ]
        area = MultiPoint([(p["lon"], p["lat"]) for p in team_places]).convex_hull.buffer(0.0012)
        areas.append(DemoArea(team, team_customers, orjson.dumps(mapping(area.simplify(0.0002))).decode()))
    # The demo runs at any hour: its teams may be tracked all day, every day.
    demo.insert_city(db, _street_rows(network), seeded_teams, people, areas, SITE_RADIUS_M, all_day_weekdays=range(7))
    seed_demo_consent(db, language)
    log.info("Seeded %d employees in %d teams and %d customers", employee_count, len(TEAMS), len(places))
    return True


# Issue 19: the demo's consent text (version 1, both languages), given by everyone, so the demo tracks.
DEMO_CONSENT_TEXTS = {
    "en": "Your employer records where you are while you work, from this phone or your tracker, to plan visits "
    "and send help. Positions are kept only in your working hours and for the days set by your administrator. "
    "You may withdraw this consent at any time under Privacy on this page: tracking then stops at once.",
    "zh-CN": "您的雇主在您工作期间通过本手机或定位器记录您的位置，用于安排拜访和派遣援助。仅在您的工作时间内保存位置，"
    "保存天数由管理员设定。您可以随时在本页的“隐私”中撤回本同意，撤回后立即停止追踪。",
}


def seed_demo_consent(db: Database, language: str = "en") -> None:
    """Publish the demo's consent text and record every demo employee's consent (once), given in `language`."""
    if consent.current_version(db) is not None:
        return
    now = datetime.now(UTC)
    version = consent.publish(db, DEMO_CONSENT_TEXTS, None, now)
    people = employees.roster(db, Scope.everything())
    consent.record_many(db, [(p["id"], "given", version, language, "admin", now) for p in people])


# The demo organisation's alert rules (issue 17), switched on; the built-in help rule (critical) comes with the
# schema. Each is (kind, name, severity, params); a rule with the same kind and name is not made twice.
DEMO_RULES = (
    ("silent", "Device silent 10 min", "warning", {"minutes": 10}),
    ("idle", "Idle away from customers 20 min", "warning", {"minutes": 20}),
    ("task_not_arrived", "Not arrived by the end of the window", "warning", {}),
    ("task_overdue", "Task overdue 30 min", "warning", {"minutes": 30}),
    ("low_battery", "Low battery 15 %", "info", {"percent": 15}),
    ("speeding", "Speeding over 80 km/h for 30 s", "warning", {"kmh": 80, "seconds": 30}),  # no street here is faster
    ("low_survey", "Customer survey of 2 stars or fewer", "warning", {"stars": 2}),
)
DEMO_RULE_SEEDER = Viewer(None, "demo", "admin", None, Scope.everything())


DEMO_RULE_NAMES_ZH = {
    "Device silent 10 min": "设备 10 分钟无信号",
    "Idle away from customers 20 min": "离开客户处闲置 20 分钟",
    "Not arrived by the end of the window": "时间窗结束仍未到达",
    "Task overdue 30 min": "任务逾期 30 分钟",
    "Low battery 15 %": "电量低于 15%",
    "Speeding over 80 km/h for 30 s": "超速 80 公里/小时持续 30 秒",
    "Customer survey of 2 stars or fewer": "客户评价 2 星及以下",
}


def seed_demo_rules(db: Database, language: str = "en") -> int:
    """Switch on the demo's rules once: those above for everyone, and for each team one that tells when
    someone leaves the team's work area (info). Values go through the rules' own validation, as an admin's
    would. Returns how many rules were created."""
    chinese = language == "zh-CN"
    wanted = [
        {"kind": k, "name": DEMO_RULE_NAMES_ZH[n] if chinese else n, "severity": s, "params": p}
        for k, n, s, p in DEMO_RULES
    ]
    wanted += [
        {
            "kind": "zone_exit",
            "name": f"离开{area['team']}工作区域" if chinese else f"Left the {area['team']} work area",
            "severity": "info",
            "team_ids": [area["team_id"]],
            "zone_ids": [area["id"]],
        }
        for area in demo.work_areas(db)
    ]
    existing = {(rule["kind"], rule["name"]) for rule in alerts.rules(db)}
    created = 0
    for values in wanted:
        if (values["kind"], values["name"]) not in existing:
            alerts.create_rule(db, validate_rule(values, DEMO_RULE_SEEDER), None)
            created += 1
    return created


def demo_rule_param(kind: str, key: str) -> float:
    """A parameter of the demo's rule of this kind (the simulator times its occasions by them)."""
    return next(float(params[key]) for k, _name, _severity, params in DEMO_RULES if k == kind)


# What the simulator makes happen soon after the demo starts, so the wall and the inbox have something real to
# show on first open: one person's device goes silent, one idles on a street, one runs late for a task, and
# one phone's battery runs low.
OCCASIONS = ("silent", "idle", "late", "battery")
LATE_WINDOW_LEFT = timedelta(minutes=3)  # the late task's window closes this long after the demo starts
LATE_WINDOW = timedelta(minutes=60)


def occasion_people(db: Database) -> dict[str, int]:
    """Occasion → employee id, the same people every run: the first three from team North (the demo
    supervisor's, so their inbox shows them), chosen by the demo's seed, and one more from anywhere for the
    battery. Empty when the demo has fewer people than occasions."""
    roster = employees.roster(db, Scope.everything())
    if len(roster) < len(OCCASIONS):
        return {}
    rng = random.Random(f"{DEMO_SEED}:occasions")
    north = [p["id"] for p in roster if p["team_name"] in (TEAMS[0][0], TEAM_NAMES_ZH[TEAMS[0][0]])]
    chosen = rng.sample(north if len(north) >= 3 else [p["id"] for p in roster], 3)
    chosen.append(rng.choice([p["id"] for p in roster if p["id"] not in chosen]))
    return dict(zip(OCCASIONS, chosen, strict=True))


def plan_late_task(db: Database, now: datetime) -> int | None:
    """The late occasion's task: a visit first in the person's round whose window (`now` local, with its time
    zone) closes LATE_WINDOW_LEFT from now, at a customer of their team they have no other task at today. The
    simulator holds them up longer than that, so the task runs late. Returns the person's id; None when they
    have a task closing soon already (the demo started again within it)."""
    person = occasion_people(db).get("late")
    if person is None or demo.has_open_task_closing(db, person, now, now + 2 * LATE_WINDOW_LEFT):
        return None
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    team = next(p["team_id"] for p in employees.roster(db, Scope.everything()) if p["id"] == person)
    planned = {t["customer_id"] for t in tasks.planned_route(db, person, day_start, day_start + timedelta(days=1))}
    pool = [c for c in customers.owned_customers(db) if c["team_id"] == team]
    pool = [c for c in pool if c["id"] not in planned] or pool
    if not pool:
        return None
    customer = random.Random(f"{DEMO_SEED}:late:{now.date().isoformat()}").choice(sorted(pool, key=lambda c: c["id"]))
    window_end = now + LATE_WINDOW_LEFT
    task = {
        "customer_id": customer["id"],
        "employee_id": person,
        "priority": 2,
        "window_start": max(window_end - LATE_WINDOW, day_start),  # a window of today, even just after midnight
        "window_end": window_end,
        "duration_min": 8,
        "planned_seq": 0,
    }
    tasks.insert_planned(db, [task])
    return person


def plan_day(db: Database, day: date, tz: ZoneInfo, start: datetime | None = None) -> int:
    """Give every active employee with no tasks that day a round of visits; return tasks created.

    The first visit's window opens at `start` (default: 08:00 local), the rest follow every ~40 min.
    """
    rng = random.Random(f"{DEMO_SEED}:{day.isoformat()}")
    day_start = datetime.combine(day, datetime.min.time(), tz)
    first_window = start or day_start.replace(hour=8)
    people = employees.without_tasks_between(db, day_start, day_start + timedelta(days=1))
    owned = customers.owned_customers(db)
    planned = []
    for person in people:
        pool = [c for c in owned if c["team_id"] == person["team_id"]]
        if not pool:
            continue
        visits = nearest_neighbour_order(rng.sample(pool, min(len(pool), rng.randint(*TASKS_PER_PERSON))))
        for seq, customer in enumerate(visits, start=1):
            window_start = first_window + timedelta(minutes=40 * (seq - 1) + rng.randint(-5, 5))
            planned.append(
                {
                    "customer_id": customer["id"],
                    "employee_id": person["id"],
                    "priority": rng.choice((1, 2, 2, 3)),
                    "window_start": window_start,
                    "window_end": window_start + timedelta(minutes=60),
                    "duration_min": rng.randint(4, 10),
                    "planned_seq": seq,
                }
            )
    return tasks.insert_planned(db, planned)


def _chinese_person_name(number: int) -> str:
    """A Chinese name per employee number: family name first, no space (王芳)."""
    family = FAMILY_NAMES_ZH[(number * 5) % len(FAMILY_NAMES_ZH)]
    return family + GIVEN_NAMES_ZH[(number * 7) % len(GIVEN_NAMES_ZH)]


def _chinese_customer_name(place: dict, index: int) -> str:
    """A Chinese business name for a real place, by its kind: 鸿福餐厅, 金城有限公司…; the place's own id keeps it
    stable, and the street number in the address tells two of the same name apart."""
    kind = place["category"].split(":", 1)[-1]
    word = SHOP_WORDS_ZH[(place["osm_id"] + index) % len(SHOP_WORDS_ZH)]
    return word + CATEGORY_ZH.get(kind, "商行")


def _person_name(rng: random.Random, number: int) -> str:
    first = FIRST_NAMES[(number * 7) % len(FIRST_NAMES)]
    if first in CHINESE_GIVEN:
        return CHINESE_GIVEN[first]
    return f"{first} {rng.choice(LAST_NAMES)}"


def _split_into_quadrants(places: list[dict], teams: list[str]) -> dict[str, list[dict]]:
    """North, East, South, West of the places' centre, by the larger of the two offsets."""
    lat0 = sorted(p["lat"] for p in places)[len(places) // 2]
    lon0 = sorted(p["lon"] for p in places)[len(places) // 2]
    split: dict[str, list[dict]] = {team: [] for team in teams}
    for place in places:
        dy, dx = place["lat"] - lat0, (place["lon"] - lon0) * 0.5  # a degree of longitude is half as long here
        quadrant = (0 if dy > 0 else 2) if abs(dy) >= abs(dx) else (1 if dx > 0 else 3)
        split[teams[quadrant]].append(place)
    return split


def nearest_neighbour_order(stops: list[dict]) -> list[dict]:
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


def _street_rows(network: StreetNetwork) -> list[tuple[str | None, str | None, str]]:
    """(name, highway, GeoJSON line) of every street segment."""
    rows = []
    for _u, _v, edge in network.graph.edges(data=True):
        coords = [[round(lon, 6), round(lat, 6)] for lat, lon in edge["shape"]]
        name = edge.get("name") if isinstance(edge.get("name"), str) else None
        highway = edge.get("highway") if isinstance(edge.get("highway"), str) else None
        rows.append((name, highway, orjson.dumps({"type": "LineString", "coordinates": coords}).decode()))
    return rows
