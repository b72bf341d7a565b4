"""The dashboard in Debian's Chromium: login and refusal, the reply log, the
statistics pages and the settings preview. Screenshots go to
test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine
from ui_support import PASSWORD, FakeRuntime, LiveServer, make_app, screenshot, seed_comment

from marksix.web.dashboard import stats_view

pytestmark = pytest.mark.browser


@pytest.fixture
def server(runtime: FakeRuntime) -> Iterator[LiveServer]:
    with LiveServer(make_app(runtime)) as live:
        yield live


def log_in(page: Any, server: LiveServer, target: str = "/dashboard/") -> None:
    page.goto(server.url + target)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(f"{server.url}{target}")


def test_dashboard_refuses_without_login_then_logs_in(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/dashboard/replies")
    assert page.url.startswith(server.url + "/dashboard/login")
    assert page.locator("h1").inner_text() == "登入管理介面"
    page.fill('input[name="password"]', "not the password")
    page.click('button[type="submit"]')
    assert "密碼錯誤" in page.locator(".notice").inner_text()
    screenshot(page, "dashboard-login-refused")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(server.url + "/dashboard/replies")
    assert page.locator("h1").inner_text() == "回覆記錄"
    # Logging out closes the dashboard again.
    page.click("text=登出")
    page.wait_for_url(server.url + "/dashboard/login")
    page.goto(server.url + "/dashboard/")
    assert page.url.startswith(server.url + "/dashboard/login")


def test_reply_log_search_filter_and_pages(page: Any, server: LiveServer, migrated_engine: Engine) -> None:
    for number in range(1, 41):
        seed_comment(
            migrated_engine, number, text=f"畀組號碼我 {number}", reply_text=f"@user{number} 你嘅號碼…"
        )
    seed_comment(
        migrated_engine,
        90,
        text="我要必中號碼",
        state="skipped",
        intent="support",
        reply_text=None,
        reason="asks for a sure win: answered with the help line only",
    )
    seed_comment(
        migrated_engine, 91, state="failed", reply_text=None, reason="Graph error 368: blocked for spam"
    )
    log_in(page, server, "/dashboard/replies")
    rows = page.locator("#reply-log tbody tr")
    assert rows.count() == 25
    screenshot(page, "dashboard-reply-log")
    page.fill('input[name="q"]', "必中")
    page.click("button:has-text('篩選')")
    assert rows.count() == 1
    assert "asks for a sure win" in rows.first.inner_text()
    page.goto(server.url + "/dashboard/replies")
    page.select_option('select[name="state"]', "failed")
    page.click("button:has-text('篩選')")
    assert rows.count() == 1 and "368" in rows.first.inner_text()
    screenshot(page, "dashboard-reply-log-failed")
    page.goto(server.url + "/dashboard/replies")
    page.click("a[rel=next]")
    assert "第 2 頁" in page.locator(".pager").inner_text()
    assert rows.count() == 17


CHART_MARKS = [
    ("frequency", "rect.bar"),
    ("gaps", "g.cell"),
    ("backtest", "g.interval"),
    ("popularity", "rect.bar"),
]


@pytest.mark.parametrize(("view", "marks"), CHART_MARKS)
def test_statistics_pages_show_charts(page: Any, server: LiveServer, view: str, marks: str) -> None:
    log_in(page, server)
    page.goto(f"{server.url}/dashboard/stats/{view}")
    chart = page.locator(f"#chart-{view} svg")
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box is not None and box["width"] > 500
    if view == "popularity" and stats_view.popularity_model() is None:
        pytest.skip("the package ships no popularity model yet")
    expected = {"frequency": 49, "gaps": 49, "backtest": 5, "popularity": 49}[view]
    assert page.locator(f"#chart-{view} {marks}").count() == expected
    screenshot(page, f"dashboard-stats-{view}")
    page.goto(f"{server.url}/dashboard/stats/{view}?lang=en")
    assert page.locator("nav.tabs a[aria-current=page]").inner_text() in {
        "Frequency",
        "Gaps, hot and cold",
        "Backtest against random",
        "Number popularity",
    }
    screenshot(page, f"dashboard-stats-{view}-en")


def test_settings_live_preview(page: Any, server: LiveServer) -> None:
    log_in(page, server, "/dashboard/settings")
    page.fill("#preview-comment", "畀組號碼我")
    reply = page.locator("#preview-reply")
    reply.filter(has_text="1834 633").wait_for()
    assert "18+" in reply.inner_text()
    page.select_option('select[name="language"]', "en")
    reply.filter(has_text="18+").filter(has_not_text="畀").wait_for()
    screenshot(page, "dashboard-settings-preview")


def test_card_page_shows_the_post_card(page: Any, server: LiveServer) -> None:
    log_in(page, server, "/dashboard/card")
    image = page.locator("#card-image")
    image.wait_for()
    assert page.evaluate("document.getElementById('card-image').naturalWidth") == 1080
    assert "1834 633" in page.locator("#card-caption").inner_text()
    screenshot(page, "dashboard-card")
