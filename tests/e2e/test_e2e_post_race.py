"""Two real processes race to publish the same scheduled post: exactly one post goes out.

Each racer is its own Python process with its own engine, on the same
database (SQLite file, or PostgreSQL), publishing through the strict
simulator served over HTTP by this test process.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

from marksix.autopilot.post_store import PostRepository
from marksix.sandbox import DEFAULT_TOKEN, BackgroundServer, SimulatorState, create_simulator_app
from marksix.store.accounts import AccountRepository, load_cipher

HK = dt.timezone(dt.timedelta(hours=8))
MOMENT = dt.datetime(2026, 8, 25, 12, 5, tzinfo=HK)  # a draw day, after the draw-day post's 12:00
RACERS = 3


def test_racing_processes_publish_the_post_exactly_once(store_engine: Engine, tmp_path: Path) -> None:
    home = tmp_path / "home"
    url = store_engine.url.render_as_string(hide_password=False)

    def serve_card(image_url: str) -> bytes:
        return (home / "media" / "cards" / image_url.rsplit("/", 1)[1]).read_bytes()

    state = SimulatorState(image_fetcher=serve_card, container_processing_seconds=0.0)
    app = create_simulator_app(state, app_secret="race-secret", webhook_url=None, latency_ms=0)
    account = state.account
    AccountRepository(store_engine, load_cipher(home, None, sandbox=True)).save(
        account.id, account.username, now=MOMENT, token=DEFAULT_TOKEN
    )
    go = tmp_path / "go"
    script = str(Path(__file__).with_name("race_publisher.py"))
    with BackgroundServer(app) as server:
        graph_url = server.url + "/simulated-graph"
        racers = [
            subprocess.Popen(
                [sys.executable, script, url, str(home), graph_url, MOMENT.isoformat(), f"r{n}", str(go)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n in range(RACERS)
        ]
        for racer in racers:  # every racer has loaded what it needs before any starts
            assert racer.stdout is not None and racer.stdout.readline().strip() == "READY"
        go.touch()
        results = [racer.communicate(timeout=120) for racer in racers]
    for racer, (_out, err) in zip(racers, results, strict=True):
        assert racer.returncode == 0, err
    outcomes = [item for out, _err in results for item in json.loads(out.strip().splitlines()[-1])]
    # One racer claimed the post; the others found it taken and did nothing.
    assert [item["state"] for item in outcomes] == ["published"]
    posts = state.media_of(account.id)[:-1]  # less the post every simulator starts with
    assert len(posts) == 1 and posts[0].id == outcomes[0]["media_id"]
    (row,) = PostRepository(store_engine).history()
    assert row.state == "published" and row.media_id == posts[0].id and row.attempts == 1
