"""Fixtures only the browser tests use: one Chromium per module and the app served on a free port.
The servers behind them (PostgreSQL, Redis, the seeded settings) come from tests/conftest.py."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import Browser, Page

from dashboard.core.config import Settings
from dashboard.demo.seed import plan_day
from dashboard.writer.worker import Writer
from tests.browser import chromium
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium per test module; each test opens its own pages."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A desktop page (1300 × 1000, en-GB) in a fresh context, closed after the test."""
    context = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="en-GB")
    yield context.new_page()
    context.close()


@pytest.fixture
def server(seeded_settings: Settings) -> Iterator[LiveServer]:
    """The app with the demo's seed on a free port (modules that need more define their own)."""
    server = LiveServer(seeded_settings)
    yield server
    server.stop()


LATEST_ROUND_START = timedelta(hours=17)  # a round of up to 9 visits, 40 min apart, 60 min each, ends by 23:30


@pytest.fixture
def day_server(seeded_settings: Settings) -> Iterator[LiveServer]:
    """The app on a free port with today's tasks planned and a writer running; `background` stops
    the writer (and anything else a test starts on it) at the end.

    The first visit's window opens now, or late in the afternoon when the evening is too short for a
    round of visits: every task falls within today, whatever the hour the tests run at."""
    server = LiveServer(seeded_settings)
    rt = server.runtime
    now = datetime.now(rt.settings.tz)
    latest_start = now.replace(hour=0, minute=0, second=0, microsecond=0) + LATEST_ROUND_START
    plan_day(rt.db, now.date(), rt.settings.tz, start=min(now, latest_start))
    writer = threading.Thread(target=Writer(rt, "browser-test").run, args=(server.background, 200), daemon=True)
    writer.start()
    yield server
    server.background.set()
    writer.join(5)
    server.stop()
