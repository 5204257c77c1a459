"""The filing numbers (issue 19) at the foot of every public page — sign-in, survey, share link — linked to their
registers, escaped, and absent until an admin sets them."""

from __future__ import annotations

import pytest

from dashboard.work.phone import create_share_link
from dashboard.work.regional import SettingError, save_filing
from tests.conftest import make_app

ICP = "京ICP备12345678号-1"
PSB = "京公网安备11010502030143号"


@pytest.fixture
def app(seeded_settings):
    app = make_app(seeded_settings)
    yield app
    app.server.extensions["fieldops"].close()


def _public_pages(app) -> dict[str, str]:
    rt = app.server.extensions["fieldops"]
    client = app.server.test_client()
    share = create_share_link(rt, 1, None, 60)
    return {
        "login": client.get("/login").get_data(as_text=True),
        "survey": client.get("/survey/not-a-real-token").get_data(as_text=True),
        "share": client.get(share).get_data(as_text=True),
    }


def test_no_footer_until_the_numbers_are_set(app):
    for page in _public_pages(app).values():
        assert "<footer" not in page


def test_every_public_page_shows_both_numbers_linked(app):
    save_filing(app.server.extensions["fieldops"], ICP, PSB, None)
    for name, page in _public_pages(app).items():
        assert (
            f'<a href="https://beian.miit.gov.cn/" target="_blank" rel="noopener" id="filing-icp">{ICP}</a>' in page
        ), name
        assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502030143"' in page, name
        assert PSB in page, name


def test_a_number_is_escaped_and_checked(app):
    rt = app.server.extensions["fieldops"]
    save_filing(rt, "<b>ICP</b>", "", None)
    assert "&lt;b&gt;ICP&lt;/b&gt;" in _public_pages(app)["login"]
    with pytest.raises(SettingError):
        save_filing(rt, "x" * 65, "", None)
    with pytest.raises(SettingError):
        save_filing(rt, ICP, "公安备案", None)  # no digits to link
