"""`marksix doctor`: check what going live needs; each check prints ok or a fix."""

from __future__ import annotations

import datetime as dt

import click

from marksix.cli.output import emit_json, json_option


@click.command()
@click.option("--url", default=None, help="Where the running server is (default: MARKSIX_PUBLIC_URL).")
@json_option
def doctor(url: str | None, as_json: bool) -> None:
    """Check the public URL, the webhook handshake, secrets, each account, the LLM, database and queue.

    Exit code 0 only when every check is ok. On the sandbox, checks that only
    matter for a real account (HTTPS, the sandbox secrets) say they do not apply.

    \b
    Examples:
      marksix doctor                                # against MARKSIX_PUBLIC_URL
      marksix doctor --url http://127.0.0.1:8000    # the local sandbox
      marksix doctor --json                         # [{"check", "ok", "detail", "fix"}, ...]
    """
    import httpx

    from marksix.config import load_settings
    from marksix.doctor import DoctorContext, all_ok, format_checks, llm_probe, queue_probe, run_checks
    from marksix.worker.runtime import GraphClients, open_store

    settings = load_settings()
    engine, _, accounts = open_store(settings, sandbox=settings.encryption_key is None)
    clients = GraphClients(settings, accounts)
    try:
        with httpx.Client(timeout=10.0, follow_redirects=False) as http:
            context = DoctorContext(
                settings=settings,
                url=url,
                http=http,
                engine=engine,
                accounts=accounts,
                graph_for=clients,
                queue_depth=queue_probe(settings),
                now=dt.datetime.now(dt.UTC),
                llm_check=llm_probe(settings),
            )
            checks = run_checks(context)
    finally:
        clients.close()
        engine.dispose()
    if as_json:
        emit_json([check.to_json() for check in checks])
    else:
        click.echo(format_checks(checks))
    if not all_ok(checks):
        raise SystemExit(1)
