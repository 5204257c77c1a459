"""The demo in Simplified Chinese (issue 19): FIELDOPS_LANGUAGE=zh-CN seeds the same Helsinki streets with a Chinese
organisation — people, teams, customers, phone numbers, alert rules and survey comments — and the demo accounts
still find their teams."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboard.core.runtime import Runtime
from dashboard.demo.history import SURVEY_COMMENTS_ZH, seed_history
from dashboard.demo.seed import seed_demo, seed_demo_accounts, seed_demo_rules
from data import alerts
from tests.conftest import SECRET, _make_settings

HAN = re.compile(r"^[\u4e00-\u9fff]+$")


@pytest.fixture(scope="module")
def rt(servers, templates):
    for settings in _make_settings(servers, templates, "empty"):
        rt = Runtime.open(settings)
        seed_demo(rt.db, SECRET, 20, language="zh-CN")
        seed_history(rt.db, date(2026, 3, 2), date(2026, 3, 6), rt.settings.tz, stay_min_s=300, language="zh-CN")
        yield rt
        rt.close()


def test_people_teams_and_customers_have_chinese_names(rt):
    people = rt.db.fetch_all("SELECT name, phone FROM employees")
    assert len(people) == 20 and all(HAN.match(p["name"]) for p in people)
    assert len({p["name"] for p in people}) == 20
    assert all(p["phone"].startswith("+86 1") for p in people)
    assert {t["name"] for t in rt.db.fetch_all("SELECT name FROM teams")} == {"北区", "东区", "南区", "西区"}
    customers = rt.db.fetch_all("SELECT name FROM customers")
    assert customers and all(HAN.match(c["name"]) for c in customers)


def test_the_demo_accounts_rules_and_surveys_are_chinese_too(rt):
    seed_demo_accounts(rt.db, SECRET)
    supervisor_teams = rt.db.fetch_all(
        """SELECT t.name FROM users u JOIN user_teams ut ON ut.user_id = u.id JOIN teams t ON t.id = ut.team_id
           WHERE u.username = 'supervisor'"""
    )
    assert [row["name"] for row in supervisor_teams] == ["北区"]
    seed_demo_rules(rt.db, "zh-CN")
    names = {rule["name"] for rule in alerts.rules(rt.db)}
    assert "设备 10 分钟无信号" in names and "离开北区工作区域" in names
    comments = {row["comment"] for row in rt.db.fetch_all("SELECT comment FROM feedback WHERE comment IS NOT NULL")}
    assert comments and comments <= set(SURVEY_COMMENTS_ZH)
