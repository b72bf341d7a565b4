"""Group commit for webhook deliveries: what arrives while one commit runs shares the next.

A delivery is acknowledged only once its comments are committed. Committing
each delivery on its own makes the commit (and, with SQLite, the turn at
the single write lock) the cost of every webhook. Here each delivery waits
in a list, and the deliveries that reach it in the same turn of the event
loop (under load, all that arrived while the last commit ran) are stored in
one transaction, each answered with its own count of new comments. Waiting
longer for more (a 1-2 ms window) only left the loop idle: no faster under
`bench/bench_load.py`, and slower at 2 ms.

With `store_now` (SQLite) the group is stored right on the event loop, by a
call that never waits: a thread hand-off per group cost more than the
store itself. When the database is busy it answers None, and the group
goes to `store` in a worker thread instead, as every group does without
`store_now` (PostgreSQL, where a few groups are in flight at once).

If a group's transaction fails, each of its deliveries is tried again on its
own, so one bad delivery fails alone and never its neighbours.

    writer = DeliveryWriter(runtime.accept_deliveries, store_now=runtime.accept_deliveries_now)
    new = await writer.write(events)      # in the route; returns once committed
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

import structlog
from anyio import CapacityLimiter, to_thread

from marksix.instagram.webhooks import CommentEvent

log = structlog.get_logger("marksix.web.delivery_writer")

#: Stores several deliveries in one transaction; the new comments of each.
StoreDeliveries = Callable[[Sequence[Sequence[CommentEvent]]], list[int]]
#: The same without waiting for the database; None when it cannot store them now.
StoreDeliveriesNow = Callable[[Sequence[Sequence[CommentEvent]]], "list[int] | None"]

#: A group stops growing at this many comments, so one transaction stays short.
GROUP_COMMENTS = 400


class DeliveryWriter:
    """Up to `writers` groups in flight at once in threads (1 for SQLite, which lets one writer in)."""

    def __init__(
        self,
        store: StoreDeliveries,
        *,
        store_now: StoreDeliveriesNow | None = None,
        writers: int = 1,
        group_comments: int = GROUP_COMMENTS,
    ):
        self._store = store
        self._store_now = store_now
        self._writers = writers
        self._group_comments = group_comments
        self._limiter = CapacityLimiter(writers)
        self._waiting: deque[tuple[Sequence[CommentEvent], asyncio.Future[int]]] = deque()
        self._active = 0
        self._flush_pending = False
        self._warned = False
        self._tasks: set[asyncio.Task[None]] = set()

    async def write(self, events: Sequence[CommentEvent]) -> int:
        """Store one delivery's comments; the number that were new, once they are committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int] = loop.create_future()
        self._waiting.append((events, future))
        if self._store_now is None:
            self._start_drain()
        elif not self._flush_pending and not self._active:
            self._flush_pending = True
            loop.call_soon(self._flush)
        # shield: a client that hangs up must not cancel the commit its neighbours share.
        return await asyncio.shield(future)

    def _flush(self) -> None:
        """On the loop: store the oldest group at once, or hand everything to a thread."""
        self._flush_pending = False
        if self._active or not self._waiting:  # a thread is storing: it takes what waits, in turn
            return
        assert self._store_now is not None
        group = self._take()
        try:
            counts = self._store_now([events for events, _ in group])
        except Exception as problem:  # the waiting path tries again, and reports what fails there
            if not self._warned:
                self._warned = True
                log.warning("delivery_writer.store_now_failed", error=f"{type(problem).__name__}: {problem}")
            counts = None
        if counts is None:
            self._waiting.extendleft(reversed(group))
            self._start_drain()
            return
        self._settle(group, counts)
        if self._waiting:
            self._flush_pending = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _start_drain(self) -> None:
        if self._active < self._writers:
            self._active += 1
            self._spawn(self._drain())

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)  # a reference, or the task may be collected mid-way
        task.add_done_callback(self._tasks.discard)

    async def _drain(self) -> None:
        try:
            while self._waiting:
                group = self._take()
                try:
                    counts = await to_thread.run_sync(self._store_group, group, limiter=self._limiter)
                except BaseException:  # cancelled at shutdown: nobody waits forever
                    for _, future in group:
                        future.cancel()
                    raise
                self._settle(group, counts)
        finally:
            self._active -= 1

    @staticmethod
    def _settle(
        group: list[tuple[Sequence[CommentEvent], asyncio.Future[int]]], counts: Sequence[int | BaseException]
    ) -> None:
        for (_, future), outcome in zip(group, counts, strict=True):
            if future.done():
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def _take(self) -> list[tuple[Sequence[CommentEvent], asyncio.Future[int]]]:
        group = [self._waiting.popleft()]
        size = len(group[0][0])
        while self._waiting and size + len(self._waiting[0][0]) <= self._group_comments:
            delivery = self._waiting.popleft()
            size += len(delivery[0])
            group.append(delivery)
        return group

    def _store_group(
        self, group: list[tuple[Sequence[CommentEvent], asyncio.Future[int]]]
    ) -> list[int | Exception]:
        deliveries = [events for events, _ in group]
        try:
            return list(self._store(deliveries))
        except Exception as problem:
            if len(deliveries) == 1:
                return [problem]
        outcomes: list[int | Exception] = []
        for events in deliveries:  # one by one: only the delivery at fault fails
            try:
                outcomes.extend(self._store([events]))
            except Exception as problem:
                outcomes.append(problem)
        return outcomes
