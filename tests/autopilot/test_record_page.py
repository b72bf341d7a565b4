"""`/record`: public, read-only, no login; the ledger it serves verifies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_record import add_reply

from marksix.autopilot.record import verify_export
from marksix.config import load_settings
from marksix.domain.draws import make_draw
from marksix.store.draw_archive import DrawRepository
from marksix.web.app import create_app
from marksix.web.runtime import Runtime, ServeOptions

HK = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2026, 11, 24)  # a Tuesday, before the machine's clock in these tests
DRAW = make_draw("26/125", DAY.isoformat(), [3, 11, 17, 25, 38, 44], 9)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = load_settings(home=tmp_path / "home", _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app) as test_client:
        runtime: Runtime = test_client.app.state.runtime  # type: ignore[attr-defined]
        at = dt.datetime.combine(DAY, dt.time(12, 0), tzinfo=HK)
        add_reply(runtime.engine, "c1", at, [[3, 11, 17, 1, 2, 4], [5, 6, 7, 8, 10, 12]])
        DrawRepository(runtime.engine).save(new_draws=[DRAW], source="test", now=at)
        yield test_client


def test_record_page_is_public_and_reads_for_people(client: TestClient) -> None:
    page = client.get("/record")
    assert page.status_code == 200
    assert "We handed out 2 lines for 26/125." in page.text
    assert "1 won a 7th prize" in page.text
    assert "<svg" in page.text and "1834 633" in page.text
    for word in ("hit", "predict", "必中", "命中"):
        assert word not in page.text.lower()
    chart = client.get("/record/chart.svg")
    assert chart.headers["content-type"].startswith("image/svg+xml") and 'data-draw="26/125"' in chart.text


def test_the_published_ledger_verifies_and_the_list_has_the_keys(client: TestClient) -> None:
    listing = client.get("/record.json").json()
    ours = next(item for item in listing if item["draw_id"] == "26/125")
    assert ours["lines"] == 2 and ours["by_tier"]["7"] == 1
    ledger = client.get(f"/record/ledger/{DAY.isoformat()}.json")
    ok, recomputed, _ = verify_export(ledger.text, ours["commitment"])
    assert ok and recomputed == ours["commitment"]
    assert client.get("/record/ledger/not-a-date.json").status_code == 404
