"""Headless Chromium for browser tests: Debian's chromium driven by Playwright. Never skipped."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"  # tests/artifacts, where the README points


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium is required for the browser tests: apt-get install chromium")
    return path


# Chromium stamps an emulated geolocation fix by the real clock; a pinned page stamps it by its own clock.
FIX_ON_PAGE_CLOCK = """(() => {
  const geo = navigator.geolocation;
  if (!geo) return;
  const restamp = success => position => success({coords: position.coords, timestamp: Date.now()});
  const current = geo.getCurrentPosition.bind(geo), watch = geo.watchPosition.bind(geo);
  geo.getCurrentPosition = (success, ...rest) => current(restamp(success), ...rest);
  geo.watchPosition = (success, ...rest) => watch(restamp(success), ...rest);
})()"""


class PinnedBrowser:
    """Chromium whose every new context and page starts its clock at this process's time and lets it run:
    under a pinned instant (tests/conftest.py `--instant`) pages and tests read the same clock."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser

    def __getattr__(self, name: str):
        return getattr(self.browser, name)

    def new_context(self, **options) -> BrowserContext:
        context = self.browser.new_context(**options)
        context.clock.install(time=datetime.now(UTC))
        context.add_init_script(FIX_ON_PAGE_CLOCK)
        return context

    def new_page(self, **options) -> Page:
        return self.new_context(**options).new_page()  # the context closes with the browser


@contextmanager
def chromium() -> Iterator[Browser]:
    """Playwright gives every launch a fresh, empty profile of its own."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        try:
            yield PinnedBrowser(browser) if os.environ.get("FIELDOPS_TEST_INSTANT") else browser
        finally:
            browser.close()


def screenshot_path(name: str) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    return str(ARTIFACTS / f"{name}.png")


# Finds the centre of a run of pixels of one colour on the map's canvases, in page coordinates.
FIND_COLOUR_JS = """([r, g, b, tolerance, selector]) => {
  for (const canvas of document.querySelectorAll(selector)) {
    const ctx = canvas.getContext('2d');
    const {width, height} = canvas;
    const data = ctx.getImageData(0, 0, width, height).data;
    const rect = canvas.getBoundingClientRect();
    for (let y = 2; y < height - 2; y += 2) {
      for (let x = 2; x < width - 2; x += 2) {
        const i = (y * width + x) * 4;
        const d = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
        if (d <= tolerance && data[i + 3] > 200) {
          // The first hit is a marker's top edge: step down to the middle of the run of this colour.
          let bottom = y;
          while (bottom + 1 < height) {
            const j = ((bottom + 1) * width + x) * 4;
            if (Math.abs(data[j] - r) + Math.abs(data[j + 1] - g) + Math.abs(data[j + 2] - b) > tolerance) break;
            bottom += 1;
          }
          const ratio = rect.width / width;
          return {x: rect.left + x * ratio, y: rect.top + ((y + bottom) / 2) * ratio};
        }
      }
    }
  }
  return null;
}"""
