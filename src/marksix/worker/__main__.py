"""`marksix worker` (or `python -m marksix.worker`): reply workers in their own process.

Run as many of these as needed (on several machines with MARKSIX_REDIS_URL
and a shared PostgreSQL MARKSIX_DATABASE_URL); `marksix serve
--worker-threads 0` then only receives webhooks. Give `--periodic` to one
process only (the others `--no-periodic`), or run every worker
`--no-periodic` beside one `marksix scheduler`: every consumer with it
schedules the sweeper, reconciler and token refresh, and extra reconcilers
spend Graph budget for nothing. Ctrl-C (SIGINT) lets running replies finish; a
second Ctrl-C stops at once.

    marksix worker --workers 4
"""

from __future__ import annotations

import click

from marksix.cli.options import metrics_options


@click.command()
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Worker threads.")
@click.option(
    "--periodic/--no-periodic",
    default=True,
    show_default=True,
    help="Also schedule the sweeper (every minute), reconciler (every 5 minutes) and token refresh (daily); "
    "use --no-periodic when a `marksix scheduler` runs.",
)
@metrics_options
@click.option("--log-json", is_flag=True, help="Log JSON lines instead of key=value text.")
def main(workers: int, periodic: bool, metrics_port: int | None, metrics_host: str, log_json: bool) -> None:
    """Consume the reply queue: one reply per comment, with retries, back-off and a sweeper.

    \b
    Examples:
      marksix worker                    # same as: python -m marksix.worker
      marksix worker --workers 4 --no-periodic   # beside one `marksix scheduler`
      MARKSIX_REDIS_URL=redis://127.0.0.1:6379/0 marksix worker --workers 8
      marksix worker --metrics-port 9101         # its replies, for Prometheus
    """
    from marksix.config import load_settings
    from marksix.logging_setup import configure_logging
    from marksix.worker.build import WorkerOptions, build_worker, sandbox_mode
    from marksix.worker.consumer import run_consumer
    from marksix.worker.metrics import start_metrics
    from marksix.worker.runtime import ensure_configured_account
    from marksix.worker.service import utc_now

    configure_logging(json=log_json)
    settings = load_settings()
    worker = build_worker(settings, WorkerOptions(sandbox=sandbox_mode(settings)))
    if metrics_port is not None:
        start_metrics(metrics_port, metrics_host)
    ensure_configured_account(settings, worker.accounts, now=utc_now())
    try:
        run_consumer(worker.huey, workers=workers, periodic=periodic, pull=worker.tasks.puller())
    finally:
        worker.close()


if __name__ == "__main__":
    main()
