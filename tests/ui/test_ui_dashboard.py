"""The dashboard over HTTP: login, refusal, CSRF, throttling, and every page."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from ui_support import ACCOUNT_ID, NOW, PASSWORD, FakeRuntime, csrf_from, log_in, make_app, seed_comment

from marksix.config import load_settings
from marksix.web.auth import PASSWORD_FILE, SESSION_COOKIE, LoginThrottle

PAGES = [
    "/dashboard/",
    "/dashboard/accounts",
    "/dashboard/replies",
    "/dashboard/settings",
    "/dashboard/stats/frequency",
    "/dashboard/stats/gaps",
    "/dashboard/stats/backtest",
    "/dashboard/stats/popularity",
    "/dashboard/card",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard/login?next=")


def test_apis_answer_401_without_a_login(client: TestClient) -> None:
    assert client.get("/dashboard/api/summary").status_code == 401
    response = client.post("/dashboard/api/preview", json={"comment": "hi"})
    assert response.status_code == 401


def test_a_forged_cookie_is_not_a_login(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "eyJjc3JmIjoieCIsImF1dGgiOnRydWV9.forged.signature")
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_login_sets_a_signed_http_only_lax_cookie_and_returns_to_the_page(client: TestClient) -> None:
    page = client.get("/dashboard/login?next=/dashboard/replies")
    assert page.status_code == 200 and 'name="password"' in page.text
    response = client.post(
        "/dashboard/login",
        data={"password": PASSWORD, "csrf_token": csrf_from(page.text), "next": "/dashboard/replies"},
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/dashboard/replies"
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    assert client.get("/dashboard/").status_code == 200


def test_cookie_is_secure_over_https(app: object) -> None:
    with TestClient(app, base_url="https://testserver") as secure_client:  # type: ignore[arg-type]
        page = secure_client.get("/dashboard/login")
        assert "secure" in page.headers["set-cookie"].lower()


def test_login_never_redirects_off_site(client: TestClient) -> None:
    page = client.get("/dashboard/login")
    response = client.post(
        "/dashboard/login",
        data={"password": PASSWORD, "csrf_token": csrf_from(page.text), "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/dashboard/"


def test_wrong_password_is_refused(client: TestClient) -> None:
    page = client.get("/dashboard/login")
    response = client.post("/dashboard/login", data={"password": "nope", "csrf_token": csrf_from(page.text)})
    assert response.status_code == 401
    assert "密碼錯誤" in response.text
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


def test_login_without_the_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/dashboard/login")
    response = client.post("/dashboard/login", data={"password": PASSWORD, "csrf_token": "guess"})
    assert response.status_code == 403
    assert client.get("/dashboard/", follow_redirects=False).status_code == 303


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_repeated_wrong_passwords_lock_the_address_out(runtime: FakeRuntime) -> None:
    clock = Clock()
    throttle = LoginThrottle(free_attempts=2, base_delay=30.0, clock=clock)
    with TestClient(make_app(runtime, throttle)) as client:
        token = csrf_from(client.get("/dashboard/login").text)
        codes = [
            client.post("/dashboard/login", data={"password": "wrong", "csrf_token": token}).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        locked = client.post("/dashboard/login", data={"password": PASSWORD, "csrf_token": token})
        assert locked.status_code == 429 and locked.headers["retry-after"] == "30"
        clock.now += 31
        response = client.post(
            "/dashboard/login", data={"password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert response.status_code == 303


def test_first_run_sets_the_password(runtime: FakeRuntime) -> None:
    runtime.settings = load_settings(home=runtime.settings.home)  # no MARKSIX_ADMIN_PASSWORD
    with TestClient(make_app(runtime)) as client:
        assert (
            client.get("/dashboard/login", follow_redirects=False).headers["location"] == "/dashboard/setup"
        )
        token = csrf_from(client.get("/dashboard/setup").text)
        mismatch = client.post(
            "/dashboard/setup",
            data={"password": "a long password", "confirm": "different", "csrf_token": token},
        )
        assert mismatch.status_code == 400
        response = client.post(
            "/dashboard/setup",
            data={"password": "a long password", "confirm": "a long password", "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert client.get("/dashboard/").status_code == 200
        assert (runtime.settings.home / PASSWORD_FILE).read_text().startswith("$argon2")  # type: ignore[operator]
        # Once set, the setup page is closed.
        assert (
            client.get("/dashboard/setup", follow_redirects=False).headers["location"] == "/dashboard/login"
        )


def test_logout_needs_csrf_and_ends_the_session(logged_in: TestClient) -> None:
    assert logged_in.post("/dashboard/logout", data={"csrf_token": "wrong"}).status_code == 403
    token = csrf_from(logged_in.get("/dashboard/").text)
    response = logged_in.post("/dashboard/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert logged_in.get("/dashboard/", follow_redirects=False).status_code == 303


def test_overview_shows_queue_depth_and_throughput(logged_in: TestClient, migrated_engine: Engine) -> None:
    seed_comment(migrated_engine, 1)
    seed_comment(migrated_engine, 2, state="queued", reply_text=None, finished_at=None, latency_seconds=None)
    seed_comment(
        migrated_engine, 3, state="received", reply_text=None, finished_at=None, latency_seconds=None
    )
    summary = logged_in.get("/dashboard/api/summary").json()
    assert summary["connected"] is True
    assert summary["queue_depth"] == 2
    assert summary["states"]["replied"] == 1
    assert summary["next_draw"]["date"]
    page = logged_in.get("/dashboard/")
    assert re.search(r'id="queue-depth">\s*2\s*<', page.text)
    assert "@marksix.sandbox" in page.text


def test_accounts_page_shows_status_and_alerts(logged_in: TestClient, runtime: FakeRuntime) -> None:
    import datetime as dt

    assert runtime.accounts is not None
    runtime.accounts.block(ACCOUNT_ID, "Graph error 368: blocked for spam", now=dt.datetime.now(dt.UTC))
    page = logged_in.get("/dashboard/accounts")
    assert "state-blocked" in page.text
    assert "Graph error 368: blocked for spam" in page.text


def test_accounts_page_shows_the_webhook_subscription(runtime: FakeRuntime) -> None:
    from marksix.errors import TokenExpired

    for answer, shown in [
        ([{"subscribed_fields": ["comments"]}], "已訂閱"),
        ([], "未訂閱：收唔到留言"),
        (TokenExpired("Error validating access token", code=190), "Error validating access token"),
    ]:
        runtime.subscriptions = answer
        with TestClient(make_app(runtime)) as client:
            log_in(client)
            assert shown in client.get("/dashboard/accounts").text


def test_reply_log_searches_filters_and_pages(logged_in: TestClient, migrated_engine: Engine) -> None:
    for number in range(1, 61):
        seed_comment(migrated_engine, number)
    seed_comment(
        migrated_engine,
        99,
        text="我要必中號碼",
        state="skipped",
        intent="refuse",
        reply_text=None,
        reason="asks for a guaranteed win",
    )
    first = logged_in.get("/dashboard/replies")
    assert first.text.count("data-comment-id=") == 25
    assert "第 1 頁，共 3 頁（61 條）" in first.text
    third = logged_in.get("/dashboard/replies?page=3")
    assert third.text.count("data-comment-id=") == 11
    found = logged_in.get("/dashboard/replies", params={"q": "必中"})
    assert found.text.count("data-comment-id=") == 1
    assert "asks for a guaranteed win" in found.text
    skipped = logged_in.get("/dashboard/replies", params={"state": "skipped"})
    assert 'data-comment-id="c00099"' in skipped.text and skipped.text.count("data-comment-id=") == 1
    by_intent = logged_in.get("/dashboard/replies", params={"intent": "pick", "page": 2})
    assert by_intent.text.count("data-comment-id=") == 25
    english = logged_in.get("/dashboard/replies?lang=en")
    assert "Page 1 of 3 (61 entries)" in english.text


def test_settings_are_validated_and_saved_to_the_account(logged_in: TestClient, runtime: FakeRuntime) -> None:
    token = csrf_from(logged_in.get("/dashboard/settings").text)
    form = {
        "csrf_token": token,
        "language": "en",
        "commenter_cooldown_seconds": "120",
        "post_reply_cap": "50",
    }
    assert logged_in.post("/dashboard/settings", data={**form, "csrf_token": "x"}).status_code == 403
    bad = logged_in.post("/dashboard/settings", data={**form, "post_reply_cap": "0"})
    assert bad.status_code == 400 and "post_reply_cap" in bad.text
    saved = logged_in.post("/dashboard/settings", data=form)
    assert saved.status_code == 200 and "已儲存" in saved.text
    assert runtime.accounts is not None
    stored = runtime.accounts.get(ACCOUNT_ID).settings
    assert (
        stored["language"] == "en"
        and stored["commenter_cooldown_seconds"] == 120.0
        and stored["post_reply_cap"] == 50
    )
    assert stored["llm_enabled"] is False  # no LLM endpoint configured


def test_preview_needs_the_csrf_header(logged_in: TestClient) -> None:
    response = logged_in.post("/dashboard/api/preview", json={"comment": "畀組號碼我"})
    assert response.status_code == 403


@pytest.mark.parametrize("view", ["frequency", "gaps", "backtest"])
def test_statistics_pages_draw_svg_charts(logged_in: TestClient, view: str) -> None:
    page = logged_in.get(f"/dashboard/stats/{view}")
    assert page.status_code == 200
    assert f'id="chart-{view}"' in page.text and "<svg" in page.text
    assert "<script" not in page.text.split("<main>")[1]  # server-rendered, no chart library
    # Nothing loads from another host: the only URL is the SVG namespace.
    outside = page.text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "http://" not in outside and "https://" not in outside


def test_unknown_statistics_page_is_404(logged_in: TestClient) -> None:
    assert logged_in.get("/dashboard/stats/astrology").status_code == 404


def test_language_switch_is_remembered(logged_in: TestClient) -> None:
    assert "Reply log" in logged_in.get("/dashboard/?lang=en").text
    assert "Reply log" in logged_in.get("/dashboard/").text
    assert "回覆記錄" in logged_in.get("/dashboard/?lang=zh-HK").text


def test_card_page_and_public_image(logged_in: TestClient) -> None:
    page = logged_in.get("/dashboard/card")
    assert "18+" in page.text and "1834 633" in page.text
    image = logged_in.get("/media/cards/next.png")
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert image.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_publish_button_saves_the_card_and_publishes_its_url(
    logged_in: TestClient, runtime: FakeRuntime
) -> None:
    token = csrf_from(logged_in.get("/dashboard/card").text)
    assert logged_in.post("/dashboard/card/publish", data={"csrf_token": "x"}).status_code == 403
    response = logged_in.post("/dashboard/card/publish", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/dashboard/card?published=18000000000000042"
    assert "18000000000000042" in logged_in.get(response.headers["location"]).text
    # A second click right after gets the same post, not a duplicate.
    again = logged_in.post("/dashboard/card/publish", data={"csrf_token": token}, follow_redirects=False)
    assert again.headers["location"] == response.headers["location"]
    assert len(runtime.published) == 1
    [(account, image_url, caption)] = runtime.published
    assert account == ACCOUNT_ID and "1834 633" in caption
    path = image_url.removeprefix("http://testserver")
    assert re.fullmatch(r"/media/cards/card-[\w-]+\.jpg", path)
    served = logged_in.get(path)
    assert served.status_code == 200 and served.content[:3] == b"\xff\xd8\xff"  # JPEG, as Meta wants
    assert served.headers["content-type"] == "image/jpeg"


def test_card_files_cannot_escape_their_folder(client: TestClient) -> None:
    assert client.get("/media/cards/..%2Fsession_secret").status_code == 404
    assert client.get("/media/cards/missing.png").status_code == 404


def test_sandbox_page_is_the_front_door(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="comment-form"' in page.text and "/sandbox/api" in page.text
    assert "/media/cards/next.png" in page.text


def test_outside_sandbox_mode_the_root_leads_to_the_dashboard(runtime: FakeRuntime) -> None:
    runtime.sandbox = False
    with TestClient(make_app(runtime)) as client:
        assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard/"


def test_without_a_service_store_pages_still_render(ui_home: object) -> None:
    bare = FakeRuntime(settings=load_settings(home=ui_home, admin_password=PASSWORD))
    with TestClient(make_app(bare)) as client:
        log_in(client)
        page = client.get("/dashboard/")
        assert page.status_code == 200 and "服務資料未接上" in page.text
        assert client.get("/dashboard/replies").status_code == 200


def test_popularity_page_without_a_model_says_so(
    logged_in: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marksix.web.dashboard import stats_view

    monkeypatch.setattr(stats_view, "popularity_model", lambda: None)
    page = logged_in.get("/dashboard/stats/popularity")
    assert page.status_code == 200 and "未有數據" in page.text


def test_popularity_page_charts_the_model(logged_in: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from marksix.domain.popularity import SHAPE_FEATURES, PopularityModel, PopularityParameters
    from marksix.web.dashboard import stats_view

    effects = tuple(0.5 if number <= 31 else -0.5 for number in range(1, 50))
    model = PopularityModel(
        "test-1",
        PopularityParameters(0.3, effects, 0.1, 0.2, (0.0,) * len(SHAPE_FEATURES)),
        {"baseline_error": 1.0, "model_error": 0.8},
    )
    monkeypatch.setattr(stats_view, "popularity_model", lambda: model)
    page = logged_in.get("/dashboard/stats/popularity?lang=en")
    assert 'id="chart-popularity"' in page.text and page.text.count('class="bar"') == 49
    assert "About 30% of units are random play" in page.text
    assert "20% below" in page.text


def test_sandbox_status_says_why_a_comment_was_skipped(runtime: FakeRuntime, migrated_engine: Engine) -> None:
    seed_comment(migrated_engine, 7, state="skipped", reply_text=None, reason="cooldown 60s")
    with TestClient(make_app(runtime)) as client:
        status = client.get("/sandbox/status/c00007").json()
        assert status == {"comment_id": "c00007", "state": "skipped", "reason": "cooldown 60s"}
        assert client.get("/sandbox/status/nope").json()["state"] == "unknown"
    runtime.sandbox = False
    with TestClient(make_app(runtime)) as client:
        assert client.get("/sandbox/status/c00007").status_code == 404


def test_pages_forbid_foreign_scripts_and_framing(logged_in: TestClient) -> None:
    for path in ("/dashboard/", "/dashboard/login", "/"):
        policy = logged_in.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_overview_charts_comments_handled_per_five_minutes(
    logged_in: TestClient, migrated_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from marksix.web.dashboard import pages

    monkeypatch.setattr(pages, "now", lambda: NOW)
    seed_comment(migrated_engine, 1)  # finished 1 minute before NOW
    seed_comment(migrated_engine, 2)
    seed_comment(migrated_engine, 20, state="skipped", reply_text=None)  # 20 minutes before
    page = logged_in.get("/dashboard/")
    ticks = re.findall(r'<rect class="tick"[^>]*><title>([^<]+)</title>', page.text)
    assert len(ticks) == 12
    assert ticks[-1].endswith(": 2") and ticks[-4].endswith(": 1")
    assert sum(int(tick.rsplit(": ", 1)[1]) for tick in ticks) == 3


def test_a_failed_publish_says_why(logged_in: TestClient, runtime: FakeRuntime) -> None:
    from marksix.errors import PolicyBlocked

    class Refusing:
        def publish_image(self, ig_user_id: str, image_url: str, caption: str) -> str:
            raise PolicyBlocked("the account is restricted from publishing", code=368)

    runtime.graph_client = lambda account_id: Refusing()  # type: ignore[method-assign]
    token = csrf_from(logged_in.get("/dashboard/card").text)
    response = logged_in.post("/dashboard/card/publish", data={"csrf_token": token})
    assert response.status_code == 502
    assert "發佈失敗" in response.text and "restricted from publishing" in response.text
