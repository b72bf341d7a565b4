"""Scheduled posts against the strict simulator, on SQLite and PostgreSQL, with injected clocks.

Each test drives the autopilot the way its thread does (`on_tick`, `poll_once`)
and counts what the simulated account actually shows.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from test_record import add_reply

from marksix.autopilot.post_store import PostRepository
from marksix.autopilot.post_text import draw_day_due, next_moment, results_due
from marksix.autopilot.posts import PostPolicy, Publishing
from marksix.autopilot.record_store import RecordRepository
from marksix.autopilot.service import Autopilot
from marksix.domain.calendar import NextDraw
from marksix.domain.draws import make_draw
from marksix.draws.hkjc import HkjcClient
from marksix.instagram.graph import GraphClient
from marksix.paths import Locator
from marksix.sandbox import DEFAULT_TOKEN, Fault, Simulator, SimulatorState, create_simulator_app
from marksix.sandbox.hkjc_sim import SimulatedHkjc
from marksix.store.accounts import AccountRepository, load_cipher
from marksix.store.engine import make_engine

HK = dt.timezone(dt.timedelta(hours=8))
DRAW_DAY = dt.date(2026, 8, 25)  # the first regular draw after the bundled history's last (22 Aug)
ACCOUNT = "17841400000000001"
FAST = PostPolicy(
    lease=dt.timedelta(minutes=10),
    retry_base=dt.timedelta(minutes=1),
    retry_cap=dt.timedelta(minutes=4),
    limit_wait=dt.timedelta(minutes=30),
    max_attempts=3,
)


def at(hour: int, minute: int, day: dt.date = DRAW_DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HK)


class Clock:
    def __init__(self, moment: dt.datetime) -> None:
        self.moment = moment

    def __call__(self) -> dt.datetime:
        return self.moment


@dataclass
class World:
    engine: Engine
    home: Path
    clock: Clock
    simulator: Simulator
    hkjc: SimulatedHkjc
    accounts: AccountRepository
    services: list[Autopilot]

    def media(self) -> list[Any]:
        # Published posts have an image; the post every simulator starts with has none.
        return [media for media in self.simulator.state.media_of(ACCOUNT) if media.image_url]

    def service(self, holder: str, *, engine: Engine | None = None, graph: Any = None) -> Autopilot:
        used = engine or self.engine
        locator = Locator.resolve(self.home, used.url.render_as_string(hide_password=False))
        simulator = self.simulator

        def graph_for(account: Any) -> Any:
            if graph is not None:
                return graph
            return GraphClient(
                DEFAULT_TOKEN,
                base_url="http://sandbox.internal" + simulator.graph_prefix,
                transport=simulator.in_process_transport(),
                sleep=lambda _seconds: None,
            )

        publishing = Publishing(
            accounts=AccountRepository(used, load_cipher(self.home, None, sandbox=True)),
            graph_for=graph_for,
            home=self.home,
            public_url="https://bot.example.hk",
            default_enabled=True,
            policy=FAST,
        )
        autopilot = Autopilot(
            used,
            locator,
            hkjc_client=lambda: HkjcClient(transport=self.hkjc.transport(), retries=0),
            clock=self.clock,
            holder=holder,
            publishing=publishing,
        )
        self.services.append(autopilot)
        return autopilot


@pytest.fixture
def world(store_engine: Engine, tmp_path: Path) -> Iterator[World]:
    home = tmp_path / "home"
    clock = Clock(at(11, 0))

    def serve_card(url: str) -> bytes:
        """What `marksix serve` answers at the public URL: the saved card file."""
        return (home / "media" / "cards" / url.rsplit("/", 1)[1]).read_bytes()

    state = SimulatorState(
        clock=lambda: clock().timestamp(), image_fetcher=serve_card, container_processing_seconds=0.0
    )
    simulator: Simulator = create_simulator_app(
        state, app_secret="posts-secret", webhook_url=None, latency_ms=0
    ).state.simulator
    accounts = AccountRepository(store_engine, load_cipher(home, None, sandbox=True))
    accounts.save(ACCOUNT, state.account.username, now=clock(), token=DEFAULT_TOKEN)
    holder: dict[str, Autopilot] = {}

    def latest() -> Any:
        history = holder["first"].archive.history()
        return history.latest

    hkjc = SimulatedHkjc(latest, clock)
    made = World(store_engine, home, clock, simulator, hkjc, accounts, [])
    holder["first"] = made.service("first")
    yield made
    for service in made.services:
        service.close()
    simulator.close()


def tick(service: Autopilot) -> None:
    """One wake-up of the poller's thread: the record and the posts, then a poll."""
    service.poller.on_tick(service.clock())
    service.poller.poll_once()


