"""The webhook sender: signs, batches and delivers like Meta, and retries on failure.

One background thread drains a bounded queue. Updates that are waiting at
the same moment go out together (at most 1000 per POST, one entry per
account). A delivery that is not answered 2xx within `attempt_timeout`
is retried immediately, then with decreasing frequency until 36 hours have
passed, after which it is dropped; `time_scale` compresses that schedule
for tests (0.001 turns 36 h into about two minutes).
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
import structlog

from marksix.instagram.webhooks import LEGACY_SIGNATURE_HEADER, SIGNATURE_HEADER, sign, sign_sha1
from marksix.sandbox.delivery_health import DeliveryHealth
from marksix.sandbox.faults import WEBHOOK_FAULTS, FaultBook
from marksix.sandbox.payloads import SHAPES, Change, encode, envelope

log = structlog.get_logger(__name__)

# Seconds to wait after the 1st, 2nd, ... failure: "retry immediately, then try a few more
# times with decreasing frequency over the next 36 hours". They add up to exactly 36 h.
RETRY_DELAYS: tuple[float, ...] = (0, 15, 60, 300, 900, 3600, 10800, 21600, 43200, 49125)
MAX_BATCH = 1000
DeliveryState = Literal["pending", "delivered", "gave_up", "disabled", "dropped", "abandoned", "no_url"]


@dataclass
class Delivery:
    id: int
    changes: tuple[Change, ...]
    shape: str
    duplicate_of: int | None = None
    state: DeliveryState = "pending"
    attempts: list[dict[str, Any]] = field(default_factory=list)
    first_attempt_at: float | None = None  # monotonic

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "comment_ids": [change.comment_id for change in self.changes],
            "accounts": sorted({change.account_id for change in self.changes}),
            "shape": self.shape,
            "duplicate_of": self.duplicate_of,
            "state": self.state,
            "attempts": list(self.attempts),
        }


class WebhookSender:
    """Delivers `Change`s to `url`, signed with `app_secret`. Call `stop()` when done."""

    def __init__(
        self,
        url: str | None,
        app_secret: str,
        *,
        faults: FaultBook | None = None,
        transport: httpx.BaseTransport | None = None,
        time_scale: float = 1.0,
        retry_delays: tuple[float, ...] = RETRY_DELAYS,
        attempt_timeout: float = 5.0,
        max_queue: int = 10_000,
        max_batch: int = MAX_BATCH,
        batch_window: float = 0.0,
        shape: str = "changes",
        ad_duplicates: bool = True,
        log_size: int = 1000,
        disable_after: float | None = None,
        on_disabled: Callable[[tuple[str, ...]], None] | None = None,
        on_failing: Callable[[tuple[str, ...]], None] | None = None,
    ) -> None:
        if shape not in SHAPES:
            raise ValueError(f"unknown webhook shape {shape!r}; choose one of {', '.join(SHAPES)}")
        self.url = url
        self.app_secret = app_secret
        self.time_scale = time_scale
        self.retry_delays = retry_delays
        self.attempt_timeout = attempt_timeout
        self.max_batch = max(1, min(max_batch, MAX_BATCH))
        self.batch_window = batch_window
        self.shape = shape
        self.ad_duplicates = ad_duplicates
        # Meta's policy: an account whose deliveries fail for an hour is unsubscribed ("Webhooks
        # Disabled"), with an alert at 15 minutes; see delivery_health.py.
        self.disable_after = disable_after
        self.health = DeliveryHealth(disable_after=disable_after, scale=time_scale)
        self.on_disabled = on_disabled
        self.on_failing = on_failing
        self._faults = faults or FaultBook()
        self.transport = transport
        self._queue: queue.Queue[tuple[Change, str]] = queue.Queue(maxsize=max_queue)
        self._retries: list[tuple[float, int, Delivery]] = []
        self._log: deque[Delivery] = deque(maxlen=log_size)
        self._ids = itertools.count(1)
        self._lock = threading.Condition()
        self._outstanding = 0
        self._dropped_full = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # --- public ----------------------------------------------------------------
    def submit(self, change: Change, *, shape: str | None = None) -> bool:
        """Queue one update; False when the sender is stopped or its queue is full."""
        if self._stopping.is_set():
            return False
        self._ensure_started()
        with self._lock:
            self._outstanding += 1
        try:
            # Never wait: submit runs inside the simulator's request handlers.
            self._queue.put_nowait((change, shape or self.shape))
        except queue.Full:
            with self._lock:
                self._outstanding -= 1
                self._dropped_full += 1
                self._lock.notify_all()
            log.warning("webhook_queue_full", comment_id=change.comment_id)
            return False
        return True

    def start(self) -> None:
        self._ensure_started()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the thread; deliveries still waiting for a retry are abandoned."""
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(self.attempt_timeout + 1.0 if timeout is None else timeout)
        with self._lock:
            for _, _, delivery in self._retries:
                delivery.state = "abandoned"
            self._retries.clear()
            self._outstanding = 0
            self._lock.notify_all()

    close = stop

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued update was delivered, dropped or given up."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._outstanding > 0:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._lock.wait(remaining)
        return True

    def delivery_health(self) -> dict[str, Any]:
        """Each account's run of failed deliveries (see delivery_health.py)."""
        with self._lock:
            return self.health.to_json()

    def resubscribed(self, account_id: str) -> None:
        with self._lock:
            self.health.resubscribed(account_id)

    def deliveries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [delivery.to_json() for delivery in self._log]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            states: dict[str, int] = {}
            for delivery in self._log:
                states[delivery.state] = states.get(delivery.state, 0) + 1
            return {
                "queued": self._queue.qsize(),
                "waiting_for_retry": len(self._retries),
                "queue_full_drops": self._dropped_full,
                "deliveries": states,
            }

    # --- the thread ------------------------------------------------------------
    def _ensure_started(self) -> None:
        with self._lock:
            if self._thread is None and not self._stopping.is_set():
                self._thread = threading.Thread(target=self._run, name="webhook-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(transport=self.transport, timeout=self.attempt_timeout) as client:
            while not self._stopping.is_set():
                batch = self._next_batch()
                if batch:
                    self._schedule(batch)
                for delivery in self._due():
                    if self._stopping.is_set():
                        break
                    self._attempt(client, delivery)

    def _next_batch(self) -> list[tuple[Change, str]]:
        wait = 0.05
        with self._lock:
            if self._retries:
                wait = min(wait, max(0.0, self._retries[0][0] - time.monotonic()))
        try:
            batch = [self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()]
        except queue.Empty:
            return []
        deadline = time.monotonic() + self.batch_window
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                batch.append(
                    self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
                )
            except queue.Empty:
                break
        return batch

    def _schedule(self, batch: list[tuple[Change, str]]) -> None:
        """Turn queued updates into deliveries (one per shape) and apply webhook faults."""
        groups: dict[str, list[Change]] = {}
        for change, shape in batch:
            groups.setdefault(shape, []).append(change)
        now = time.monotonic()
        with self._lock:
            self._outstanding -= len(batch)
            for shape, changes in groups.items():
                delivery = Delivery(id=next(self._ids), changes=tuple(changes), shape=shape)
                self._log.append(delivery)
                if self.url is None:
                    delivery.state = "no_url"
                    continue
                fault = self._faults.take(WEBHOOK_FAULTS)
                if fault is not None and fault.kind == "webhook_drop":
                    delivery.state = "dropped"
                    continue
                due = now + (fault.seconds if fault is not None and fault.kind == "webhook_delay" else 0.0)
                self._push(due, delivery)
                copied = changes if fault is not None and fault.kind == "webhook_duplicate" else []
                if self.ad_duplicates and not copied:
                    copied = [change for change in changes if "ad_id" in change.value.get("media", {})]
                if copied:
                    copy = Delivery(next(self._ids), tuple(copied), shape, duplicate_of=delivery.id)
                    self._log.append(copy)
                    self._push(due, copy)
            self._lock.notify_all()

    def _push(self, due: float, delivery: Delivery) -> None:
        heapq.heappush(self._retries, (due, delivery.id, delivery))
        self._outstanding += 1

    def _due(self) -> list[Delivery]:
        now = time.monotonic()
        due: list[Delivery] = []
        with self._lock:
            while self._retries and self._retries[0][0] <= now:
                due.append(heapq.heappop(self._retries)[2])
        return due

    def _attempt(self, client: httpx.Client, delivery: Delivery) -> None:
        targets = sorted({change.account_id for change in delivery.changes})
        with self._lock:
            if targets and all(self.health.is_disabled(account) for account in targets):
                # Unsubscribed meanwhile: Meta sends nothing more for these accounts.
                delivery.state = "disabled"
                self._outstanding -= 1
                self._lock.notify_all()
                return
        body = encode(envelope(delivery.changes, int(time.time()), delivery.shape))
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, self.app_secret),
            LEGACY_SIGNATURE_HEADER: sign_sha1(body, self.app_secret),
            "User-Agent": "facebookexternalua",
        }
        status: int | None = None
        error: str | None = None
        try:
            response = client.post(self.url or "", content=body, headers=headers)
            status = response.status_code
        except httpx.HTTPError as problem:
            error = f"{type(problem).__name__}: {problem}"
        disabled: tuple[str, ...] = ()
        failing: tuple[str, ...] = ()
        with self._lock:
            now = time.monotonic()
            if delivery.first_attempt_at is None:
                delivery.first_attempt_at = now
            delivery.attempts.append({"at": time.time(), "status": status, "error": error})
            failures = len(delivery.attempts)
            ok = status is not None and 200 <= status < 300
            verdicts = {}
            if ok:
                delivery.state = "delivered"
                for account in targets:
                    self.health.delivered(account, now)
            else:
                verdicts = {account: self.health.failed(account, now) for account in targets}
                disabled = tuple(account for account, verdict in verdicts.items() if verdict == "disable")
                failing = tuple(account for account, verdict in verdicts.items() if verdict == "warn")
            if (
                not ok
                and verdicts
                and all(verdict in ("disable", "disabled") for verdict in verdicts.values())
            ):
                delivery.state = "disabled"
                log.warning("webhooks_disabled", delivery=delivery.id, accounts=disabled)
            elif not ok and failures <= len(self.retry_delays):
                delay = self.retry_delays[failures - 1] * self.time_scale
                heapq.heappush(self._retries, (time.monotonic() + delay, delivery.id, delivery))
                self._lock.notify_all()
            elif not ok:
                delivery.state = "gave_up"
                log.warning("webhook_gave_up", delivery=delivery.id, attempts=failures)
            if delivery.state != "pending":
                self._outstanding -= 1
                self._lock.notify_all()
        if failing and self.on_failing is not None:
            self.on_failing(failing)
        if disabled and self.on_disabled is not None:
            self.on_disabled(disabled)
