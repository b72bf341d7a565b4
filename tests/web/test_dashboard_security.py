"""The dashboard under attack: auth and CSRF on every POST, cookies, redirects, sessions, escaping.

The real app (sandbox, real lifespan, SQLite), logged in through the real form.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from marksix.config import Settings, load_settings
from marksix.instagram.webhooks import sign
from marksix.web.app import create_app
from marksix.web.auth import SESSION_COOKIE, AdminPassword, LoginThrottle
from marksix.web.runtime import ServeOptions

APP_SECRET = "dash-app-secret"
PASSWORD = "dashboard password 42"
ACCOUNT = "17841400000000001"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        home=tmp_path / "home", app_secret=APP_SECRET, admin_password=PASSWORD, _env_file=None
    )


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    app.state.marksix_password_hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    with TestClient(app) as test_client:
        yield test_client


def csrf_of(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def log_in(client: TestClient, next_url: str = "") -> Any:
    token = csrf_of(client.get("/dashboard/login").text)
    return client.post(
        "/dashboard/login",
        data={"password": PASSWORD, "csrf_token": token, "next": next_url},
        follow_redirects=False,
    )


def dashboard_posts(client: TestClient) -> list[str]:
    from marksix.web.dashboard import login, pages, posts, sandbox_page

    paths = [
        route.path
        for module in (login, pages, posts, sandbox_page)
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    assert len(paths) >= 5  # login, setup, logout, settings, preview, card publish
    return paths


def test_every_dashboard_post_needs_a_login(client: TestClient) -> None:
    for path in dashboard_posts(client):
        if path in ("/dashboard/login", "/dashboard/setup"):
            continue
        response = client.post(path, data={"anything": "1"}, follow_redirects=False)
        assert response.status_code in (303, 401, 403), path
        if response.status_code == 303:
            assert response.headers["location"].startswith("/dashboard/login")


def test_every_dashboard_post_needs_the_csrf_token(client: TestClient) -> None:
    assert log_in(client).status_code == 303
    for path in dashboard_posts(client):
        for token in (None, "forged-token"):
            data = {"csrf_token": token} if token else {}
            headers = {"X-CSRF-Token": token} if token else {}
            if path.startswith("/dashboard/api/"):  # scripts send JSON, and the token as a header
                response = client.post(path, json={"comment": "hi"}, headers=headers, follow_redirects=False)
            else:
                response = client.post(path, data=data, headers=headers, follow_redirects=False)
            if path == "/dashboard/setup":  # already set: it only redirects, changing nothing
                assert response.status_code == 303
                continue
            assert response.status_code == 403, (path, token)


def test_the_session_cookie_is_httponly_samesite_and_bounded(client: TestClient) -> None:
    response = log_in(client)
    cookie = next(value for name, value in response.headers.multi_items() if name == "set-cookie")
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "samesite=lax" in lowered
    assert "path=/" in lowered
    assert "max-age=" in lowered
    assert "secure" not in lowered  # plain http here; over https it is set (is_https)


def test_the_cookie_is_secure_over_https(settings: Settings) -> None:
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app, base_url="https://testserver") as secure_client:
        response = secure_client.get("/dashboard/login")
        cookie = response.headers["set-cookie"].lower()
        assert "secure" in cookie


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "/dashboard\\..\\//evil.example",
        "javascript:alert(1)",
        "/dashboardevil",
        "",
    ],
)
def test_no_open_redirect_after_login(client: TestClient, target: str) -> None:
    response = log_in(client, target)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/dashboard")
    assert not location.startswith("//")
    assert "evil" not in location or location.startswith("/dashboard/")


def test_logout_ends_the_session_on_the_server(client: TestClient) -> None:
    log_in(client)
    saved = client.cookies.get(SESSION_COOKIE)
    assert saved
    page = client.get("/dashboard/")
    assert page.status_code == 200
    out = client.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    # The saved cookie, replayed, no longer opens the dashboard.
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, saved)
    again = client.get("/dashboard/", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"].startswith("/dashboard/login")
    api = client.get("/dashboard/api/summary")
    assert api.status_code == 401


def test_a_forged_session_cookie_opens_nothing(client: TestClient) -> None:
    client.cookies.set(SESSION_COOKIE, "eyJjc3JmIjoieCIsImF1dGgiOnRydWV9.forged.signature")
    assert client.get("/dashboard/api/summary").status_code == 401


def test_parallel_guesses_cannot_outrun_the_throttle() -> None:
    throttle = LoginThrottle(free_attempts=3)
    answers: list[float] = []
    lock = threading.Lock()

    def guess() -> None:
        wait = throttle.attempt("203.0.113.9")
        with lock:
            answers.append(wait)

    threads = [threading.Thread(target=guess) for _ in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Counted before any check: the first four go ahead (three free, the fourth sets the lock).
    assert sum(1 for wait in answers if wait == 0) == 4
    assert sum(1 for wait in answers if wait > 0) == 56
    assert throttle.retry_after("198.51.100.1") == 0  # another address is untouched


def test_a_right_password_clears_the_count() -> None:
    throttle = LoginThrottle(free_attempts=3)
    for _ in range(3):
        assert throttle.attempt("a") == 0
    throttle.success("a")
    assert throttle.attempt("a") == 0


class CountingHasher(PasswordHasher):
    """A cheap hasher that records how many verifications overlap."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.01)  # long enough for the others to pile up, if they could
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


