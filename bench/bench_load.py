"""Webhook load with `wrk`: throughput and latency against the empty endpoint of the same server.

`wrk` (Debian package `wrk`: `apt-get install wrk`; run as root, the
script installs it itself) sends pre-signed
webhook bodies, each a new comment, over 16 connections on loopback, for a
bounded time and at most a bounded number of requests. Every step runs the
same server (`serve --sandbox --worker-threads 0` as built by `marksix
serve`, plus the bench flag's `POST /bench/empty`) and measures the empty
endpoint first, then the webhook, in the same run:

  sqlite     one web process, SQLite comments database and SQLite queue
  pg+redis   PostgreSQL and Redis, with 1, 2 and 4 web processes sharing one port (SO_REUSEPORT)

With MARKSIX_TEST_POSTGRES_URL and MARKSIX_TEST_REDIS_URL set it uses those
servers (a fresh database per step); otherwise it starts throwaway ones on
loopback with .ci/services.sh and stops them after.

    .venv/bin/python bench/bench_load.py                  # every step, 5 s each
    .venv/bin/python bench/bench_load.py --duration 3 --steps sqlite,pg1
    .venv/bin/python bench/bench_load.py --rounds 3       # medians of 3 interleaved rounds
    .venv/bin/python bench/bench_load.py --steps sqlite --webhook-fsync each   # fsync before each answer
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 16
THREADS = 2
BENCH_SECRET = "bench-app-secret"
ACCOUNT = "17841400000000001"  # the sandbox's simulated account
STEPS = {"sqlite": ("sqlite", 1), "pg1": ("pg", 1), "pg2": ("pg", 2), "pg4": ("pg", 4)}


# --- the server (child processes) --------------------------------------------------------------
def serve(
    home: Path, port: int, database_url: str | None, redis_url: str | None, webhook_fsync: str = "second"
) -> None:
    """One web process on a shared port (SO_REUSEPORT), set up as `marksix serve` sets itself up
    (logging at INFO, the same uvicorn config, the runtime started before the server); prints READY."""
    import logging

    import uvicorn

    from marksix.cli.serve import server_config
    from marksix.config import load_settings
    from marksix.logging_setup import configure_logging
    from marksix.web.app import create_app
    from marksix.web.runtime import ServeOptions, build_runtime, freeze_heap

    settings = load_settings(
        home=home,
        app_secret=BENCH_SECRET,
        database_url=database_url,
        redis_url=redis_url,
        webhook_fsync=webhook_fsync,
        _env_file=None,
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(2048)
    options = ServeOptions(
        sandbox=True, base_url=f"http://127.0.0.1:{port}", worker_threads=0, bench_routes=True
    )
    configure_logging()
    for name in ("huey", "httpx", "alembic"):
        logging.getLogger(name).setLevel(logging.WARNING)
    runtime = build_runtime(settings, options)
    app = create_app(settings, runtime=runtime)
    runtime.start()
    freeze_heap()
    print("READY", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            uvicorn.Server(server_config(app, settings)).run(sockets=[listener])
    finally:
        runtime.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def web_processes(
    count: int, database_url: str | None, redis_url: str | None, webhook_fsync: str = "second"
) -> Iterator[str]:
    """Start `count` web processes on one port, one after the other (the first migrates)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="marksix-load-") as folder:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")}
        # One generated key for all of them (each would otherwise write its own into its home).
        from cryptography.fernet import Fernet

        environment["MARKSIX_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
        processes: list[subprocess.Popen[bytes]] = []
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(count):
                command = [sys.executable, __file__, "--serve", folder, "--port", str(port)]
                command += ["--database-url", database_url or "", "--redis-url", redis_url or ""]
                command += ["--webhook-fsync", webhook_fsync]
                process = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=environment
                )
                processes.append(process)
                assert process.stdout is not None
                if process.stdout.readline().decode().strip() != "READY":
                    raise SystemExit("a web process did not start")
                _wait_healthy(url)
            yield url
        finally:
            for process in processes:
                process.send_signal(2)
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
                if process.stdout is not None:
                    process.stdout.close()


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/healthz", timeout=5).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit("the server never became healthy")


# --- the load (wrk) ------------------------------------------------------------------------------
def webhook_body(number: int, run: str) -> tuple[str, str]:
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
                                "id": f"{run}{number:09d}",
                                "text": "俾組號碼我",
                                "from": {"id": f"{900000 + number}", "username": f"load{number}"},
                                "media": {"id": "17900000000000002", "media_product_type": "FEED"},
                            },
                        }
                    ],
                }
            ],
        },
        separators=(",", ":"),
    )
    return body, sign(body.encode(), BENCH_SECRET)


