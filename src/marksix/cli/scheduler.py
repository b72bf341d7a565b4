"""`marksix scheduler`: the periodic jobs, run by exactly one process of the service."""

from __future__ import annotations

import click

from marksix.cli.options import metrics_options


@click.command()
@click.option(
    "--sweep-every",
    default=60.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds between sweeps (dead workers' comments, lost tasks).",
)
@click.option(
    "--reconcile-every",
    default=300.0,
    show_default=True,
    type=click.FloatRange(10, 86_400),
    help="Seconds between reconciler runs (comments whose webhook never came).",
)
@click.option(
    "--refresh-every",
    default=86_400.0,
    show_default=True,
    type=click.FloatRange(60, 7 * 86_400),
    help="Seconds between token refreshes.",
)
@click.option(
    "--requeue-after",
    default=120.0,
    show_default=True,
    type=click.FloatRange(1, 3600),
    help="Seconds a queued comment may wait without a task before the sweeper queues it again "
    "(after a Redis restart, say).",
)
@metrics_options
@click.option("--log-json", is_flag=True, help="Log JSON lines instead of key=value text.")
def scheduler(
    *,
    sweep_every: float,
    reconcile_every: float,
    refresh_every: float,
    requeue_after: float,
    metrics_port: int | None,
    metrics_host: str,
    log_json: bool,
) -> None:
    """Run the sweeper, the reconciler, the token refresh and the results poller.

    Start one beside any number of `marksix worker --no-periodic` and
    `marksix serve --web-only` processes, all on the same
    MARKSIX_DATABASE_URL (PostgreSQL) and MARKSIX_REDIS_URL. Exactly one
    scheduler runs at a time: it holds a lease in the database (an advisory
    lock on PostgreSQL, a lock file on SQLite). A second one waits, and
    takes over within seconds when the first stops or is killed, so a
    spare may run for failover. Ctrl-C or SIGTERM stops it.

    In real mode it also polls HKJC for each draw's result (unless
    MARKSIX_HKJC_POLL=false); `serve --web-only` leaves that to it.

    \b
    Examples:
      marksix scheduler
      marksix scheduler --sweep-every 30 --log-json
      MARKSIX_DATABASE_URL=postgresql+psycopg://marksix@db/marksix \\
        MARKSIX_REDIS_URL=redis://redis:6379/0 marksix scheduler
    """
    import signal
    import threading
    from datetime import timedelta

    from marksix.config import load_settings
    from marksix.logging_setup import configure_logging
    from marksix.worker.build import WorkerOptions, build_worker, sandbox_mode
    from marksix.worker.metrics import start_metrics
    from marksix.worker.runtime import settings_home
    from marksix.worker.scheduler import Job, Schedule, lease_for, results_job, run_scheduler

    configure_logging(json=log_json)
    import logging

    for name in ("huey", "httpx", "alembic"):  # per-task and migration chatter; our events say more
        logging.getLogger(name).setLevel(logging.WARNING)
    settings = load_settings()
    sandbox = sandbox_mode(settings)
    worker = build_worker(
        settings, WorkerOptions(sandbox=sandbox, requeue_after=timedelta(seconds=requeue_after))
    )
    if metrics_port is not None:
        start_metrics(metrics_port, metrics_host)
    stop = threading.Event()

    def _stop(signum: int, frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    lease = lease_for(worker.engine, home=settings_home(settings))
    schedule = Schedule(sweep=sweep_every, reconcile=reconcile_every, refresh_tokens=refresh_every)
    # Beside the sweep, reconcile and token refresh (service_jobs): one line per further job.
    extra_jobs: list[Job] = []
    autopilot = None
    if settings.hkjc_poll and not sandbox:  # the sandbox's own server polls its simulated HKJC
        from marksix.autopilot.wiring import worker_autopilot

        # The results poller and the scheduled posts, one job: posts wait on the results.
        autopilot = worker_autopilot(settings, worker)
        extra_jobs.append(results_job(autopilot))
    try:
        run_scheduler(worker.tasks, lease, stop=stop, schedule=schedule, extra_jobs=extra_jobs)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if autopilot is not None:
            autopilot.close()
        worker.close()
    click.echo("Scheduler stopped.")
