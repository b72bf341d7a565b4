"""The sandbox page in Chromium, through the real pipeline: the page posts a
comment to the simulated Instagram, which sends a signed webhook to this same
server; the webhook queues it, the worker replies through the simulated Graph
API, and the page's polling shows the reply under the comment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_support import PASSWORD, LiveServer, bind_loopback, screenshot

from marksix.config import load_settings
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions

pytestmark = pytest.mark.browser


@pytest.fixture
def sandbox_server(tmp_path: Path) -> Iterator[LiveServer]:
    listener = bind_loopback()
    port = listener.getsockname()[1]
    settings = load_settings(home=tmp_path / "home", admin_password=PASSWORD)
    options = ServeOptions(sandbox=True, base_url=f"http://127.0.0.1:{port}", worker_threads=2)
    with LiveServer(create_app(settings, options=options), listener) as live:
        yield live


def post_comment(page: Any, username: str, text: str) -> Any:
    page.fill("#comment-username", username)
    page.fill("#comment-text", text)
    page.click("#comment-submit")
    comment = page.locator("li.comment", has_text=text)
    comment.wait_for()
    return comment


def test_a_comment_gets_the_bots_reply_beneath_it(page: Any, sandbox_server: LiveServer) -> None:
    page.goto(sandbox_server.url + "/")
    assert page.evaluate("document.querySelector('.post-image').naturalWidth") == 1080
    page.locator("#account-name", has_text="@").wait_for()
    comment = post_comment(page, "may_chan", "畀組號碼我 🙏")
    reply = comment.locator(".reply[data-reply-id]")
    reply.wait_for()
    text = reply.inner_text()
    assert "18+" in text and "1834 633" in text
    assert "@may_chan" in text or "may_chan" in text
    screenshot(page, "sandbox-reply")
    # A second commenter gets a reply of their own under their own comment.
    second = post_comment(page, "ken_wong", "what are the odds of winning?")
    second.locator(".reply[data-reply-id]").wait_for()
    assert second.locator(".reply").inner_text() != text
    screenshot(page, "sandbox-two-replies")


def test_the_reply_shows_in_the_dashboard_log(page: Any, sandbox_server: LiveServer) -> None:
    page.goto(sandbox_server.url + "/?lang=en")
    comment = post_comment(page, "siu_ming", "lucky numbers please")
    comment.locator(".reply[data-reply-id]").wait_for()
    page.goto(sandbox_server.url + "/dashboard/replies")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(sandbox_server.url + "/dashboard/replies")
    row = page.locator("#reply-log tbody tr", has_text="lucky numbers please")
    assert "replied" in row.inner_text()
    screenshot(page, "sandbox-reply-in-dashboard-log")
    page.goto(sandbox_server.url + "/dashboard/")
    ticks = page.locator("#throughput-chart rect.tick")
    assert ticks.count() == 12
    assert page.locator("#throughput").inner_text().strip() != "0"
    screenshot(page, "sandbox-dashboard-overview-after-a-reply")


def test_dashboard_over_the_real_sandbox_runtime(page: Any, sandbox_server: LiveServer) -> None:
    page.goto(sandbox_server.url + "/dashboard/")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url(sandbox_server.url + "/dashboard/")
    assert page.locator("#queue-depth").inner_text().strip() == "0"
    screenshot(page, "sandbox-dashboard-overview")
    page.goto(sandbox_server.url + "/dashboard/accounts")
    row = page.locator("#accounts tbody tr").first
    assert "active" in row.inner_text()
    assert "已訂閱" in row.locator("td.webhook").inner_text()
    screenshot(page, "sandbox-dashboard-accounts")
    # Publishing the card runs Graph's container-then-publish flow against the simulator.
    page.goto(sandbox_server.url + "/dashboard/card")
    page.click("#publish")
    notice = page.locator(".notice")
    notice.wait_for()
    assert "已發佈" in notice.inner_text()
    screenshot(page, "sandbox-dashboard-card-published")


def test_a_comment_that_gets_no_reply_says_why(page: Any, sandbox_server: LiveServer) -> None:
    page.goto(sandbox_server.url + "/")
    first = post_comment(page, "ah_fai", "畀組號碼我")
    first.locator(".reply[data-reply-id]").wait_for()
    # The same commenter again, inside the per-commenter cooldown: skipped, with the reason shown.
    second = post_comment(page, "ah_fai", "再畀多組")
    explained = second.locator(".reply.skipped")
    explained.wait_for()
    assert "今次唔會回覆" in explained.inner_text()
    screenshot(page, "sandbox-skipped-with-reason")
