"""The results poller runs as one of the one scheduler's jobs (`marksix scheduler`)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from marksix.autopilot.service import Autopilot
from marksix.draws.hkjc import HkjcClient
from marksix.paths import Locator
from marksix.sandbox.hkjc_sim import SimulatedHkjc
from marksix.worker.scheduler import Schedule, lease_for, results_job, run_scheduler

HK = dt.timezone(dt.timedelta(hours=8))
DRAW_AT = dt.datetime(2026, 8, 25, 21, 31, tzinfo=HK)  # the first draw after the bundled history


class _Job:
    def __init__(self) -> None:
        self.runs = 0

    def call_local(self) -> dict[str, int]:
        self.runs += 1
        return {}


class _Tasks:
    def __init__(self) -> None:
        self.sweep, self.reconcile, self.refresh_tokens = _Job(), _Job(), _Job()


def test_the_scheduler_polls_hkjc_and_the_result_reaches_the_archive(
    store_engine: Engine, tmp_path: Path
) -> None:
    locator = Locator.resolve(tmp_path / "home", store_engine.url.render_as_string(hide_password=False))
    holder: dict[str, Autopilot] = {}

    def latest() -> Any:
        return holder["autopilot"].archive.history().latest

    simulated = SimulatedHkjc(latest, lambda: DRAW_AT)
    autopilot = Autopilot(
        store_engine,
        locator,
        hkjc_client=lambda: HkjcClient(transport=simulated.transport(), retries=0),
        clock=lambda: DRAW_AT,
        holder="scheduler-test",
    )
    holder["autopilot"] = autopilot
    drawn = simulated.run_next_draw()
    assert autopilot.latest_draw_id() != drawn["draw_id"]
    stop = threading.Event()
    ran: list[tuple[str, Any]] = []

    def on_run(name: str, result: Any) -> None:
        ran.append((name, result))
        if name == "results":
            stop.set()

    tasks = _Tasks()
    runner = threading.Thread(
        target=run_scheduler,
        args=(tasks, lease_for(store_engine, home=tmp_path)),
        kwargs={
            "stop": stop,
            "schedule": Schedule(sweep=3600, reconcile=3600, refresh_tokens=3600, retry_lease=0.05),
            "extra_jobs": [results_job(autopilot)],
            "on_run": on_run,
        },
    )
    runner.start()
    runner.join(30)
    try:
        assert not runner.is_alive()
        assert [name for name, _ in ran] == ["sweep", "reconcile", "refresh_tokens", "results"]
        assert ran[-1][1]["new_draws"] >= 1
        assert autopilot.latest_draw_id() == drawn["draw_id"]
        # Nothing is due now: the poller's own rule waits for the next draw, not a fixed minute.
        assert results_job(autopilot).wait() > 60
    finally:
        stop.set()
        autopilot.close()


def test_scheduler_help_names_the_results_poller_and_the_requeue_delay() -> None:
    from click.testing import CliRunner

    from marksix.cli import cli

    result = CliRunner().invoke(cli, ["scheduler", "--help"])
    assert result.exit_code == 0
    assert "results poller" in result.output and "--requeue-after" in result.output
