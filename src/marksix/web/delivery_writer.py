"""Group commit for webhook deliveries: what arrives while one commit runs shares the next.

A delivery is acknowledged only once its comments are committed. Committing
each delivery on its own makes the commit (and, with SQLite, the turn at
the single write lock) the cost of every webhook. Here each delivery waits
in a list; a writer takes everything waiting, stores it in one transaction
in a worker thread, and answers each delivery with its own count of new
comments. When deliveries come one at a time a group is one delivery and
nothing waits; under load the groups grow and the commits are shared.

If a group's transaction fails, each of its deliveries is tried again on its
own, so one bad delivery fails alone and never its neighbours.

    writer = DeliveryWriter(runtime.accept_deliveries, writers=1)
    new = await writer.write(events)      # in the route; returns once committed
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence

from anyio import CapacityLimiter, to_thread

from marksix.instagram.webhooks import CommentEvent

#: Stores several deliveries in one transaction; the new comments of each.
StoreDeliveries = Callable[[Sequence[Sequence[CommentEvent]]], list[int]]

#: A group stops growing at this many comments, so one transaction stays short.
GROUP_COMMENTS = 400


class DeliveryWriter:
    """Up to `writers` groups in flight at once (1 for SQLite, which lets one writer in)."""

    def __init__(self, store: StoreDeliveries, *, writers: int = 1, group_comments: int = GROUP_COMMENTS):
        self._store = store
        self._writers = writers
        self._group_comments = group_comments
        self._limiter = CapacityLimiter(writers)
        self._waiting: deque[tuple[Sequence[CommentEvent], asyncio.Future[int]]] = deque()
        self._active = 0
        self._drains: set[asyncio.Task[None]] = set()

    async def write(self, events: Sequence[CommentEvent]) -> int:
        """Store one delivery's comments; the number that were new, once they are committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((events, future))
        if self._active < self._writers:
            self._active += 1
            drain = asyncio.create_task(self._drain())
            self._drains.add(drain)  # a reference, or the task may be collected mid-way
            drain.add_done_callback(self._drains.discard)
        # shield: a client that hangs up must not cancel the commit its neighbours share.
        return await asyncio.shield(future)

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
                for (_, future), outcome in zip(group, counts, strict=True):
                    if future.done():
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self._active -= 1

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
