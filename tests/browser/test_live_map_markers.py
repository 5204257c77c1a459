"""Markers people can read (issue 16), as a supervisor sees them at 1600×1000 in both languages: a person's name
on hover, small labels under the markers once zoomed in (never piled on one another), and clusters in a style of
their own, a neutral disc with the count in a ring of the states of the people it holds."""

from __future__ import annotations

import math
import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from dashboard.core.palette import STATE_COLORS
from dashboard.ingest.accept import accept_fixes
from data import customers, employees
from data.scope import Scope
from tests.browser import FIND_COLOUR_JS, screenshot_path
from tests.conftest import consent_given, sign_in_browser

DESKTOP = {"width": 1600, "height": 1000}
IDLE_RGB = (230, 159, 0)
RING_M = 400  # the people around the group: apart at zoom 14 (~50 px), all in view at zoom 16
CLUSTERS_JS = """() => Array.from(document.querySelectorAll('#livemap-map .fo-cluster')).map((icon) => {
    const ring = icon.querySelector('.fo-cluster-ring'), count = icon.querySelector('.fo-cluster-count');
    const box = icon.getBoundingClientRect();
    return {title: icon.title, states: ring.dataset.states, ring: getComputedStyle(ring).backgroundImage,
            disc: getComputedStyle(count).backgroundColor, text: count.textContent,
            font: parseFloat(getComputedStyle(count).fontSize), width: box.width, height: box.height};
})"""
LABELS_JS = """() => {
    const map = document.getElementById('livemap-map').getBoundingClientRect();
    return Array.from(document.querySelectorAll('#livemap-map .fo-marker-label')).map((label) => {
        const box = label.getBoundingClientRect();
        return {text: label.textContent, shown: getComputedStyle(label).visibility === 'visible',
                font: parseFloat(getComputedStyle(label).fontSize), left: box.left, right: box.right,
                top: box.top, bottom: box.bottom,
                inside: box.left >= map.left && box.right <= map.right
                    && box.top >= map.top && box.bottom <= map.bottom};
    });
}"""


def _rgb(hex_colour: str) -> str:
    value = hex_colour.lstrip("#")
    return "rgb({}, {}, {})".format(*(int(value[i : i + 2], 16) for i in (0, 2, 4)))


def _offset(centre: tuple[float, float], metres: float, bearing_deg: float) -> tuple[float, float]:
    lat, lon = centre
    north, east = metres * math.cos(math.radians(bearing_deg)), metres * math.sin(math.radians(bearing_deg))
    return lat + north / 111_320, lon + east / (111_320 * math.cos(math.radians(lat)))


@pytest.fixture
def placed(server):
    """Everyone placed around the middle of the city: a group of five 15 m apart (two moving, two idle, one
    offline) and everyone else alone on a ring around it, among them two 王芳; the lone 王芳 E9001 is the only
    idle person outside the group. Returns (server, the group's centre, the two 王芳's ids)."""
    rt = server.runtime
    north = rt.db.fetch_one("SELECT id FROM teams WHERE name = 'North'")["id"]
    wang_fang = [employees.create_employee(rt.db, code, "王芳", north) for code in ("E9001", "E9002")]
    consent_given(rt, *wang_fang)
    points = [(c["lat"], c["lon"]) for c in customers.list_customers(rt.db, Scope.everything())]
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    centre = ((min(lats) + max(lats)) / 2, (min(lons) + max(lons)) / 2)
    others = [row["id"] for row in rt.db.fetch_all("SELECT id FROM employees WHERE active ORDER BY id")]
    others = [person for person in others if person not in wang_fang]
    group, ring = others[:5], [wang_fang[0], *others[5:], wang_fang[1]]
    now_ms = int(time.time() * 1000)
    for i, person in enumerate(group):
        lat, lon = _offset(centre, 15 * i, 90)
        speed = (6.0, 6.0, 0.0, 0.0, 0.0)[i]
        stamp = now_ms - (rt.settings.offline_after_s + 120) * 1000 if i == 4 else now_ms
        accept_fixes(rt, person, [{"ts": stamp, "lat": lat, "lon": lon, "speed": speed}], "native", history=i == 4)
    for i, person in enumerate(ring):
        lat, lon = _offset(centre, RING_M, 360 * i / len(ring))
        speed = 0.0 if person == wang_fang[0] else 6.0
        accept_fixes(rt, person, [{"ts": now_ms, "lat": lat, "lon": lon, "speed": speed}], "native")
    return server, centre, wang_fang


def _look_at(page, centre: tuple[float, float], zoom: int) -> None:
    page.evaluate(
        "([lat, lon, zoom]) => window.dash_clientside.set_props('livemap-map', {viewport: {center: [lat, lon], zoom}})",
        [centre[0], centre[1], zoom],
    )
    page.wait_for_timeout(1500)  # the view settles and the fleet layer redraws for it


