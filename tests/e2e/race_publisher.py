"""One process of the publish race (test_e2e_post_race.py): the autopilot's posts, run once.

    python race_publisher.py DATABASE_URL HOME GRAPH_URL MOMENT HOLDER GO_FILE

It prints READY, waits for GO_FILE to appear (so every racer starts together), runs the
scheduled posts that are due at MOMENT against the simulated Graph API at
GRAPH_URL, and prints one JSON line: what it did.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from marksix.autopilot.posts import Publishing
from marksix.autopilot.service import Autopilot
from marksix.instagram.graph import GraphClient
from marksix.paths import Locator
from marksix.sandbox import DEFAULT_TOKEN
from marksix.store.accounts import AccountRepository, load_cipher
from marksix.store.engine import make_engine


def main() -> None:
    url, home, graph_url, moment, holder, go = sys.argv[1:7]
    now = dt.datetime.fromisoformat(moment)
    engine = make_engine(url)
    accounts = AccountRepository(engine, load_cipher(Path(home), None, sandbox=True))
    publishing = Publishing(
        accounts=accounts,
        graph_for=lambda _account: GraphClient(DEFAULT_TOKEN, base_url=graph_url, sleep=lambda _s: None),
        home=Path(home),
        public_url="https://bot.example.hk",
        default_enabled=True,
    )
    autopilot = Autopilot(
        engine,
        Locator.resolve(Path(home), url),
        hkjc_client=lambda: None,
        clock=lambda: now,
        holder=holder,
        publishing=publishing,
    )
    assert autopilot.posts is not None
    autopilot.archive.history()  # load the archive before the start, so the racers start level
    print("READY", flush=True)
    deadline = time.monotonic() + 60
    while not Path(go).exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    outcomes = autopilot.posts.run_due(now)
    print(json.dumps([{"state": item.state, "media_id": item.media_id} for item in outcomes]))
    autopilot.close()
    engine.dispose()


if __name__ == "__main__":
    main()
