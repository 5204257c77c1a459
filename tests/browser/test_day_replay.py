"""Issue 16, day replay: a supervisor opens a worked day from its address and sees the timeline fitted to the day
and the person's working hours, plays it back at 1×, 10× or 60× in the browser, reads task states and on-time
verdicts in their language (an early arrival is on time), and the time split's legend whole beside the map."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect

from dashboard.analytics.efficiency import rebuild
from dashboard.demo.history import seed_history
from dashboard.ingest.privacy import tracking_policy
from data import working_hours
from tests.browser import PinnedBrowser, screenshot_path
from tests.browser.conftest import settle
from tests.conftest import LiveServer, _make_settings, sign_in_browser

DESKTOP = {"width": 1600, "height": 1000}
SHIFT = (time(8), time(17))  # the person's working hours on the replayed day
LANGUAGES = {"en": ("yes", "on site", "done"), "zh-CN": ("是", "在现场", "已完成")}
RAW_STATES = ("on_site", "en_route", "new", "assigned", "accepted", "failed", "cancelled")


def last_weekday_before(today: date) -> date:
    day = today - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


@pytest.fixture(scope="module")
def replayed(servers, templates):
    """The demo with the last weekday before today worked (tasks, track, visits, rolled up) for everyone; one
    person of the supervisor's team works 08:00-17:00 that day, arrived early at one task and is on site at
    their last one."""
    settings_of = _make_settings(servers, templates, "seeded")
    server = LiveServer(next(settings_of))
    rt = server.runtime
    tz = rt.settings.tz
    day = last_weekday_before(datetime.now(tz).date())
    seed_history(rt.db, day, day, tz, stay_min_s=rt.settings.stay_min_s, tracked_from=day)
    start = datetime.combine(day, time(), tz)
    person = rt.db.fetch_one(
        """SELECT e.id, e.code, e.name FROM employees e
           JOIN user_teams ut ON ut.team_id = e.team_id JOIN users u ON u.id = ut.user_id AND u.username = 'supervisor'
           JOIN tasks t ON t.employee_id = e.id AND t.state = 'done' AND t.window_start >= %s AND t.window_start < %s
           GROUP BY e.id ORDER BY count(*) DESC, e.id LIMIT 1""",
        (start, start + timedelta(days=1)),
    )
    tasks = rt.db.fetch_all(
        """SELECT id, arrived_at FROM tasks WHERE employee_id = %s AND state = 'done'
             AND window_start >= %s AND window_start < %s ORDER BY planned_seq""",
        (person["id"], start, start + timedelta(days=1)),
    )
    early, on_site = tasks[0], tasks[-1]
    rt.db.execute(  # the window opens 30 min after the person arrived
        "UPDATE tasks SET window_start = %s, window_end = %s WHERE id = %s",
        (early["arrived_at"] + timedelta(minutes=30), early["arrived_at"] + timedelta(minutes=90), early["id"]),
    )
    rt.db.execute("UPDATE tasks SET state = 'on_site', departed_at = NULL WHERE id = %s", (on_site["id"],))
    rebuild(rt.db, start - timedelta(hours=1), start + timedelta(days=1, hours=1), rt.settings.timezone)
    working_hours.replace_slots(rt.db, [(day.weekday(), *SHIFT)], employee_id=person["id"])
    tracking_policy(rt).refresh(force=True)
    fixes = rt.db.fetch_one(
        "SELECT min(ts) AS first, max(ts) AS last FROM positions WHERE employee_id = %s AND ts >= %s AND ts < %s",
        (person["id"], start, start + timedelta(days=1)),
    )
    server.extra = {"day": day, "person": person, "early": early, "fixes": fixes}
    yield server
    server.stop()
    next(settings_of, None)


def _open_day(browser, server: LiveServer, language: str) -> Page:
    context = browser.new_context(viewport=DESKTOP, locale="en-GB")
    if not isinstance(browser, PinnedBrowser):  # a pinned run's browser installed the page's clock already
        context.clock.install(time=datetime.now(UTC))
    page = context.new_page()
    sign_in_browser(page, server.url, "supervisor")
    page.goto(f"{server.url}/language/{language}?next=/")
    person, day = server.extra["person"], server.extra["day"]
    page.goto(f"{server.url}/analytics/day?employee={person['id']}&date={day.isoformat()}")
    settle(page)
    page.wait_for_selector(f"#day-summary:has-text('{person['code']}')", timeout=20_000)
    page.wait_for_selector("#day-tasks .ag-row", timeout=10_000)
    page.wait_for_selector("#day-split .legend .traces", timeout=10_000)
    return page


def _local(moment: datetime, tz) -> str:
    """A moment as Plotly's axis holds it: the organisation's wall-clock time."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_address_opens_the_persons_day_fitted_to_their_data_and_hours(browser, replayed, language):
    rt, extra = replayed.runtime, replayed.extra
    tz, day, person = rt.settings.tz, extra["day"], extra["person"]
    page = _open_day(browser, replayed, language)
    # The address chose the person (name and code in the chooser) and the day.
    assert f"{person['name']} ({person['code']})" in page.inner_text("#day-employee")
    assert page.input_value("#day-date") == day.isoformat()

    # The axis runs from the earlier of the first fix and 08:00 to the later of the last fix and 17:00, with a
    # margin of at most 45 min (15 min, then out to the half hour), not 06:00-20:00.
    axis = page.evaluate("() => document.querySelector('#day-timeline .js-plotly-plot')._fullLayout.xaxis.range")
    shift_start, shift_end = (datetime.combine(day, moment, tz) for moment in SHIFT)
    earliest = min(extra["fixes"]["first"], shift_start)
    latest = max(extra["fixes"]["last"], shift_end)
    first, last = (datetime.fromisoformat(value).replace(tzinfo=tz) for value in axis)
    assert earliest - timedelta(minutes=45) <= first <= earliest, (axis, _local(earliest, tz))
    assert latest <= last <= latest + timedelta(minutes=45), (axis, _local(latest, tz))
    ticks = page.locator("#day-timeline .xtick text").all_text_contents()
    assert ticks and "06:00" not in ticks and ticks[0] >= "07:00", ticks
    band = page.locator("#day-timeline .layer-below .shapelayer path")
    assert band.count() == 1, "the working hours are shaded"
    assert page.locator("#day-timeline .annotation-text").text_content() in ("Working hours", "工作时间")

    # States and on-time verdicts in the viewer's language; the early arrival is on time.
    yes, on_site, done = LANGUAGES[language]
    states = page.locator("#day-tasks .ag-row [col-id=state]").all_inner_texts()
    assert on_site in states and done in states, states
    assert not set(states) & set(RAW_STATES), states
    early_arrival = extra["early"]["arrived_at"].astimezone(tz).strftime("%H:%M")
    arrived = page.locator("[col-id=arrived]", has_text=early_arrival)
    early_row = page.locator("#day-tasks .ag-row").filter(has=arrived).first
    assert early_row.locator("[col-id=on_time]").inner_text() == yes

    # The time split's legend lies whole inside its figure and inside the panel, unscrolled.
    boxes = page.evaluate(
        """() => {
          const panel = document.getElementById('day-split').getBoundingClientRect();
          const svg = document.querySelector('#day-split .main-svg').getBoundingClientRect();
          const items = [...document.querySelectorAll('#day-split .legend .traces')].map(t => {
            const r = t.getBoundingClientRect();
            return {text: t.textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom};
          });
          return {panel: {top: panel.top, bottom: panel.bottom, left: panel.left, right: panel.right},
                  svg: {top: svg.top, bottom: svg.bottom, left: svg.left, right: svg.right}, items};
        }"""
    )
    assert len(boxes["items"]) == 3, boxes
    for item in boxes["items"]:
        for frame in (boxes["svg"], boxes["panel"]):
            assert frame["left"] <= item["left"] and item["right"] <= frame["right"], (item, frame)
            assert frame["top"] <= item["top"] and item["bottom"] <= frame["bottom"], (item, frame)
    page.screenshot(path=screenshot_path(f"i16-replay-day-{language}"), full_page=True)


