"""`fieldops serve` as in production (gunicorn) with the OsmAnd port, and `fieldops device`."""

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil
import requests

from dashboard.cli.main import main
from data import devices
from tests.conftest import free_port, real_time, wait_until
from tests.replay import drain

ROOT = Path(__file__).resolve().parents[2]


def _service_env(settings, monkeypatch) -> None:
    for name, value in {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "FIELDOPS_REDIS_PREFIX": settings.redis_prefix,
        "SECRET_KEY": settings.secret_key,
    }.items():
        monkeypatch.setenv(name, value)


def test_traccar_clients_default_url_reaches_osmand_on_its_own_port(seeded_rt, monkeypatch):
    rt = seeded_rt
    devices.add_device(rt.db, "902064", 1, "osmand", None)
    _service_env(rt.settings, monkeypatch)
    web, osmand = free_port(), free_port()
    env = {
        **os.environ,
        "FIELDOPS_OSMAND_PORT": str(osmand),
        "FIELDOPS_INGEST_PORT": "off",
        "FIELDOPS_TILE_URL": "none",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(web), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{web}/healthz", timeout=10).status_code == 200:
                    break
            except requests.RequestException:  # not listening yet, or still starting on a busy machine
                time.sleep(0.3)
        ts = int(real_time()) - 5
        answer = requests.get(f"http://127.0.0.1:{osmand}/?id=902064&lat=60.17&lon=24.94&timestamp={ts}", timeout=5)
        assert (answer.status_code, answer.text) == (200, "")
        form = {"id": "902064", "lat": "60.18", "lon": "24.94", "timestamp": str(ts + 1)}
        assert requests.post(f"http://127.0.0.1:{osmand}/", data=form, timeout=5).status_code == 200
        # The dashboard is not served on the tracker port, and the OsmAnd path still works on the main one.
        assert requests.get(f"http://127.0.0.1:{osmand}/healthz", timeout=5).status_code == 400
        assert (
            requests.get(
                f"http://127.0.0.1:{web}/ingest/osmand?id=902064&lat=60.19&lon=24.94&timestamp={ts + 2}", timeout=5
            ).status_code
            == 200
        )
    finally:
        server.terminate()
        server.wait(20)
    drain(rt)
    assert [r["lat"] for r in rt.db.fetch_all("SELECT lat FROM positions WHERE employee_id = 1 ORDER BY ts")] == [
        60.17,
        60.18,
        60.19,
    ]


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 400  # no device id: refused, so it is listening
    except requests.RequestException:
        return False


def test_fieldops_serve_runs_the_ingest_server_beside_the_dashboard_and_restarts_it(seeded_rt, monkeypatch):
    rt = seeded_rt
    devices.add_device(rt.db, "902064", 1, "osmand", None)
    _service_env(rt.settings, monkeypatch)
    web, ingest = free_port(), free_port()
    env = {
        **os.environ,
        "FIELDOPS_OSMAND_PORT": "off",
        "FIELDOPS_INGEST_PORT": str(ingest),
        "FIELDOPS_TILE_URL": "none",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "serve", "--port", str(web), "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    osmand = f"http://127.0.0.1:{ingest}/ingest/osmand"
    ts = int(real_time()) - 5  # the processes read the real clock, pinned instant or not
    try:
        wait_until(lambda: _answers(osmand), "the ingest server beside `fieldops serve`", 90)
        answer = requests.get(f"{osmand}?id=902064&lat=60.17&lon=24.94&timestamp={ts}", timeout=5)
        assert (answer.status_code, answer.text) == (200, "")
        assert requests.get(f"http://127.0.0.1:{ingest}/healthz", timeout=5).status_code == 404  # no dashboard
        # The ingest server is a child `fieldops serve` watches: killed, it is started again.
        (child,) = [p for p in psutil.Process(server.pid).children() if "ingest" in p.cmdline()]
        child.kill()
        child.wait(10)
        wait_until(lambda: _answers(osmand), "the ingest server started again", 90)
        answer = requests.get(f"{osmand}?id=902064&lat=60.18&lon=24.94&timestamp={ts + 1}", timeout=5)
        assert answer.status_code == 200
    finally:
        server.terminate()
        server.wait(30)
    assert not _answers(osmand)  # stopped with `fieldops serve`
    drain(rt)
    assert [r["lat"] for r in rt.db.fetch_all("SELECT lat FROM positions WHERE employee_id = 1 ORDER BY ts")] == [
        60.17,
        60.18,
    ]


def test_device_add_list_remove_prints_the_secret_once_and_stores_its_hash(seeded_rt, monkeypatch, capsys):
    rt = seeded_rt
    _service_env(rt.settings, monkeypatch)
    assert main(["device", "add", "E0002", "--owntracks", "anna/phone"]) == 0
    printed = capsys.readouterr().out
    password = printed.rsplit("password ", 1)[1].strip()
    stored = rt.db.fetch_one("SELECT token_hash, protocol FROM devices WHERE identifier = 'anna/phone'")
    assert stored == {"token_hash": devices.hash_token(password), "protocol": "owntracks"}
    assert password not in str(stored)
    assert main(["device", "add", "E0002", "--osmand", "902064"]) == 0
    assert main(["device", "add", "NOBODY", "--osmand", "1234"]) == 2
    capsys.readouterr()
    assert main(["device", "list"]) == 0
    listing = capsys.readouterr().out
    assert "anna/phone" in listing and "902064" in listing and password not in listing
    assert main(["device", "remove", "902064"]) == 0
    assert main(["device", "remove", "902064"]) == 1
    assert rt.db.fetch_one("SELECT count(*) AS n FROM devices WHERE identifier = '902064'")["n"] == 0