LUA = """
-- Pre-signed bodies, dealt round-robin to the threads; a thread stops when its share runs out.
local bodies = { %(bodies)s }
local signatures = { %(signatures)s }
local threads = %(threads)d
local cycle = %(cycle)s
local counter = 1
function setup(thread) thread:set("offset", counter); counter = counter + 1 end
function init(args) offset = tonumber(wrk.thread:get("offset")); sent = 0 end
function request()
  local i = offset + sent * threads
  if cycle then i = ((i - 1) %% #bodies) + 1 elseif i > #bodies then wrk.thread:stop(); i = #bodies end
  sent = sent + 1
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json",
    ["X-Hub-Signature-256"] = signatures[i]}, bodies[i])
end
"""


def write_lua(
    folder: Path, path: str, bodies: list[str], signatures: list[str], *, cycle: bool = False
) -> Path:
    def quoted(values: list[str]) -> str:
        return ",".join("[==[" + value + "]==]" for value in values)

    script = folder / f"load-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(
        LUA
        % {
            "bodies": quoted(bodies),
            "signatures": quoted(signatures),
            "threads": THREADS,
            "path": path,
            "cycle": "true" if cycle else "false",
        },
        encoding="utf-8",
    )
    return script


@dataclass
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, script: Path, duration: float) -> Result:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{duration:g}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=duration + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    total = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"    wrk: socket errors: {socket_errors.group(1)}")
    return Result(
        rate=rate,
        p50_ms=_ms(*p50.groups()) if p50 else float("nan"),
        p99_ms=_ms(*p99.groups()) if p99 else float("nan"),
        requests=total,
        errors=int(errors.group(1)) if errors else 0,
    )


def measure(url: str, folder: Path, duration: float, max_requests: int, run: str) -> tuple[Result, Result]:
    empty_body = '{"object":"instagram","entry":[]}'
    empty = write_lua(folder, "/bench/empty", [empty_body] * 64, ["none"] * 64, cycle=True)
    signed = [webhook_body(number, run) for number in range(max_requests)]
    webhooks = write_lua(folder, "/webhooks/instagram", [b for b, _ in signed], [s for _, s in signed])
    warm = [webhook_body(number, run + "9") for number in range(200)]
    run_wrk(url, write_lua(folder, "/webhooks/instagram", [b for b, _ in warm], [s for _, s in warm]), 1)
    empty_result = run_wrk(url, empty, duration)
    webhook_result = run_wrk(url, webhooks, duration)
    return webhook_result, empty_result


# --- PostgreSQL and Redis ------------------------------------------------------------------------
@contextlib.contextmanager
def services() -> Iterator[tuple[str, str]]:
    """The test servers named in the environment, or throwaway ones from .ci/services.sh."""
    postgres = os.environ.get("MARKSIX_TEST_POSTGRES_URL", "").strip()
    redis = os.environ.get("MARKSIX_TEST_REDIS_URL", "").strip()
    if postgres and redis:
        yield postgres, redis
        return
    folder = tempfile.mkdtemp(prefix="marksix-load-services-")
    script = f"source {ROOT}/.ci/services.sh && start_postgres >&2 && start_redis >&2 && env"
    env = {**os.environ, "SERVICES_DIR": folder}
    output = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, env=env, check=True
    ).stdout
    found = dict(line.split("=", 1) for line in output.splitlines() if "=" in line)
    try:
        yield found["MARKSIX_TEST_POSTGRES_URL"], found["MARKSIX_TEST_REDIS_URL"]
    finally:
        stop = f"source {ROOT}/.ci/services.sh && PG_BIN={found.get('PG_BIN', '')} stop_services"
        subprocess.run(["bash", "-c", stop], env={**env, **found}, check=False)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(base_url: str, redis_url: str) -> str:
    """A new empty database on the server (so every step starts alike), and an empty Redis."""
    import psycopg
    import redis as redis_client

    name = f"load_{uuid.uuid4().hex[:8]}"
    plain = base_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')  # the name is ours, not input
    redis_client.Redis.from_url(redis_url).flushdb()
    return base_url.rsplit("/", 1)[0] + "/" + name


# --- reporting -----------------------------------------------------------------------------------
def _label(step: str) -> str:
    backend, processes = STEPS[step]
    return "sqlite, 1 web" if backend == "sqlite" else f"pg+redis, {processes} web"


