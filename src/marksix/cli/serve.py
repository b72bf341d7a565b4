"""`marksix serve`: the webhook service, its worker and (in sandbox mode) the simulator."""

from __future__ import annotations

import contextlib
import signal
import socket
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import uvicorn

    from marksix.config import Settings


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--sandbox",
    is_flag=True,
    help="Serve the simulated Instagram (its account connected by the simulated Business Login). "
    "Without it the server is always in real mode, even with no account connected yet.",
)
@click.option(
    "--worker-threads",
    default=8,
    show_default=True,
    type=click.IntRange(0, 64),
    help="Reply worker threads, in a child process of their own (a second CPU core); "
    "0 runs none here (run `marksix worker` processes instead).",
)
@click.option(
    "--web-only",
    is_flag=True,
    help="Receive webhooks and serve the dashboard only: no worker child, no periodic jobs "
    "(no results poller either). "
    "Run any number of these beside `marksix worker --no-periodic` and one `marksix scheduler`.",
)
def serve(host: str, port: int, sandbox: bool, worker_threads: int, web_only: bool) -> None:
    """Run the webhook service with its reply worker.

    With --sandbox it also serves a simulated Instagram on the same port:
    post a comment on the sandbox page and watch the reply arrive. Data
    lives under MARKSIX_HOME (SQLite).

    Without --sandbox it is real mode, always: it never turns into the
    sandbox. It refuses to start while MARKSIX_APP_SECRET, MARKSIX_VERIFY_TOKEN,
    MARKSIX_REPLY_SECRET or MARKSIX_ENCRYPTION_KEY is missing or still the
    public sandbox value. With no account connected yet it serves the webhook
    and the dashboard and says to connect one (dashboard: Accounts > Connect
    an account, with MARKSIX_INSTAGRAM_APP_ID and MARKSIX_PUBLIC_URL; or
    `marksix accounts add --token T`). MARKSIX_APP_SECRET (several,
    comma-separated) checks webhook signatures and MARKSIX_VERIFY_TOKEN
    answers Meta's subscription handshake, in both modes.

    \b
    Examples:
      marksix serve --sandbox                 # the whole flow on localhost
      marksix serve --port 8080               # real mode (secrets of your own required)
      marksix serve --host 0.0.0.0 --port 80  # behind your HTTPS proxy
      marksix serve --worker-threads 0        # webhooks only; `marksix worker` replies
      marksix serve --web-only --host 0.0.0.0 # stateless web process (scale out on PostgreSQL+Redis)
      MARKSIX_TRUSTED_PROXIES=10.0.0.5 marksix serve  # believe X-Forwarded-* from that proxy only
    The reply worker runs in a child process that lives and stops with the
    server; Ctrl-C or SIGTERM stops both cleanly, letting running replies finish.
    """
    import uvicorn

    from marksix.config import load_settings
    from marksix.logging_setup import configure_logging
    from marksix.web.app import create_app
    from marksix.web.runtime import ServeOptions, build_runtime, freeze_heap

    if web_only:
        worker_threads = 0
    settings = load_settings()
    if settings.home is None:
        settings = settings.model_copy(update={"home": settings.locator.home})
    # Only --sandbox serves the simulator: missing credentials are a reason to connect an
    # account, never to fall back quietly to a fake Instagram on a public server.
    if not sandbox:
        from marksix.errors import ConfigError
        from marksix.golive import real_mode_problems

        problems = real_mode_problems(settings)
        if problems:
            raise ConfigError("real mode will not start on sandbox defaults:\n  " + "\n  ".join(problems))
    listener = listen(host, port)
    port = listener.getsockname()[1]
    options = ServeOptions(
        sandbox=sandbox,
        base_url=f"http://{_loopback_for(host)}:{port}",
        worker_threads=worker_threads,
        worker_process=True,
        results_poller=not web_only,
    )
    configure_logging()
    _quiet_per_request_logs()
    try:
        # Built here, not in the app's lifespan, so bad settings (a missing
        # encryption key, an unreachable database) end with one clear line.
        runtime = build_runtime(settings, options)
    except BaseException:
        listener.close()
        raise
    app = create_app(settings, runtime=runtime)
    connected = sandbox or bool(runtime.accounts.all())
    click.echo(banner(host, port, sandbox, str(settings.home), connected=connected))
    if not connected:
        from marksix.golive import connect_hints

        for hint in connect_hints(settings):
            click.echo(f"  to connect: {hint}")
    config = server_config(app, settings)
    runtime.start()
    freeze_heap()
    # uvicorn shuts down on SIGTERM as on Ctrl-C, then raises the signal again once the
    # old handler is back; this one turns it into the same clean stop, worker child included.
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        # uvicorn re-raises the Ctrl-C it handled, once it has shut down cleanly.
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(config).run(sockets=[listener])
    finally:
        runtime.close()
        signal.signal(signal.SIGTERM, previous)
    click.echo("Stopped.")


def server_config(app: Any, settings: Settings) -> uvicorn.Config:
    """How uvicorn serves the app; X-Forwarded-* are believed from MARKSIX_TRUSTED_PROXIES only."""
    import uvicorn

    trusted = settings.trusted_proxies.strip()
    return uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=5,
        # uvicorn would otherwise believe X-Forwarded-For from loopback, so anyone local
        # could pick the address the login throttle sees.
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or "",
    )


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _quiet_per_request_logs() -> None:
    """Huey and httpx log every task and request at INFO; our own events say more, once."""
    import logging

    for name in ("huey", "httpx", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)


def listen(host: str, port: int) -> socket.socket:
    """Bind before building the app, so port 0 works and the sandbox knows its own URL."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this; without it small answers can wait for a delayed ACK.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind((host, port))
    except OSError as problem:
        listener.close()
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {problem.strerror or problem}; try another --port"
        ) from None
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _loopback_for(host: str) -> str:
    """The address this process uses to call itself (the sandbox's webhook sender)."""
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - we connect to it, not bind
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def banner(host: str, port: int, sandbox: bool, home: str, *, connected: bool = True) -> str:
    shown = _loopback_for(host) if host not in ("0.0.0.0", "::") else "localhost"  # noqa: S104
    base = f"http://{shown}:{port}"
    mode = "sandbox: a simulated Instagram, no account needed" if sandbox else "real Instagram Graph API"
    lines = [
        f"marksix serve — {mode}",
        "",
        f"  Sandbox page  {base}/" if sandbox else f"  Home          {base}/",
        f"  Dashboard     {base}/dashboard",
        f"  Health        {base}/healthz",
        f"  Metrics       {base}/metrics",
        f"  Webhook       {base}/webhooks/instagram",
        "",
        f"Data folder: {home}",
        "Press Ctrl-C to stop.",
    ]
    if not connected:
        lines[-2:-2] = [
            "No Instagram account is connected: no comment will be answered yet.",
            f"  Connect one at {base}/dashboard/accounts (Connect an account),",
            "  or run `marksix accounts add --token T` with a token from the App Dashboard.",
            "",
        ]
    return "\n".join(lines)
