"""Translations with no server (dashboard/core/i18n.py): every string passed to _() and every page name has
a Chinese entry, the language is chosen from the cookie then the browser, relative times read naturally."""

import re
from pathlib import Path

import dash
from dash import Dash
from flask import Flask

from dashboard.core.i18n import _, catalog, relative_time

ROOT = Path(__file__).resolve().parents[2]
CALL = re.compile(r'\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
PART = re.compile(r'"((?:[^"\\]|\\.)*)"')


def _literals() -> set[str]:
    """Every string literal passed to _() (implicitly concatenated literals joined)."""
    found = set()
    for folder in ("dashboard", "pages", "callbacks"):
        for path in (ROOT / folder).rglob("*.py"):
            for call in CALL.finditer(path.read_text(encoding="utf-8")):
                found.add("".join(PART.findall(call.group(1))))
    return found


def test_every_user_visible_string_has_a_chinese_translation():
    Dash(__name__, use_pages=True, pages_folder=str(ROOT / "pages"))  # registers the pages as the app does
    page_names = {page["name"] for page in dash.page_registry.values()}
    wanted = _literals() | page_names
    chinese = catalog("zh-CN")
    assert sorted(wanted - chinese.keys()) == []
    assert sorted(chinese.keys() - wanted) == []  # no stale entries
    for english, translated in chinese.items():
        assert sorted(re.findall(r"\{\w+\}", english)) == sorted(re.findall(r"\{\w+\}", translated))


def test_the_browser_language_is_used_when_the_user_chose_none():
    app = Flask(__name__)
    with app.test_request_context(headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}):
        assert _("Moving") == "移动中"
    with app.test_request_context(headers={"Accept-Language": "fi-FI,en;q=0.5"}):
        assert _("Moving") == "Moving"


def test_the_users_choice_beats_the_browser():
    app = Flask(__name__)
    with app.test_request_context(headers={"Accept-Language": "zh-CN", "Cookie": "fieldops_lang=en"}):
        assert _("Moving") == "Moving"


def test_relative_times_read_naturally():
    assert relative_time(5, "en") == "5 s ago"
    assert relative_time(125, "en") == "2 min ago"
    assert relative_time(7300, "zh-CN") == "2 小时前"
