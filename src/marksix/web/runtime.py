"""What the web app's routes need, built once: the worker's store and queue, and the sandbox.

`build_runtime(settings, options)` takes the worker as `worker.build.build_worker`
wires it for every entry point, and only starts it (threads here, or a
child process). In sandbox mode it also registers the simulated account
and points that account's Graph client and the simulator's webhook sender
at this same server, so the whole flow (comment, webhook, queue, worker,
reply) runs on one port.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog
from fastapi import Request
from prometheus_client import CollectorRegistry

from marksix.config import Settings
from marksix.errors import ConfigError, NotFound
from marksix.store.service_tables import WAITING_STATES
from marksix.worker.build import BuiltWorker, WorkerOptions

if TYPE_CHECKING:
    from marksix.instagram.webhooks import CommentEvent
    from marksix.sandbox import Simulator, SimulatorState
    from marksix.store.accounts import Account
    from marksix.store.oauth_states import OAuthStates
    from marksix.worker.connect import ConnectConfig
    from marksix.worker.consumer import EmbeddedWorker
    from marksix.worker.limits import Limits
    from marksix.worker.process import WorkerProcess

log = structlog.get_logger("marksix.web.runtime")

WEBHOOK_PATH = "/webhooks/instagram"
#: Under the data folder: the counters of the server and its worker child (emptied at start).
METRICS_FOLDER = "metrics"
GRAPH_PREFIX = "/simulated-graph"
#: The sandbox's simulated Instagram, kept in the data folder across restarts.
SANDBOX_STATE_FILE = "sandbox-state.json"


@dataclass(frozen=True)
class ServeOptions:
    """How this server runs, as opposed to what it serves (that is Settings)."""

    sandbox: bool = False
    #: How this process reaches itself: the sandbox's Graph client and webhook sender use it.
    base_url: str = "http://127.0.0.1:8000"
    #: How Instagram reaches this server (published card images); defaults to base_url.
    public_url: str | None = None
    #: Reply worker threads in this process; 0 when another process runs the worker.
    worker_threads: int = 4
    #: Run those threads in a child process (a core of their own) instead of this one.
    worker_process: bool = False
    #: Simulated Graph API latency (sandbox).
    simulator_latency_ms: float = 20.0
    #: Compresses the simulator's 36-hour webhook retry schedule (tests).
    webhook_time_scale: float = 1.0
    #: Retry, lease and throttle timings; None for the production defaults.
    limits: Limits | None = None
    #: Seconds between sweeps (dead workers, lost tasks); None: every minute via Huey's scheduler.
    sweep_every: float | None = None
    #: Seconds between reconciler runs (polling for comments whose webhook never came);
    #: None: every five minutes via Huey's scheduler.
    reconcile_every: float | None = None
    #: How long a queued comment may sit without a task before the sweeper enqueues it again.
    requeue_after: timedelta = timedelta(minutes=2)
    #: Adds the routes the benchmarks compare against (an empty endpoint, simulator timings).
    bench_routes: bool = False
    #: Poll HKJC for results here; False for `serve --web-only`, whose `marksix scheduler` polls.
    results_poller: bool = True

    @property
    def worker_options(self) -> WorkerOptions:
        return WorkerOptions(sandbox=self.sandbox, limits=self.limits, requeue_after=self.requeue_after)


class Runtime:
    """The live parts of one server. Routes reach it through `current_runtime(request)`."""

    def __init__(
        self,
        settings: Settings,
        options: ServeOptions,
        worker: BuiltWorker,
        *,
        simulator: Simulator | None = None,
    ) -> None:
        self.settings = settings
        self.options = options
        self.worker = worker
        self.engine = worker.engine
        self.comments = worker.comments
        self.accounts = worker.accounts
        self.huey = worker.huey
        self.tasks = worker.tasks
        self.services = worker.services
        self.graph_clients = worker.graph_clients
        self.replies = worker.replies
        self.simulator = simulator
        #: Gauges read at scrape time; the counters are worker.metrics' (`metrics.scrape`).
        self.metrics_registry = CollectorRegistry(auto_describe=True)
        self._worker: EmbeddedWorker | None = None
        self._worker_process: WorkerProcess | None = None
        self._ticker: threading.Thread | None = None
        self._stopping = threading.Event()
        self._closed = False
        self._counting_in_files = False
        self._warm = threading.Event()
        from marksix.worker.metrics import register_queue_depth

        register_queue_depth(self.comments.counts_by_state, self.metrics_registry)

    # --- what the routes call --------------------------------------------------------
    @property
    def home(self) -> Path:
        from marksix.worker.runtime import settings_home

        return settings_home(self.settings)

    @property
    def sandbox(self) -> bool:
        return self.options.sandbox

    @property
    def public_url(self) -> str | None:
        return self.options.public_url or self.settings.public_url

    @property
    def worker_running(self) -> bool:
        if self._worker_process is not None:
            return self._worker_process.alive
        return self._worker is not None and self._worker.alive

    @property
    def ready(self) -> bool:
        """Whether a comment now gets its reply without waiting for start-up work (`/healthz`).

        The workers are warm: in the child process when there is one, else in
        this process. Without workers here there is nothing to wait for.
        """
        if self._worker_process is not None:
            return self._worker_process.warm
        if self._worker is not None:
            return self._warm.is_set()
        return True

    def accept(self, events: Iterable[CommentEvent]) -> int:
        """Store each comment and queue it once; the number that were new."""
        return self.accept_deliveries([list(events)])[0]

    def accept_deliveries(self, deliveries: Sequence[Sequence[CommentEvent]]) -> list[int]:
        """Store several deliveries in one transaction (`web.delivery_writer`); the new count of each.

        A comment in two of them is new in the first only, as if they had come one after the other.
        """
        return self._accepted(deliveries, self.tasks.accept(_flat(deliveries)))

    def accept_deliveries_now(self, deliveries: Sequence[Sequence[CommentEvent]]) -> list[int] | None:
        """`accept_deliveries` without waiting for the database (on the event loop); None if it cannot."""
        new = self.tasks.accept_now(_flat(deliveries))
        return None if new is None else self._accepted(deliveries, new)

    def _accepted(self, deliveries: Sequence[Sequence[CommentEvent]], new: Sequence[bool]) -> list[int]:
        counts, start = [], 0
        for delivery in deliveries:
            counts.append(sum(new[start : start + len(delivery)]))
            start += len(delivery)
        if any(counts):  # idle worker threads look at the queue now
            if self._worker is not None:
                self._worker.wake.set()
            if self._worker_process is not None:
                self._worker_process.wake()
        return counts

    def queue_depth(self) -> int:
        states = self.comments.counts_by_state()
        return sum(int(states.get(state, 0)) for state in WAITING_STATES)

    def language_context(self, account: Account | None = None) -> Any:
        """The reply context (history, prizes, next draw, secret) for an account, the first by default."""
        chosen = account or self.primary_account()
        if chosen is None:
            raise NotFound("no Instagram account is connected")
        return self.replies.context(chosen)

    def graph_client(self, account_id: str) -> Any:
        """The Graph API client of a stored account (the simulator's, in sandbox mode)."""
        return self.graph_clients(self.accounts.get(account_id))

    def primary_account(self) -> Account | None:
        if self.simulator is not None:
            found = self.accounts.find(self.simulator.state.account.id)
            if found is not None:
                return found
        if self.settings.ig_user_id:
            found = self.accounts.find(self.settings.ig_user_id)
            if found is not None:
                return found
        every = self.accounts.all()
        return every[0] if every else None

    def connect_config(self) -> ConnectConfig:
        """Business Login for this server: the simulator's in the sandbox, Meta's otherwise."""
        from marksix.worker.connect import ConnectConfig

        if self.simulator is not None:
            from marksix.web.sandbox_connect import sandbox_connect_config

            return sandbox_connect_config(
                self.settings,
                self.simulator,
                base_url=self.options.base_url,
                public_url=self.options.public_url,
                graph_prefix=GRAPH_PREFIX,
            )
        return ConnectConfig.from_settings(self.settings, public_url=self.public_url)

    @property
    def oauth_states(self) -> OAuthStates:
        from marksix.store.oauth_states import OAuthStates

        return OAuthStates(self.engine)

    def usage_by_account(self) -> Mapping[str, float]:
        """The Graph budget used, in percent, as last reported to each account's client."""
        usage: dict[str, float] = {}
        for account in self.accounts.all():
            if not account.has_token:
                continue
            try:
                usage[account.id] = float(self.graph_clients(account).usage.max_percent)
            except ConfigError:
                continue
        return usage

    # --- lifetime ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker threads and the sweeper; safe to call once."""
        if self.options.worker_threads > 0 and self._worker is None and self._worker_process is None:
            if self.options.worker_process:
                from marksix.worker import metrics
                from marksix.worker.process import WorkerProcess

                # The child's replies are counted in files this process reads at /metrics.
                folder = self.home / METRICS_FOLDER
                metrics.count_in_files(folder, clean=True)
                self._counting_in_files = True
                self._worker_process = WorkerProcess(
                    self.settings,
                    self.options.worker_options,
                    threads=self.options.worker_threads,
                    metrics_folder=folder,
                )
            else:
                from marksix.worker.consumer import start_consumer

                self._worker = start_consumer(
                    self.huey, workers=self.options.worker_threads, pull=self.tasks.puller()
                )
            # Whatever a previous run left behind (a killed worker, an unqueued row) goes first.
            self.tasks.sweep()
            if self.options.sweep_every is not None or self.options.reconcile_every is not None:
                self._ticker = threading.Thread(target=self._tick, name="marksix-sweeper", daemon=True)
                self._ticker.start()
        if not self.sandbox:
            # Enable each account's webhooks on every start (the sandbox did it before listening).
            threading.Thread(target=self._connect_accounts, name="marksix-connect", daemon=True).start()
        # Loading the draw history takes a second or two: do it now, not in the first reply;
        # until it is done (here, and in the worker child), /healthz says "starting".
        threading.Thread(target=self._warm_up, name="marksix-warm-up", daemon=True).start()
        log.info(
            "runtime_started",
            sandbox=self.sandbox,
            worker_threads=self.options.worker_threads if self.worker_running else 0,
            worker_process=self._worker_process.pid if self._worker_process else None,
            queue=type(self.huey).__name__,
        )

    def _connect_accounts(self) -> None:
        from marksix.worker.service import utc_now
        from marksix.worker.subscriptions import keep_connecting

        keep_connecting(self.accounts, self.graph_clients, now=utc_now, stopping=self._stopping)

    def _warm_up(self) -> None:
        from marksix.worker.build import warm_up

        try:
            warm_up(self.worker)  # what in-process workers, the dashboard and the sandbox page use
        finally:
            self._warm.set()

    def _tick(self) -> None:
        """Sweeps and reconciliations more often than Huey's minute-grained schedule allows."""
        sweep_every, reconcile_every = self.options.sweep_every, self.options.reconcile_every
        step = min(value for value in (sweep_every, reconcile_every, 60.0) if value is not None)
        started = time.monotonic()
        last_sweep = last_reconcile = started
        while not self._stopping.wait(step):
            now = time.monotonic()
            try:
                if sweep_every is not None and now - last_sweep >= sweep_every:
                    last_sweep = now
                    self.tasks.sweep()
                if reconcile_every is not None and now - last_reconcile >= reconcile_every:
                    last_reconcile = now
                    self.tasks.reconcile()
            except Exception:  # a locked database now must not stop later runs
                log.exception("schedule_enqueue_failed")

    def close(self) -> None:
        """Stop sending first (running replies finish), then the simulator, then the store."""
        if self._closed:
            return
        self._closed = True
        self._stopping.set()
        if self._ticker is not None:
            self._ticker.join(timeout=5)
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        if self._worker_process is not None:
            self._worker_process.stop()
        if self._counting_in_files:
            from marksix.worker import metrics

            metrics.count_in_memory()
        if self.simulator is not None:
            self.simulator.close()
        self.worker.close()
        log.info("runtime_stopped")


def freeze_heap() -> None:
    """Take everything built so far out of the garbage collector's sight (`gc.freeze`), once started.

    The runtime holds a few hundred thousand long-lived objects (the draw
    archive, the language tables, the classifier, the simulator). Left in the
    collector's oldest generation, every full collection walked them all,
    for up to 160 ms: under a webhook flood the p99 was about 130 ms, and
    11-14 ms once frozen (bench/bench_load.py). Garbage made later is
    collected as before.
    """
    gc.collect()
    gc.freeze()


def _flat(deliveries: Sequence[Sequence[CommentEvent]]) -> list[CommentEvent]:
    return [event for delivery in deliveries for event in delivery]


def current_runtime(request: Request) -> Runtime:
    runtime: Runtime | None = getattr(request.app.state, "runtime", None)
    if runtime is None:
        raise RuntimeError("the app's runtime is not running (was the lifespan started?)")
    return runtime


def make_simulator(
    settings: Settings, options: ServeOptions, *, state: SimulatorState | None = None
) -> Simulator:
    """The sandbox's simulated Instagram; its webhooks come back to this server.

    Its accounts, comments and replies are kept in the data folder
    (SANDBOX_STATE_FILE), so they survive a restart of this server as they
    would on Instagram. Pass the `state` of an earlier simulator to use that
    one instead (kept in memory only).
    """
    from marksix.sandbox import Simulator
    from marksix.sandbox.delivery_health import DISABLE_AFTER

    secrets = settings.app_secrets
    if not secrets:
        raise ConfigError("MARKSIX_APP_SECRET is empty; the sandbox signs its webhooks with it")
    return Simulator(
        state,
        app_secret=secrets[0],
        webhook_url=options.base_url.rstrip("/") + WEBHOOK_PATH,
        latency_ms=options.simulator_latency_ms,
        graph_prefix=GRAPH_PREFIX,
        time_scale=options.webhook_time_scale,
        disable_after=DISABLE_AFTER,  # Meta unsubscribes after an hour of failed deliveries
        state_file=None if state is not None else settings.locator.home / SANDBOX_STATE_FILE,
    )


def build_runtime(
    settings: Settings, options: ServeOptions, *, simulator: Simulator | None = None
) -> Runtime:
    """Build the worker (store migrated, queue and tasks registered) and register the account(s)."""
    from marksix.worker.build import build_worker
    from marksix.worker.runtime import ensure_configured_account
    from marksix.worker.service import utc_now

    worker = build_worker(settings, options.worker_options)
    if options.sandbox:
        from marksix.web.sandbox_connect import connect_sandbox_account

        simulator = simulator or make_simulator(settings, options)
        runtime = Runtime(settings, options, worker, simulator=simulator)
        # The simulated account is connected through Business Login, as a real one is.
        connect_sandbox_account(worker.accounts, simulator, runtime.connect_config(), now=utc_now())
        return runtime
    ensure_configured_account(settings, worker.accounts, now=utc_now())
    if not worker.accounts.all():
        log.warning(
            "no_account_connected",
            hint="open the dashboard's Accounts page and press Connect an account, "
            "or run `marksix accounts connect`",
        )
    return Runtime(settings, options, worker, simulator=None)