def _until(page, check, what: str, timeout_s: float = 20):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        page.wait_for_timeout(300)
    seen = {"clusters": page.evaluate(CLUSTERS_JS), "labels": page.evaluate(LABELS_JS)}
    raise AssertionError(f"timed out waiting for {what}; the map shows {seen}")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_names_on_hover_labels_when_zoomed_in_and_clusters_that_show_their_mix(browser, placed, language):
    server, centre, _wang_fang = placed
    page = browser.new_page(viewport=DESKTOP)
    sign_in_browser(page, server.url, "manager")
    if language != "en":
        page.goto(f"{server.url}/language/zh-CN?next=/")
    page.wait_for_selector("#livemap-map .leaflet-overlay-pane canvas")

    # Zoomed out: the group is one cluster, a white disc with its count in a ring of its people's states.
    def zoomed_out_on_the_group() -> dict | None:
        _look_at(page, centre, 14)  # again if the page's own first fit to the customers came after it
        named = [c for c in page.evaluate(CLUSTERS_JS) if c["text"] == "5" and c["title"]]
        return named[0] if named and not page.locator("#livemap-map .fo-marker-label").count() else None

    group = _until(page, zoomed_out_on_the_group, "the group's cluster, named, at zoom 14", timeout_s=30)
    assert group["states"] == "moving:2,idle:2,offline:1"
    state_rgbs = {state: _rgb(colour) for state, colour in STATE_COLORS.items()}
    assert group["disc"] == "rgb(255, 255, 255)" and group["disc"] not in state_rgbs.values()
    assert all(state_rgbs[state] in group["ring"] for state in ("moving", "idle", "offline"))
    assert state_rgbs["visit"] not in group["ring"]  # no part for a state nobody in it is in
    assert group["width"] == group["height"] == 36 and group["font"] == 13  # --fo-cluster-size, --fo-cluster-font
    words = ("Moving 2", "Idle 2", "Offline 1") if language == "en" else ("移动中 2", "空闲 2", "离线 1")
    assert all(word in group["title"] for word in words), group["title"]
    page.screenshot(path=screenshot_path(f"i16-markers-clusters-{language}"))

    # Hovering the lone idle marker (王芳 E9001) names her, with her code: another 王芳 works here too.
    tip = page.locator("#livemap-map .leaflet-tooltip.fo-marker-tip")
    for dx, dy in ((0, 3), (0, 0), (2, 5), (-2, 1), (0, 3), (1, 2)):  # as a hand does: away and back when missed
        marker = _until(
            page,
            lambda: page.evaluate(FIND_COLOUR_JS, [*IDLE_RGB, 40, "#livemap-map .leaflet-overlay-pane canvas"]),
            "the idle marker",
        )
        page.mouse.move(marker["x"] - 40, marker["y"] - 40, steps=4)
        page.mouse.move(marker["x"] + dx, marker["y"] + dy, steps=8)
        try:
            tip.wait_for(state="visible", timeout=2_000)
            break
        except PlaywrightTimeout:
            continue
    else:
        tooltips = page.evaluate(
            "() => Array.from(document.querySelectorAll('.leaflet-tooltip')).map(e => e.outerHTML)"
        )
        page.screenshot(path=screenshot_path(f"i16-markers-hover-missed-{language}"))
        raise AssertionError(f"no name on hovering {marker}: {tooltips}")
    assert tip.inner_text() == "王芳 · E9001"
    box = tip.bounding_box()
    assert box["y"] + box["height"] <= marker["y"] and abs(box["x"] + box["width"] / 2 - marker["x"]) < 30  # above it
    page.screenshot(path=screenshot_path(f"i16-markers-hover-{language}"))
    page.mouse.move(5, 500)

    # Zoomed in (the map's + button, twice): everyone alone has a label under their marker; in the group, labels
    # that would pile up are hidden; no two shown labels overlap.
    for _ in range(2):
        page.click("#livemap-map .leaflet-control-zoom-in")
        page.wait_for_timeout(800)
    _until(page, lambda: len(page.evaluate(LABELS_JS)) == 14, "the labels")
    page.wait_for_timeout(300)  # the labels are sorted out the frame after they are placed
    labels = page.evaluate(LABELS_JS)
    shown = [label for label in labels if label["shown"]]
    texts = {label["text"] for label in shown}
    assert {"王芳 · E9001", "王芳 · E9002"} <= texts
    assert len(labels) == 14 and 10 <= len(shown) < 14  # the ring's nine and the group's first; the rest hidden
    for i, one in enumerate(shown):
        assert one["font"] == 12 and one["inside"], one  # --fo-label-font, within the map
        for other in shown[i + 1 :]:
            apart = (
                one["right"] <= other["left"]
                or other["right"] <= one["left"]
                or one["bottom"] <= other["top"]
                or other["bottom"] <= one["top"]
            )
            assert apart, (one, other)
    assert page.locator("#livemap-map .fo-cluster").count() == 0
    page.screenshot(path=screenshot_path(f"i16-markers-labels-{language}"))
    page.close()