def test_the_draw_day_post_goes_out_once_from_its_time(world: World) -> None:
    (service,) = world.services
    tick(service)
    assert world.media() == []  # 11:00: not yet
    world.clock.moment = at(12, 0)
    tick(service)
    (post,) = world.media()
    assert "1834 633" in post.caption and "18+" in post.caption
    assert post.image_url.startswith("https://bot.example.hk/media/cards/card-")
    world.clock.moment = at(12, 30)
    tick(service)
    restarted = world.service("restarted")  # a restart later the same day posts nothing new
    tick(restarted)
    assert len(world.media()) == 1
    (row,) = PostRepository(world.engine).history()
    assert (row.kind, row.state, row.media_id, row.draw_date) == ("draw_day", "published", post.id, DRAW_DAY)


def test_the_results_post_waits_for_a_late_result_then_names_the_draw_and_its_record(world: World) -> None:
    (service,) = world.services
    PostRepository(world.engine).set_schedule(
        ACCOUNT, "draw_day", enabled=False, post_time=dt.time(12, 0), now=world.clock()
    )
    add_reply(world.engine, "morning", at(10, 0), [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]])
    world.clock.moment = at(21, 15)
    tick(service)  # the ledger freezes
    for minutes in (15, 30, 59, 74):  # HKJC is an hour late: no result, no results post
        world.clock.moment = at(21, 15) + dt.timedelta(minutes=minutes)
        tick(service)
        assert world.media() == []
    world.clock.moment = at(22, 30)
    drawn = world.hkjc.run_next_draw()
    tick(service)
    (post,) = world.media()
    assert drawn["draw_id"] in post.caption
    (ledger,) = RecordRepository(world.engine).all()
    assert ledger.settlement is not None
    assert f"We handed out 2 lines for {drawn['draw_id']}." in post.caption
    assert ledger.commitment in post.caption
    numbers = " ".join(f"{number:02d}" for number in drawn["numbers"])
    assert f"{numbers} + {drawn['extra']:02d}" in post.caption
    for word in ("hit", "predict", "必中", "保證"):
        assert word not in post.caption
    world.clock.moment = at(23, 0)
    tick(service)
    tick(world.service("second"))
    assert len(world.media()) == 1


def test_a_restart_between_close_and_result_posts_the_result_once_after_catching_up(world: World) -> None:
    (service,) = world.services
    world.clock.moment = at(12, 5)
    tick(service)  # the draw-day post
    world.clock.moment = at(21, 20)
    tick(service)
    service.close()  # down before the result ...
    world.clock.moment = at(21, 45)
    drawn = world.hkjc.run_next_draw()
    restarted = world.service("restarted")
    restarted.poller.on_tick(world.clock())
    assert restarted.poller.poll_once(force=True) >= 1  # ... catch-up at start-up
    kinds = sorted(row.kind for row in PostRepository(world.engine).history())
    assert kinds == ["draw_day", "results"]
    assert len(world.media()) == 2 and drawn["draw_id"] in world.media()[0].caption


def test_a_result_for_a_moved_draw_is_posted_on_its_new_date(world: World) -> None:
    (service,) = world.services
    moved_to = DRAW_DAY + dt.timedelta(days=1)
    world.hkjc.moved[DRAW_DAY] = moved_to
    world.clock.moment = at(21, 40, moved_to)
    drawn = world.hkjc.run_next_draw()
    tick(service)
    results = [row for row in PostRepository(world.engine).history() if row.kind == "results"]
    assert [(row.draw_date, row.draw_id, row.state) for row in results] == [
        (moved_to, drawn["draw_id"], "published")
    ]
    assert sum(drawn["draw_id"] in media.caption for media in world.media()) == 1


