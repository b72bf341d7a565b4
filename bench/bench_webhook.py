"""Webhook acknowledgement: latency and throughput against an empty endpoint on the same server.

The server is the real app (uvicorn, SQLite under a temporary MARKSIX_HOME,
INFO logs written to /dev/null) in a child process, built with the bench
flag, which adds `POST /bench/empty`: same server, same client, no work.
The worker is off, so the figures are the request's own cost: signature
check on the raw body, parsing, storing the comment, queueing the task.
Every webhook carries a new comment (no duplicate short-cut).

Latency: sequential requests on one keep-alive connection, webhook and
empty interleaved so machine load hits both alike; p50 and p99.
Throughput: a fixed number of requests from CONCURRENCY async clients.
Target: a webhook costs under 3x the empty endpoint (ratio of medians).

    .venv/bin/python bench/bench_webhook.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

TARGET_RATIO = 3.0
CONCURRENCY = 16
BENCH_SECRET = "bench-app-secret"
ACCOUNT = "17841400000000001"  # the sandbox's simulated account


# --- the server (child process) ---------------------------------------------------------------
def serve(home: Path, workers: int, latency_ms: float) -> None:
    """Run the app with the bench routes; print `PORT n` once listening."""
    import logging

    import uvicorn

    from marksix.cli.serve import listen
    from marksix.config import load_settings
    from marksix.logging_setup import configure_logging
    from marksix.web.app import create_app
    from marksix.web.runtime import ServeOptions

    settings = load_settings(
        home=home,
        app_secret=BENCH_SECRET,
        post_reply_cap=100_000,
        commenter_cooldown_seconds=0,
        _env_file=None,
    )
    listener = listen("127.0.0.1", 0)
    port = listener.getsockname()[1]
    options = ServeOptions(
        sandbox=True,
        base_url=f"http://127.0.0.1:{port}",
        worker_threads=workers,
        worker_process=workers > 0,  # as `marksix serve` runs them
        simulator_latency_ms=latency_ms,
        bench_routes=True,
    )
    configure_logging("INFO")
    for name in ("huey", "httpx", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    app = create_app(settings, options=options)
    print(f"PORT {port}", flush=True)
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on")
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run(sockets=[listener])


@contextlib.contextmanager
def running_server(workers: int = 0, latency_ms: float = 20.0) -> Iterator[str]:
    """Start the child server; yield its base URL; stop it with SIGINT."""
    with tempfile.TemporaryDirectory(prefix="marksix-bench-") as folder:
        command = [
            sys.executable,
            __file__,
            "--serve",
            folder,
            "--workers",
            str(workers),
            "--latency-ms",
            str(latency_ms),
        ]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")}
        with subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment
        ) as process:
            assert process.stdout is not None
            line = process.stdout.readline().decode().strip()
            if not line.startswith("PORT "):
                process.kill()
                raise SystemExit(f"the server did not start: {line!r}")
            url = f"http://127.0.0.1:{line.split()[1]}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    process.kill()
                    raise SystemExit("the server never became healthy")
                time.sleep(0.1)
            try:
                yield url
            finally:
                process.send_signal(2)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                process.stdout.close()


# --- the load (this process) -----------------------------------------------------------------------
def webhook_request(number: int) -> tuple[bytes, dict[str, str]]:
    """A signed `comments` webhook for a new comment, as Meta sends it."""
    from marksix.instagram.webhooks import sign

    body = json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": ACCOUNT,
                    "time": int(time.time()),
                    "changes": [
                        {
                            "field": "comments",
                            "value": {
                                "id": f"1795{number:013d}",
                                "text": "俾組號碼我 \u00e4",
                                "from": {"id": f"{900000 + number}", "username": f"bench{number}"},
                                "media": {"id": "17900000000000002", "media_product_type": "FEED"},
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, BENCH_SECRET)}
    return body, headers


EMPTY_BODY = b'{"object":"instagram","entry":[]}'
EMPTY_HEADERS = {"Content-Type": "application/json"}


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure_latency(url: str, requests: int, first_number: int) -> tuple[list[float], list[float]]:
    webhook_times: list[float] = []
    empty_times: list[float] = []
    prepared = [webhook_request(first_number + index) for index in range(requests)]
    with httpx.Client(base_url=url, timeout=10) as client:
        for body, headers in prepared:
            started = time.perf_counter()
            response = client.post("/bench/empty", content=EMPTY_BODY, headers=EMPTY_HEADERS)
            empty_times.append(time.perf_counter() - started)
            assert response.status_code == 200
            started = time.perf_counter()
            response = client.post("/webhooks/instagram", content=body, headers=headers)
            webhook_times.append(time.perf_counter() - started)
            assert response.status_code == 200 and response.json()["new"] == 1, response.text
    return webhook_times, empty_times


async def _throughput(url: str, path: str, payloads: list[tuple[bytes, dict[str, str]]]) -> float:
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for payload in payloads:
        queue.put_nowait(payload)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:

        async def worker() -> None:
            while not queue.empty():
                body, headers = queue.get_nowait()
                response = await client.post(path, content=body, headers=headers)
                assert response.status_code == 200, response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return len(payloads) / elapsed


def measure_throughput(url: str, requests: int, first_number: int) -> tuple[float, float]:
    webhooks = [webhook_request(first_number + index) for index in range(requests)]
    empties = [(EMPTY_BODY, EMPTY_HEADERS)] * requests
    empty_rate = asyncio.run(_throughput(url, "/bench/empty", empties))
    webhook_rate = asyncio.run(_throughput(url, "/webhooks/instagram", webhooks))
    return webhook_rate, empty_rate


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000, help="Requests of each kind per phase.")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--latency-ms", type=float, default=20.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.workers, args.latency_ms)
        return 0

    with running_server(workers=0) as url:
        measure_latency(url, 200, first_number=0)  # warm-up: connections, caches, SQLite pages
        webhook_times, empty_times = measure_latency(url, args.requests, first_number=1_000)
        webhook_rate, empty_rate = measure_throughput(url, args.requests, first_number=100_000)
        health: dict[str, Any] = httpx.get(url + "/healthz", timeout=10).json()

    stored = health["queue"]["states"].get("queued", 0)
    webhook_p50, empty_p50 = statistics.median(webhook_times), statistics.median(empty_times)
    webhook_p99, empty_p99 = percentile(webhook_times, 99), percentile(empty_times, 99)
    ratio = webhook_p50 / empty_p50
    print(f"webhook acknowledgement, {args.requests} sequential requests each (interleaved), one connection")
    print(f"  empty endpoint   p50 {empty_p50 * 1000:6.2f} ms   p99 {empty_p99 * 1000:6.2f} ms")
    print(f"  webhook          p50 {webhook_p50 * 1000:6.2f} ms   p99 {webhook_p99 * 1000:6.2f} ms")
    p99_ratio = webhook_p99 / empty_p99
    print(f"  ratio (p50)      {ratio:.2f}x   (p99 {p99_ratio:.2f}x)   target < {TARGET_RATIO:.0f}x")
    print(f"throughput, {args.requests} requests each, {CONCURRENCY} concurrent clients")
    print(f"  empty endpoint   {empty_rate:8.0f} req/s")
    print(f"  webhook          {webhook_rate:8.0f} req/s   ({webhook_rate / empty_rate:.2f}x of empty)")
    print(f"comments stored and queued by the server: {stored}")
    verdict = "PASS" if ratio < TARGET_RATIO else "MISS"
    print(f"{verdict}: a webhook costs {ratio:.2f}x an empty endpoint (target < {TARGET_RATIO:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