def _print_row(label: str, webhook: Result, empty: Result, note: str = "") -> None:
    ratio = empty.rate / webhook.rate if webhook.rate else float("inf")
    print(
        f"{label:<22}{empty.rate:>12.0f}{empty.p50_ms:>8.1f}{webhook.rate:>15.0f}"
        f"{webhook.p50_ms:>8.1f}{webhook.p99_ms:>8.1f}{ratio:>6.1f}x"
        + (f"  ({webhook.errors} non-2xx)" if webhook.errors or empty.errors else "")
        + note,
        flush=True,
    )


def _median_result(results: list[Result]) -> Result:
    return Result(
        rate=statistics.median(result.rate for result in results),
        p50_ms=statistics.median(result.p50_ms for result in results),
        p99_ms=statistics.median(result.p99_ms for result in results),
        requests=int(statistics.median(result.requests for result in results)),
        errors=sum(result.errors for result in results),
    )


def _load_average() -> str:
    """The machine's 1-minute load average, quoted beside each figure (other work skews them)."""
    return f"load {os.getloadavg()[0]:.1f}"


# --- main ----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="Needs wrk on PATH (Debian: apt-get install wrk; as root the script runs that itself). "
        "Loopback only.",
    )
    parser.add_argument("--duration", type=float, default=5.0, help="Seconds of load per endpoint and step.")
    parser.add_argument("--max-requests", type=int, default=20_000, help="Webhook bodies per step (a cap).")
    parser.add_argument(
        "--steps", default=",".join(STEPS), help=f"Comma-separated, from: {', '.join(STEPS)}."
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="Run every step this many times, in turn, and print the medians (for a busy machine).",
    )
    parser.add_argument(
        "--webhook-fsync",
        choices=("second", "each"),
        default="second",
        help="MARKSIX_WEBHOOK_FSYNC for the SQLite step: synced within a second (the default) "
        "or before each acknowledgement.",
    )
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--redis-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.port, args.database_url or None, args.redis_url or None, args.webhook_fsync)
        return 0
    if shutil.which("wrk") is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench_load: installing wrk with apt-get", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)
    if shutil.which("wrk") is None:
        print("bench_load: skipped, wrk is not installed (Debian: apt-get install wrk)")
        return 0
    steps = [step.strip() for step in args.steps.split(",") if step.strip()]
    unknown = [step for step in steps if step not in STEPS]
    if unknown:
        raise SystemExit(f"bench_load: unknown step(s) {', '.join(unknown)}; choose from {', '.join(STEPS)}")

    print(
        f"wrk, {CONNECTIONS} connections, {THREADS} threads, {args.duration:g} s per endpoint, loopback, "
        f"MARKSIX_WEBHOOK_FSYNC={args.webhook_fsync}"
    )
    columns = (
        ("empty req/s", 12),
        ("p50 ms", 8),
        ("webhook req/s", 15),
        ("p50 ms", 8),
        ("p99 ms", 8),
        ("ratio", 7),
    )
    print(f"{'step':<22}" + "".join(f"{name:>{width}}" for name, width in columns) + "  load")
    measured: dict[str, list[tuple[Result, Result]]] = {step: [] for step in steps}
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory(prefix="marksix-lua-") as lua:
        servers: tuple[str, str] | None = None
        for round_number in range(args.rounds):
            for index, step in enumerate(steps):
                backend, processes = STEPS[step]
                database_url = redis_url = None
                if backend == "pg":
                    if servers is None:
                        servers = stack.enter_context(services())
                    database_url, redis_url = fresh_database(*servers), servers[1]
                load = _load_average()
                with web_processes(processes, database_url, redis_url, args.webhook_fsync) as url:
                    run = f"{17 + round_number}{index}"
                    webhook, empty = measure(url, Path(lua), args.duration, args.max_requests, run)
                measured[step].append((webhook, empty))
                _print_row(_label(step), webhook, empty, f"  {load}")
    if args.rounds > 1:
        print(f"medians of {args.rounds} rounds (each round ran every step once, in turn):")
        for step, results in measured.items():
            webhook = _median_result([webhook for webhook, _ in results])
            empty = _median_result([empty for _, empty in results])
            ratios = sorted(empty.rate / webhook.rate for webhook, empty in results if webhook.rate)
            _print_row(_label(step), webhook, empty, f"  ratio median {statistics.median(ratios):.1f}x")
    print("ratio = empty endpoint req/s / webhook req/s, same server, same run")
    return 0


if __name__ == "__main__":
    sys.exit(main())
