"""Run the simulated Instagram on its own port.

    python -m marksix.sandbox --port 8900 \\
        --webhook-url http://127.0.0.1:8000/webhooks/instagram

Then point the service's Graph client at http://127.0.0.1:8900/simulated-graph
with the token printed below, and post comments through /sandbox/api/comments.
What it knows is kept in the data folder (simulator-state.json) across restarts.
"""

from __future__ import annotations

from pathlib import Path

import click

STATE_FILE = "simulator-state.json"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", default=8900, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option("--webhook-url", default=None, help="Where to deliver signed webhooks (none: record only).")
@click.option(
    "--latency-ms", default=20.0, show_default=True, type=click.FloatRange(0), help="Graph API latency."
)
@click.option(
    "--time-scale",
    default=1.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Multiplies the 36-hour webhook retry schedule (0.001: about two minutes).",
)
@click.option(
    "--graph-prefix", default="/simulated-graph", show_default=True, help="Where the Graph API lives."
)
@click.option(
    "--batch-window",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 60),
    help="Seconds to gather updates into one webhook POST, as Meta batches them.",
)
@click.option(
    "--state-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Where accounts, posts, comments and replies are kept [default: the data folder's {STATE_FILE}].",
)
@click.option("--fresh", is_flag=True, help="Start from one account and one post, forgetting the kept state.")
@click.option(
    "--save-every",
    default=2.0,
    show_default=True,
    type=click.FloatRange(0.1, 3600),
    help="Seconds between saves of the state (and once more at shutdown).",
)
def main(
    *,
    host: str,
    port: int,
    webhook_url: str | None,
    latency_ms: float,
    time_scale: float,
    graph_prefix: str,
    batch_window: float,
    state_file: Path | None,
    fresh: bool,
    save_every: float,
) -> None:
    """Serve a simulated Instagram Graph API, webhook sender and sandbox JSON API.

    Webhooks are signed with the first of MARKSIX_APP_SECRET (environment or .env).

    \b
    Examples:
      python -m marksix.sandbox --webhook-url http://127.0.0.1:8000/webhooks/instagram
      curl -X POST localhost:8900/sandbox/api/comments -d '{"username":"alice","text":"下期？"}'
      curl -X POST localhost:8900/sandbox/api/faults -d '{"kind":"throttle","code":80002}'
      curl -X POST localhost:8900/sandbox/api/accounts -d '{"username":"second.shop"}'
      python -m marksix.sandbox --fresh --state-file /path/to/simulator.json
    """
    import uvicorn

    from marksix.config import load_settings
    from marksix.sandbox import DEFAULT_TOKEN, create_simulator_app

    settings = load_settings()
    secrets = settings.app_secrets
    if not secrets:
        raise click.ClickException("MARKSIX_APP_SECRET is empty; the simulator signs its webhooks with it")
    state_file = state_file or settings.locator.home / STATE_FILE
    if fresh:
        state_file.unlink(missing_ok=True)
    app = create_simulator_app(
        app_secret=secrets[0],
        webhook_url=webhook_url,
        latency_ms=latency_ms,
        graph_prefix=graph_prefix,
        time_scale=time_scale,
        batch_window=batch_window,
        state_file=state_file,
        save_every=save_every,
    )
    click.echo(f"Graph API   http://{host}:{port}{graph_prefix}   (token: {DEFAULT_TOKEN})")
    click.echo(f"Sandbox API http://{host}:{port}/sandbox/api/account")
    click.echo(f"Webhooks -> {webhook_url or '(none: recorded only)'}")
    click.echo(f"State kept in {state_file}")
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