def test_playback_runs_in_the_browser_at_the_chosen_speed(browser, replayed):
    page = _open_day(browser, replayed, "en")
    replay = page.locator(".fo-replay")
    assert replay.locator("label[for=day-speed]").inner_text() == "Speed"
    assert [t.strip() for t in replay.locator("#day-speed label").all_inner_texts()] == ["1×", "10×", "60×"]
    # No unlabelled box: the slider's own number input (Dash 4) stays off.
    assert replay.locator("input[type=number], input[type=text]").count() == 0
    thumb = page.locator("#day-slider [role=slider]")
    marker = page.locator("#day-map .leaflet-marker-pane path[fill='#D55E00']")
    expect(marker).to_have_attribute("fill-opacity", "1")  # the person is shown where the playhead is
    server_calls = []
    page.on("request", lambda r: server_calls.append(r.post_data) if "day-" in (r.post_data or "") else None)

    def played(speed: str, seconds: int) -> float:
        page.locator("#day-speed label", has_text=speed).click()
        before = float(thumb.get_attribute("aria-valuenow"))
        clock = page.inner_text("#day-clock")
        page.click("#day-play")
        expect(page.locator("#day-play")).to_have_text("Pause")
        page.clock.run_for(seconds * 1000)
        page.click("#day-play")
        expect(page.locator("#day-play")).to_have_text("Play")
        assert page.inner_text("#day-clock") != clock, "the clock moved with the playhead"
        assert thumb.get_attribute("aria-valuetext") == page.inner_text("#day-clock")
        return float(thumb.get_attribute("aria-valuenow")) - before

    slow = played("1×", 4)
    fast = played("60×", 4)
    assert 2 <= slow <= 8, slow  # about a second of the day per second
    assert fast >= 20 * slow and 200 <= fast <= 300, (slow, fast)
    assert server_calls == [], "playback asks the server nothing"
    page.screenshot(path=screenshot_path("i16-replay-playing-en"))