@pytest.mark.parametrize("racers", [2, 4])
def test_services_racing_to_publish_make_exactly_one_post(world: World, racers: int) -> None:
    """Separate engines on the same database, as separate processes would have."""
    world.clock.moment = at(12, 1)
    engines = [make_engine(world.engine.url.render_as_string(hide_password=False)) for _ in range(racers)]
    services = [world.service(f"racer-{n}", engine=engine) for n, engine in enumerate(engines)]
    start = threading.Barrier(racers)
    problems: list[BaseException] = []

    def race(service: Autopilot) -> None:
        try:
            start.wait()
            assert service.posts is not None
            service.posts.run_due()
        except BaseException as problem:  # reported below, on the test's thread
            problems.append(problem)

    threads = [threading.Thread(target=race, args=(service,)) for service in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for engine in engines:
        engine.dispose()
    assert problems == []
    assert len(world.media()) == 1
    (row,) = PostRepository(world.engine).history()
    assert row.state == "published" and row.media_id == world.media()[0].id


def test_a_lost_answer_is_settled_from_the_accounts_media_not_posted_again(world: World) -> None:
    (service,) = world.services
    world.clock.moment = at(12, 0)
    world.simulator.add_fault(Fault(kind="response_lost", path="media_publish", seconds=0.0))
    tick(service)
    (row,) = PostRepository(world.engine).history()
    assert row.state == "pending" and row.send_started_at is not None
    assert len(world.media()) == 1  # it did go out
    world.clock.moment = at(12, 2)  # the retry is due
    tick(service)
    (row,) = PostRepository(world.engine).history()
    assert row.state == "published" and row.media_id == world.media()[0].id
    assert len(world.media()) == 1


def test_a_refused_publish_is_retried_and_goes_out_once(world: World) -> None:
    (service,) = world.services
    world.clock.moment = at(12, 0)
    world.simulator.add_fault(Fault(kind="server_error", path="media_publish", status=500))
    tick(service)
    assert world.media() == []
    world.clock.moment = at(12, 2)
    tick(service)
    (post,) = world.media()
    (row,) = PostRepository(world.engine).history()
    assert row.state == "published" and row.media_id == post.id and row.attempts == 2


def test_a_holder_that_died_mid_post_leaves_it_to_the_next_after_its_lease(world: World) -> None:
    posts = PostRepository(world.engine)
    world.clock.moment = at(12, 0)
    claimed = posts.claim(
        ACCOUNT, DRAW_DAY, "draw_day", draw_id=None, holder="dead", now=world.clock(), lease=FAST.lease
    )
    assert claimed is not None
    (service,) = world.services
    tick(service)
    assert world.media() == []  # its lease holds
    world.clock.moment = at(12, 11)
    tick(service)
    assert len(world.media()) == 1 and posts.history()[0].state == "published"


def test_the_publishing_limit_holds_the_post_until_there_is_room(world: World) -> None:
    (service,) = world.services
    world.clock.moment = at(12, 0)
    busy = world.clock().timestamp() - 3600
    world.simulator.state.published_at[ACCOUNT] = [busy] * 100  # 100 posts in the last 24 hours
    tick(service)
    (row,) = PostRepository(world.engine).history()
    assert row.state == "pending" and "publishing limit" in (row.error or "")
    assert world.media() == []
    world.clock.moment = at(12, 20)
    tick(service)
    assert world.media() == []  # it waits at least half an hour
    world.simulator.state.published_at[ACCOUNT] = []
    world.clock.moment = at(12, 31)
    tick(service)
    assert len(world.media()) == 1


def test_a_post_that_keeps_failing_is_given_up_and_alerted(world: World) -> None:
    (service,) = world.services
    world.simulator.add_fault(Fault(kind="server_error", path="media", status=500, count=None))
    moment = at(12, 0)
    for _ in range(FAST.max_attempts):
        world.clock.moment = moment
        tick(service)
        moment += FAST.retry_cap + dt.timedelta(seconds=1)
    (row,) = PostRepository(world.engine).history()
    assert row.state == "failed" and f"gave up after {FAST.max_attempts} attempts" in (row.error or "")
    (alert,) = service.post_alerts()
    assert "draw-day post" in alert and ACCOUNT in alert
    world.simulator.clear_faults()
    world.clock.moment = moment
    tick(service)
    assert world.media() == []  # failed is final: a person decides


def test_an_account_with_its_posts_off_gets_none(world: World) -> None:
    repository = PostRepository(world.engine)
    for kind in ("draw_day", "results"):
        repository.set_schedule(ACCOUNT, kind, enabled=False, post_time=dt.time(12, 0), now=world.clock())
    (service,) = world.services
    world.clock.moment = at(12, 0)
    tick(service)
    world.clock.moment = at(21, 40)
    world.hkjc.run_next_draw()
    tick(service)
    assert world.media() == [] and repository.history() == []


def test_when_posts_are_due() -> None:
    tuesday = NextDraw(date=DRAW_DAY)
    assert draw_day_due(ACCOUNT, dt.time(12, 0), tuesday, at(11, 59)) is None
    assert draw_day_due(ACCOUNT, dt.time(12, 0), tuesday, at(12, 0)) is not None
    assert draw_day_due(ACCOUNT, dt.time(12, 0), tuesday, at(21, 15)) is None  # sales closed
    assert draw_day_due(ACCOUNT, dt.time(12, 0), tuesday, at(12, 0, DRAW_DAY - dt.timedelta(days=1))) is None
    drawn = make_draw("26/093", DRAW_DAY.isoformat(), [1, 2, 3, 4, 5, 6], 7)
    assert results_due(ACCOUNT, dt.time(22, 0), drawn, at(21, 45)) is None
    assert results_due(ACCOUNT, dt.time(22, 0), drawn, at(22, 0)) is not None
    assert results_due(ACCOUNT, dt.time(21, 30), drawn, at(20, 0)) is not None  # drawn early (sandbox)
    assert results_due(ACCOUNT, dt.time(21, 30), drawn, at(21, 31, DRAW_DAY + dt.timedelta(days=2))) is None
    assert next_moment([dt.time(12, 0)], at(13, 0)) == at(12, 0, DRAW_DAY + dt.timedelta(days=2))


def test_a_scheduler_process_gets_the_same_posts_off_by_default(tmp_path: Path) -> None:
    from marksix.autopilot.wiring import worker_autopilot
    from marksix.config import load_settings
    from marksix.worker.build import WorkerOptions, build_worker

    settings = load_settings(home=tmp_path / "home", public_url="https://bot.example.hk", _env_file=None)
    worker = build_worker(settings, WorkerOptions(sandbox=True))
    autopilot = worker_autopilot(settings, worker)
    try:
        worker.accounts.save(ACCOUNT, "someone", now=at(11, 0), token="a-token")
        assert autopilot.posts is not None and autopilot.posts.due(at(12, 0)) == []  # off until turned on
        PostRepository(worker.engine).set_schedule(
            ACCOUNT, "draw_day", enabled=True, post_time=dt.time(12, 0), now=at(11, 0)
        )
        (due,) = autopilot.posts.due(at(12, 0))
        assert (due.account_id, due.kind, due.draw_date) == (ACCOUNT, "draw_day", DRAW_DAY)
        # The poller's thread wakes at the post's time, not only at sales close and the draw.
        assert autopilot.poller.wait_seconds(at(11, 58)) == pytest.approx(120.0)
    finally:
        autopilot.close()
        worker.close()


def test_a_draw_made_early_closes_its_sales_then_and_later_lines_go_to_the_next(world: World) -> None:
    """The sandbox draws the draw on sale before 21:15: no line falls between two ledgers."""
    (service,) = world.services
    add_reply(world.engine, "before", at(9, 0), [[1, 2, 3, 4, 5, 6]])
    world.clock.moment = at(10, 0)
    drawn = world.hkjc.run_next_draw()
    assert drawn["draw_date"] == DRAW_DAY.isoformat()  # the draw on sale, drawn early
    service.close_sales_now(DRAW_DAY, world.clock())
    add_reply(world.engine, "after", at(10, 30), [[7, 8, 9, 10, 11, 12], [13, 14, 15, 16, 17, 18]])
    assert service.poller.poll_once(force=True) >= 1  # the draw control wakes the poller: a forced poll
    (ledger,) = RecordRepository(world.engine).all()
    assert ledger.draw_date == DRAW_DAY and ledger.lines == 1 and ledger.settlement is not None
    assert ledger.draw_id == drawn["draw_id"]
    assert service.archive.next_draw(world.clock()).draw_id == "26/094"  # announced as on sale
    (post,) = world.media()  # the results post goes out at once
    assert f"第 {drawn['draw_id']} 期攪珠結果" in post.caption
    thursday = DRAW_DAY + dt.timedelta(days=2)
    world.clock.moment = at(21, 15, thursday)
    tick(service)
    following = RecordRepository(world.engine).get(thursday.isoformat())
    assert following.lines == 2 and {entry.comment_id for entry in following.entries} == {"after"}
