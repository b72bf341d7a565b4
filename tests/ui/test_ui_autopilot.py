"""The dashboard's autopilot page, on the sandbox app: schedule form (CSRF), previews,
history with status, staleness and the record chart."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from ui_support import FAST_HASHER, PASSWORD, csrf_from, log_in

from marksix.autopilot.post_store import PostRepository
from marksix.config import load_settings
from marksix.sandbox import DEFAULT_USERNAME
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions

ACCOUNT = "17841400000000001"


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(home=tmp_path / "home", admin_password=PASSWORD, _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    app.state.marksix_password_hasher = FAST_HASHER
    with TestClient(app) as client:
        log_in(client)
        yield client


def test_the_page_shows_schedule_previews_staleness_and_the_chart(sandbox: TestClient) -> None:
    page = sandbox.get("/dashboard/autopilot")
    assert page.status_code == 200
    text = page.text
    assert 'id="schedule-form"' in text and f"@{DEFAULT_USERNAME}" in text
    assert f'name="time:{ACCOUNT}:draw_day" value="12:00"' in text
    assert f'name="enabled:{ACCOUNT}:results" value="1" checked' in text  # the sandbox posts by default
    assert 'id="draws-behind"' in text and 'id="latest-draw-date"' in text
    health = sandbox.get("/healthz").json()["archive"]
    behind = re.search(r'id="draws-behind">(\d+)<', text)
    assert behind is not None and int(behind.group(1)) == health["draws_behind"]  # the same function
    assert 'id="record-chart"' in text and "<svg" in text
    assert 'id="preview-image"' in text and "1834 633" in text  # the draw-day caption
    assert 'id="results-caption"' in text and "攪珠結果" in text


def test_saving_the_schedule_needs_the_csrf_token_and_a_valid_time(sandbox: TestClient) -> None:
    page = sandbox.get("/dashboard/autopilot")
    form = {
        f"time:{ACCOUNT}:draw_day": "11:30",
        f"enabled:{ACCOUNT}:draw_day": "1",
        f"time:{ACCOUNT}:results": "22:00",
    }
    refused = sandbox.post("/dashboard/autopilot/schedule", data=form, follow_redirects=False)
    assert refused.status_code == 403
    token = csrf_from(page.text)
    late = sandbox.post(
        "/dashboard/autopilot/schedule",
        data={**form, f"time:{ACCOUNT}:draw_day": "21:20", "csrf_token": token},
        follow_redirects=False,
    )
    assert late.status_code == 400 and "before sales close" in late.text
    garbage = sandbox.post(
        "/dashboard/autopilot/schedule",
        data={**form, f"time:{ACCOUNT}:results": "25:99", "csrf_token": token},
        follow_redirects=False,
    )
    assert garbage.status_code == 400 and "HH:MM" in garbage.text
    saved = sandbox.post(
        "/dashboard/autopilot/schedule", data={**form, "csrf_token": token}, follow_redirects=False
    )
    assert saved.status_code == 303
    app = sandbox.app
    schedules = {
        item.kind: item
        for item in PostRepository(app.state.autopilot.engine).schedules(ACCOUNT)  # type: ignore[attr-defined]
    }
    assert schedules["draw_day"].enabled and schedules["draw_day"].post_time == dt.time(11, 30)
    assert not schedules["results"].enabled and schedules["results"].post_time == dt.time(22, 0)
    shown = sandbox.get("/dashboard/autopilot").text
    assert re.search(rf'name="enabled:{ACCOUNT}:results" value="1"\s+aria-label', shown)  # unchecked now


def test_the_history_shows_each_post_with_its_status(sandbox: TestClient) -> None:
    answer = sandbox.post("/sandbox/api/draw")
    assert answer.status_code == 200
    engine = sandbox.app.state.autopilot.engine  # type: ignore[attr-defined]
    repository = PostRepository(engine)
    moment = dt.datetime.now(dt.UTC)
    day, lease = dt.date(2026, 8, 25), dt.timedelta(0)
    claimed = repository.claim(ACCOUNT, day, "results", draw_id="26/093", holder="t", now=moment, lease=lease)
    assert claimed is not None
    repository.fail(claimed, "t", error="Instagram refused the post (code 100): bad image", now=moment)
    text = sandbox.get("/dashboard/autopilot").text
    assert 'id="post-history"' in text and 'data-state="failed"' in text
    assert "bad image" in text and 'role="alert"' in text  # a failed post is alerted
    health = sandbox.get("/healthz").json()
    assert health["status"] != "ok"
    assert any("results post of 26/093" in alert and "bad image" in alert for alert in health["alerts"])


def test_the_page_needs_a_login(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", admin_password=PASSWORD, _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app) as client:
        assert client.get("/dashboard/autopilot", follow_redirects=False).status_code == 303
        assert client.post("/dashboard/autopilot/schedule", follow_redirects=False).status_code == 303
