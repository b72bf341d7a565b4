"""Group commit: deliveries that arrive while a commit runs share the next one; a bad one fails alone.

The store here is a small fake that records each call (each call is one
transaction in the real one); a gate holds the first call so the next
deliveries are sure to arrive while it runs, with no timing involved.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from marksix.instagram.webhooks import CommentEvent
from marksix.web.delivery_writer import DeliveryWriter


def comment(comment_id: str, text: str = "俾組號碼我") -> CommentEvent:
    return CommentEvent(
        account_id="17841400000000001",
        comment_id=comment_id,
        media_id="m1",
        text=text,
        from_id="u1",
        from_username="amy",
        parent_id=None,
        field="comments",
        media_product_type="FEED",
        timestamp=1,
    )


class GatedStore:
    """Stores comment ids; refuses a group holding a comment whose text is "bad"."""

    def __init__(self) -> None:
        self.calls: list[list[list[str]]] = []
        self.stored: set[str] = set()
        self.gate = threading.Event()
        self.entered = threading.Event()

    def __call__(self, deliveries: Sequence[Sequence[CommentEvent]]) -> list[int]:
        self.calls.append([[event.comment_id for event in delivery] for delivery in deliveries])
        if len(self.calls) == 1:
            self.entered.set()
            self.gate.wait(30)
        if any(event.text == "bad" for delivery in deliveries for event in delivery):
            raise ValueError("a comment the database refuses")
        counts = []
        for delivery in deliveries:
            fresh = {event.comment_id for event in delivery} - self.stored
            self.stored |= fresh
            counts.append(len(fresh))
        return counts


async def _deliver(
    writer: DeliveryWriter, store: GatedStore, later: list[list[CommentEvent]]
) -> list[object]:
    first = asyncio.create_task(writer.write([comment("c0")]))
    await asyncio.to_thread(store.entered.wait, 30)  # the first commit is running
    rest = [asyncio.create_task(writer.write(delivery)) for delivery in later]
    await asyncio.sleep(0)  # they are all waiting now
    store.gate.set()
    return await asyncio.gather(first, *rest, return_exceptions=True)


def test_deliveries_waiting_behind_a_commit_share_the_next_one() -> None:
    store = GatedStore()
    writer = DeliveryWriter(store, writers=1)
    later = [[comment("c1"), comment("c2")], [comment("c2")], [comment("c3")], [comment("c0")]]
    results = asyncio.run(_deliver(writer, store, later))
    assert results == [1, 2, 0, 1, 0]
    assert store.calls == [[["c0"]], [["c1", "c2"], ["c2"], ["c3"], ["c0"]]]  # two commits for five


def test_a_delivery_the_store_refuses_fails_alone() -> None:
    store = GatedStore()
    writer = DeliveryWriter(store, writers=1)
    later = [[comment("c1")], [comment("c2", text="bad")], [comment("c3")]]
    results = asyncio.run(_deliver(writer, store, later))
    assert results[:2] == [1, 1] and results[3] == 1
    assert isinstance(results[2], ValueError)
    assert store.stored == {"c0", "c1", "c3"}
    # The group failed once, then each of its deliveries was tried on its own.
    assert store.calls[1:] == [[["c1"], ["c2"], ["c3"]], [["c1"]], [["c2"]], [["c3"]]]


def test_a_group_stops_growing_at_its_size_limit() -> None:
    store = GatedStore()
    writer = DeliveryWriter(store, writers=1, group_comments=3)
    later = [[comment(f"c{n}a"), comment(f"c{n}b")] for n in range(1, 4)]
    results = asyncio.run(_deliver(writer, store, later))
    assert results == [1, 2, 2, 2]
    assert [len(call) for call in store.calls] == [1, 1, 1, 1]


def test_a_failed_single_delivery_raises_to_its_caller() -> None:
    async def run() -> None:
        store = GatedStore()
        store.gate.set()
        await DeliveryWriter(store).write([comment("c1", text="bad")])

    with pytest.raises(ValueError, match="refuses"):
        asyncio.run(run())


class NowStore:
    """`store_now` that stores on the calling thread, or says "not now" while `busy` is set."""

    def __init__(self, slow: GatedStore) -> None:
        self.slow = slow
        self.calls: list[list[list[str]]] = []
        self.threads: set[int] = set()
        self.busy = False
        self.broken = False

    def __call__(self, deliveries: Sequence[Sequence[CommentEvent]]) -> list[int] | None:
        self.calls.append([[event.comment_id for event in delivery] for delivery in deliveries])
        self.threads.add(threading.get_ident())
        if self.broken:
            raise RuntimeError("disk I/O error")
        if self.busy:
            return None
        counts = []
        for delivery in deliveries:
            fresh = {event.comment_id for event in delivery} - self.slow.stored
            self.slow.stored |= fresh
            counts.append(len(fresh))
        return counts


def _now_writer(**options: object) -> tuple[DeliveryWriter, GatedStore, NowStore]:
    slow = GatedStore()
    slow.calls.append([])  # no gate: the first real call must not wait
    now = NowStore(slow)
    return DeliveryWriter(slow, store_now=now, **options), slow, now  # type: ignore[arg-type]


def test_with_store_now_deliveries_arriving_together_are_stored_on_the_loop_in_one_call() -> None:
    writer, slow, now = _now_writer()

    async def run() -> list[int]:
        deliveries = [[comment("c1"), comment("c2")], [comment("c2")], [comment("c3")]]
        return await asyncio.gather(*(writer.write(delivery) for delivery in deliveries))

    assert asyncio.run(run()) == [2, 0, 1]
    assert now.calls == [[["c1", "c2"], ["c2"], ["c3"]]]
    assert now.threads == {threading.get_ident()}  # asyncio.run's loop runs on this thread
    assert slow.calls == [[]]  # the thread path was never taken


def test_when_the_database_is_busy_the_group_goes_to_the_thread_path_in_order() -> None:
    writer, slow, now = _now_writer()
    now.busy = True

    async def run() -> list[int]:
        return await asyncio.gather(
            writer.write([comment("c1")]), writer.write([comment("c1"), comment("c2")])
        )

    assert asyncio.run(run()) == [1, 1]
    assert now.calls == [[["c1"], ["c1", "c2"]]]
    assert slow.calls[1:] == [[["c1"], ["c1", "c2"]]]


def test_a_store_now_that_fails_is_retried_the_waiting_way() -> None:
    writer, slow, now = _now_writer()
    now.broken = True

    async def run() -> int:
        return await writer.write([comment("c1")])

    assert asyncio.run(run()) == 1
    assert slow.stored == {"c1"}
