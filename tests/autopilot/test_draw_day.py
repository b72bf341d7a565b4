"""The simulated HKJC, the lease and the results poller, on injected clocks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from marksix.autopilot.leases import Lease
from marksix.autopilot.poller import staleness
from marksix.autopilot.service import Autopilot
from marksix.config import load_settings
from marksix.draws import hkjc
from marksix.draws.hkjc import HkjcClient
from marksix.paths import Locator
from marksix.sandbox.hkjc_sim import SimulatedHkjc
from marksix.web.app import create_app
from marksix.web.runtime import ServeOptions

HK = dt.timezone(dt.timedelta(hours=8))
DRAW_DAY = dt.date(2026, 8, 25)  # the first regular draw after the bundled history's last (22 Aug)


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


def at(hour: int, minute: int, day: dt.date = DRAW_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HK)


def test_a_simulated_draw_reads_as_a_real_hkjc_result() -> None:
    simulated = SimulatedHkjc(lambda: None, Clock(at(21, 30)))
    drawn = simulated.run_next_draw()
    assert len(set(drawn["numbers"])) == 6 and drawn["extra"] not in drawn["numbers"]
    with HkjcClient(transport=simulated.transport(), retries=0) as client:
        (record,) = client.results(DRAW_DAY, DRAW_DAY)
        # marksixDraw answers the latest result and the draw on sale, as HKJC's does.
        latest, on_sale = client.latest_and_next()
        assert latest == record
        assert on_sale["status"] == "StartSell" and on_sale["drawDate"].startswith("2026-08-27")
        assert hkjc.parse_announcement(on_sale).draw_id == "26/002"
    draw = hkjc.parse_result(record)
    prizes = hkjc.parse_prizes(record, draw)
    assert draw.draw_id == drawn["draw_id"] == "26/001" and draw.date == DRAW_DAY
    assert list(draw.numbers) == drawn["numbers"] and draw.extra == drawn["extra"]
    assert prizes.turnover is not None and 60_000_000 <= prizes.turnover < 140_000_000
    assert prizes.dividends[7] == 40 and prizes.dividends[4] == 9_600
    for tier in (2, 3):  # shared tiers: the pool share over the winners
        if prizes.winning_units.get(tier):
            assert 0 < prizes.dividends[tier] * prizes.winning_units[tier] <= prizes.turnover


def test_one_lease_holder_at_a_time_until_it_runs_out(store_engine: Engine) -> None:
    first = Lease(store_engine, "results-poller", "one", dt.timedelta(minutes=2))
    second = Lease(store_engine, "results-poller", "two", dt.timedelta(minutes=2))
    now = at(21, 30)
    assert first.acquire(now) and not second.acquire(now)
    assert first.acquire(now + dt.timedelta(minutes=1))  # renewing
    assert not second.acquire(now + dt.timedelta(minutes=2))
    assert second.acquire(now + dt.timedelta(minutes=4))  # the first holder died
    second.release()
    assert first.acquire(now + dt.timedelta(minutes=4))


@pytest.fixture
def cycle(store_engine: Engine, tmp_path: Path) -> Iterator[tuple[Autopilot, SimulatedHkjc, Clock]]:
    clock = Clock(at(12, 0))
    locator = Locator.resolve(tmp_path / "home", store_engine.url.render_as_string(hide_password=False))
    holder: dict[str, Autopilot] = {}

    def latest() -> object:
        history = holder["autopilot"].archive.history()
        return history.latest

    simulated = SimulatedHkjc(latest, clock)  # type: ignore[arg-type]
    autopilot = Autopilot(
        store_engine,
        locator,
        hkjc_client=lambda: HkjcClient(transport=simulated.transport(), retries=0),
        clock=clock,
        holder="test",
    )
    holder["autopilot"] = autopilot
    yield autopilot, simulated, clock
    autopilot.close()


def test_the_poller_waits_for_the_draw_time_then_takes_a_late_result(
    cycle: tuple[Autopilot, SimulatedHkjc, Clock],
) -> None:
    autopilot, simulated, clock = cycle
    poller = autopilot.poller
    assert not poller.due(clock()) and poller.poll_once() == 0
    clock.moment = at(21, 30)
    assert poller.due(clock())
    assert autopilot.staleness().behind == 1
    # HKJC is an hour late: polls find nothing and keep the draw due.
    for minutes in (0, 5, 30, 59):
        clock.moment = at(21, 30) + dt.timedelta(minutes=minutes)
        assert poller.poll_once() == 0 and poller.due(clock())
    clock.moment = at(22, 30)
    drawn = simulated.run_next_draw()
    assert drawn["draw_id"] == "26/093"
    assert poller.poll_once() >= 1
    assert autopilot.latest_draw_id() == "26/093" and not poller.due(clock())
    assert autopilot.staleness().behind == 0
    assert poller.poll_once(force=True) == 0  # idempotent: nothing new the second time


def test_a_restarted_service_catches_up_and_a_second_one_does_not_race(
    cycle: tuple[Autopilot, SimulatedHkjc, Clock], store_engine: Engine
) -> None:
    autopilot, simulated, clock = cycle
    clock.moment = at(21, 31)
    simulated.run_next_draw()
    # Another process holds the poller's lease: this one does not poll.
    rival = Lease(store_engine, "results-poller", "rival", dt.timedelta(minutes=2))
    assert rival.acquire(clock())
    assert autopilot.poller.poll_once() == 0 and autopilot.latest_draw_id() == "26/092"
    # After a restart two days later the lease has run out; catch-up takes the missed draw.
    clock.moment = at(9, 0, DRAW_DAY + dt.timedelta(days=2))
    assert autopilot.poller.poll_once(force=True) >= 1
    assert autopilot.latest_draw_id() == "26/093"


def test_a_moved_draw_is_taken_on_its_new_date(cycle: tuple[Autopilot, SimulatedHkjc, Clock]) -> None:
    from test_record import add_reply

    autopilot, simulated, clock = cycle
    add_reply(autopilot.engine, "tuesday", at(11, 0), [[1, 2, 3, 4, 5, 6]])
    moved_to = DRAW_DAY + dt.timedelta(days=1)  # HKJC moves Tuesday's draw to Wednesday
    simulated.moved[DRAW_DAY] = moved_to
    clock.moment = at(21, 30, moved_to)
    simulated.run_next_draw()
    assert autopilot.poller.poll_once() >= 1
    history = autopilot.archive.history()
    assert history.latest.draw_id == "26/093" and history.latest.date == moved_to
    # The ledger of the regular date is settled against the moved draw.
    from marksix.autopilot.record_store import RecordRepository

    (ledger,) = RecordRepository(autopilot.engine).all()
    assert ledger.draw_date == DRAW_DAY and ledger.draw_id == "26/093" and ledger.settlement is not None


def test_staleness_counts_the_draws_behind_and_since_when() -> None:
    report = staleness(dt.date(2026, 8, 22), at(22, 0, dt.date(2026, 8, 29)))
    assert report.behind == 3  # 25, 27 and 29 August
    assert report.since == at(21, 30)


def test_sandbox_draw_control_reaches_the_archive_through_the_poller(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", _env_file=None)
    app = create_app(settings, options=ServeOptions(sandbox=True, worker_threads=0))
    with TestClient(app) as client:
        before = client.get("/healthz").json()["archive"]
        assert before["latest_draw_date"] is not None and before["draws_behind"] >= 0
        page = client.get("/")
        assert 'id="run-draw"' in page.text
        answer = client.post("/sandbox/api/draw")
        assert answer.status_code == 200
        data = answer.json()
        assert set(data) >= {"draw_id", "numbers", "extra"} and data["archived"] is True
        simulated: SimulatedHkjc = app.state.simulated_hkjc
        assert simulated.requests >= 2  # read over the GraphQL shape, not written directly
        second = client.post("/sandbox/api/draw").json()
        assert int(second["draw_id"][3:]) == int(data["draw_id"][3:]) + 1 and second["archived"] is True
        assert client.get("/healthz").json()["archive"]["draws_behind"] == 0


def test_a_restart_mid_cycle_freezes_at_close_and_settles_after_the_result(
    cycle: tuple[Autopilot, SimulatedHkjc, Clock], store_engine: Engine
) -> None:
    from test_record import add_reply

    from marksix.autopilot.record_store import RecordRepository

    autopilot, simulated, clock = cycle
    add_reply(store_engine, "morning", at(10, 0), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]])
    add_reply(store_engine, "late", at(21, 20), [[13, 14, 15, 16, 17, 18]])
    clock.moment = at(21, 15)
    autopilot.poller.on_tick(clock())  # what the poller's thread runs when it wakes at sales close
    (frozen,) = RecordRepository(store_engine).all()
    assert frozen.draw_date == DRAW_DAY and frozen.lines == 2 and frozen.settlement is None
    autopilot.close()  # the service stops before the result ...
    clock.moment = at(21, 40)
    drawn = simulated.run_next_draw()
    restarted = Autopilot(
        store_engine,
        autopilot.locator,
        hkjc_client=lambda: HkjcClient(transport=simulated.transport(), retries=0),
        clock=clock,
        holder="restarted",
    )
    try:
        assert restarted.poller.poll_once(force=True) >= 1  # ... and catches up at start-up
        (settled,) = RecordRepository(store_engine).all()
        assert settled.commitment == frozen.commitment and settled.draw_id == drawn["draw_id"]
        assert settled.settlement is not None
        drawn_set, extra = set(drawn["numbers"]), drawn["extra"]
        expected = dict.fromkeys(range(1, 8), 0)
        for line in ([1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]):
            matched, with_extra = len(drawn_set & set(line)), extra in line
            tier = {6: 1, 5: 3 - with_extra, 4: 5 - with_extra, 3: 7 - with_extra}.get(matched)
            if tier:
                expected[tier] += 1
        assert settled.settlement["by_tier"] == {str(tier): count for tier, count in expected.items()}
    finally:
        restarted.close()