def test_one_argon2_verification_at_a_time(tmp_path: Path) -> None:
    hasher = CountingHasher()
    password = AdminPassword(tmp_path, "the real password", hasher)
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(password.verify("wrong"))) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [False] * 12
    assert hasher.most == 1


def test_many_wrong_passwords_at_once_get_429(client: TestClient) -> None:
    token = csrf_of(client.get("/dashboard/login").text)
    codes = [
        client.post("/dashboard/login", data={"password": f"wrong {n}", "csrf_token": token}).status_code
        for n in range(8)
    ]
    assert codes[:4] == [401] * 4
    assert set(codes[4:]) == {429}


@pytest.mark.parametrize(
    "path",
    [
        "/media/cards/../../admin_password.argon2",
        "/media/cards/..%2F..%2Fadmin_password.argon2",
        "/media/cards/%2e%2e%2fsession_secret",
        "/media/cards/....//session_secret",
        "/media/../session_secret",
        "/media/cards/%00.png",
        "/static/../../config.py",
        "/static/%2e%2e/%2e%2e/auth.py",
    ],
)
def test_no_path_traversal_under_media_or_static(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert "argon2" not in response.text and "import" not in response.text


def _seed_hostile_comment(client: TestClient) -> None:
    payload = {
        "object": "instagram",
        "entry": [
            {
                "id": ACCOUNT,
                "time": 1755779280,
                "changes": [
                    {
                        "field": "comments",
                        "value": {
                            "id": "8801",
                            "text": HOSTILE,
                            "from": {"id": "4242", "username": '"><svg onload=alert(1)>'},
                            "media": {"id": "18172143295349192"},
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload).encode()
    response = client.post(
        "/webhooks/instagram", content=body, headers={"X-Hub-Signature-256": sign(body, APP_SECRET)}
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path", ["/dashboard/", "/dashboard/replies", "/dashboard/replies?q=script", "/dashboard/accounts"]
)
def test_comment_text_is_escaped_wherever_it_appears(client: TestClient, path: str) -> None:
    _seed_hostile_comment(client)
    log_in(client)
    page = client.get(path)
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "<img src=x" not in page.text
    assert "<svg onload" not in page.text


def test_the_preview_escapes_what_it_is_given(client: TestClient) -> None:
    log_in(client)
    token = csrf_of(client.get("/dashboard/settings").text)
    response = client.post(
        "/dashboard/api/preview", json={"comment": HOSTILE}, headers={"X-CSRF-Token": token}
    )
    assert response.status_code in (200, 400, 422)
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("page", ["9999999999999999999", "-5", "0", "1e9", "abc", "2"])
def test_any_page_number_is_a_clear_answer(client: TestClient, page: str) -> None:
    log_in(client)
    response = client.get("/dashboard/replies", params={"page": page})
    assert response.status_code in (200, 400, 422)


def test_a_nul_search_does_not_match_every_row(client: TestClient) -> None:
    _seed_hostile_comment(client)
    log_in(client)
    everything = client.get("/dashboard/replies")
    assert "8801" in everything.text or "alert" in everything.text
    nul = client.get("/dashboard/replies", params={"q": "\x00"})
    assert nul.status_code == 200
    assert "svg onload" not in nul.text and "&lt;svg onload" not in nul.text
