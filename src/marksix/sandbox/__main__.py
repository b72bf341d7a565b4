"""Run the simulated Instagram on its own port.

    python -m marksix.sandbox --port 8900 \\
        --webhook-url http://127.0.0.1:8000/webhooks/instagram

Then point the service's Graph client at http://127.0.0.1:8900/simulated-graph
with the token printed below, and post comments through /sandbox/api/comments.
"""

from __future__ import annotations

import click


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
def main(
    *, host: str, port: int, webhook_url: str | None, latency_ms: float, time_scale: float, graph_prefix: str
) -> None:
    """Serve a simulated Instagram Graph API, webhook sender and sandbox JSON API.

    Webhooks are signed with the first of MARKSIX_APP_SECRET (environment or .env).

    \b
    Examples:
      python -m marksix.sandbox --webhook-url http://127.0.0.1:8000/webhooks/instagram
      curl -X POST localhost:8900/sandbox/api/comments -d '{"username":"alice","text":"下期？"}'
      curl -X POST localhost:8900/sandbox/api/faults -d '{"kind":"throttle","code":80002}'
    """
    import uvicorn

    from marksix.config import load_settings
    from marksix.sandbox import DEFAULT_TOKEN, create_simulator_app

    secrets = load_settings().app_secrets
    if not secrets:
        raise click.ClickException("MARKSIX_APP_SECRET is empty; the simulator signs its webhooks with it")
    app = create_simulator_app(
        app_secret=secrets[0],
        webhook_url=webhook_url,
        latency_ms=latency_ms,
        graph_prefix=graph_prefix,
        time_scale=time_scale,
    )
    click.echo(f"Graph API   http://{host}:{port}{graph_prefix}   (token: {DEFAULT_TOKEN})")
    click.echo(f"Sandbox API http://{host}:{port}/sandbox/api/account")
    click.echo(f"Webhooks -> {webhook_url or '(none: recorded only)'}")
    uvicorn.run(app, host=host, port=port, log_config=None, access_log=False, timeout_graceful_shutdown=2)


if __name__ == "__main__":
    main()
