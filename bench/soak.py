"""The soak: many comments through the scaled-out service, with processes and servers failing.

On loopback, with real PostgreSQL and Redis (started with .ci/services.sh
unless MARKSIX_TEST_POSTGRES_URL, MARKSIX_TEST_REDIS_URL and SERVICES_DIR
name running ones, as inside .ci/with-services.sh), it runs what a
deployment runs, each as its own process:

  2 x `marksix serve --web-only`   behind a round-robin balancer in this script
  4 x `marksix worker --no-periodic`
  1 x `marksix scheduler`          sweep, reconcile, token refresh
  1 x `python -m marksix.sandbox`  the standalone simulated Instagram, 50 accounts

Comments are posted to the simulator at a bounded rate; its webhooks (signed,
batched, some duplicated, some delayed out of order, some dropped, and
redelivered after any failure) reach the web processes through the balancer.
Meanwhile it SIGKILLs and restarts workers, the scheduler and a web process,
restarts Redis and, once, PostgreSQL, and injects Graph API 5xx, 429,
timeouts after a successful post and a policy block (code 368) on two
accounts. Then it waits for the queue to drain and checks, comment by
comment, against both the simulator and the database:

  lost        posted, but never stored, or "replied" without a reply on Instagram
  duplicates  more than one reply on Instagram
  stuck       still waiting (received, queued, in progress) at the end
  the rest    exactly one reply, or skipped/failed with its recorded reason

    python bench/soak.py --quick         # 3,000 comments, 2-3 minutes (CI runs this)
    python bench/soak.py                 # 20,000 comments
    python bench/soak.py --comments 500 --rate 20 --keep

It exits non-zero on any lost, duplicate or stuck comment. The last line
reads: `soak: 3000 comments over 50 accounts, 41/s, p50 0.4s p99 3.1s, lost 0, duplicates 0, stuck 0`.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TEXTS = (
    "俾組號碼我",
    "下期買咩好",
    "求一組",
    "give me numbers for the next draw",
    "lucky numbers please",
    "下期六合彩幾時攪珠？",
    "3 8 15 22 37 41 中唔中",
    "熱門號碼係邊啲",
    "幫我揀六個號",
    "1 號出現咗幾多次",
    "下期头奖多少钱",
    "nice post",
    "😂😂",
)
WAITING = ("received", "queued", "in_progress")
#: Seconds after Instagram lifts a policy block before a person unblocks what is still blocked.
OPERATOR_WAIT = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- PostgreSQL and Redis -------------------------------------------------------------------------
class Servers:
    """Reuses the servers .ci/with-services.sh started, or starts throwaway ones; restarts them."""

    def __init__(self, work: Path) -> None:
        env = os.environ
        self.own = not (
            env.get("MARKSIX_TEST_POSTGRES_URL")
            and env.get("MARKSIX_TEST_REDIS_URL")
            and env.get("SERVICES_DIR")
        )
        self.env = dict(env)
        if self.own:
            self.env.update(
                SERVICES_DIR=str(work / "svc"), PG_PORT=str(free_port()), REDIS_PORT=str(free_port())
            )
            Path(self.env["SERVICES_DIR"]).mkdir(parents=True)
            self._sh("start_postgres && start_redis")
            self.database_url = f"postgresql+psycopg://marksix@127.0.0.1:{self.env['PG_PORT']}/marksix_test"
            self.redis_url = f"redis://127.0.0.1:{self.env['REDIS_PORT']}/0"
        else:
            base = env["MARKSIX_TEST_POSTGRES_URL"]
            self.env.setdefault("PG_PORT", base.rsplit(":", 1)[1].split("/")[0])
            self.env.setdefault("REDIS_PORT", env["MARKSIX_TEST_REDIS_URL"].rsplit(":", 1)[1].split("/")[0])
            name = f"marksix_soak_{os.getpid()}"
            self._create_database(base, name)
            self.database_url = base.rsplit("/", 1)[0] + "/" + name
            self.redis_url = env["MARKSIX_TEST_REDIS_URL"].rsplit("/", 1)[0] + "/1"

    def _sh(self, command: str) -> None:
        subprocess.run(
            ["bash", "-c", f"source .ci/services.sh && {command}"],
            cwd=ROOT,
            env=self.env,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    @staticmethod
    def _create_database(url: str, name: str) -> None:
        import psycopg

        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain, autocommit=True) as connection:
            connection.execute(f'create database "{name}"')  # our own generated name

    def restart_postgres(self) -> None:
        self._sh("restart_postgres")

    def restart_redis(self) -> None:
        self._sh("restart_redis")

    def stop(self) -> None:
        if self.own:
            bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
            self.env["PG_BIN"] = str(bins[-1]) if bins else ""
            self._sh("stop_services")


# --- the service's processes ----------------------------------------------------------------------
@dataclass
class Proc:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    ready: Callable[[], bool] = lambda: True
    popen: subprocess.Popen[bytes] | None = None
    kills: int = 0

    def start(self, timeout: float = 60.0) -> None:
        with open(self.log, "ab") as log:
            self.popen = subprocess.Popen(
                self.argv, env=self.env, cwd=self.log.parent, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while not self.ready():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.popen.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} was not ready within {timeout:.0f} s; see {self.log}")
            time.sleep(0.2)

    def kill(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)
            self.kills += 1

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def answers(url: str) -> Callable[[], bool]:
    def probe() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    return probe


# --- the load balancer in front of the web processes ---------------------------------------------
class Balancer:
    """Round-robin over the web processes, as a proxy would; a refused connection is a 502."""

    def __init__(self, backends: list[str]) -> None:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        from marksix.sandbox import BackgroundServer

        self.backends = backends
        self.statuses: Counter[int] = Counter()
        self._turn = 0
        self._client = httpx.AsyncClient(timeout=30)

        async def forward(request: Request) -> Response:
            self._turn += 1
            backend = self.backends[self._turn % len(self.backends)]
            headers = {
                k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")
            }
            try:
                answer = await self._client.request(
                    request.method,
                    backend + request.url.path,
                    params=request.query_params,
                    headers=headers,
                    content=await request.body(),
                )
            except httpx.HTTPError:
                self.statuses[502] += 1
                return Response("bad gateway", status_code=502)
            self.statuses[answer.status_code] += 1
            return Response(answer.content, status_code=answer.status_code)

        app = Starlette(routes=[Route("/{path:path}", forward, methods=["GET", "POST"])])
        self.server = BackgroundServer(app)
        self.url = self.server.url

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()


# --- the run --------------------------------------------------------------------------------------
@dataclass
class Posted:
    account_id: str
    at: float


@dataclass
class Soak:
    comments: int
    accounts: int
    rate: float
    work: Path
    drain_timeout: float
    seed: int
    servers: Servers = field(init=False)
    procs: dict[str, Proc] = field(default_factory=dict)
    posted: dict[str, Posted] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)
    blocked_accounts: list[str] = field(default_factory=list)
    resumed_by: str = "(the block was never lifted)"

    def run(self) -> int:
        started = time.monotonic()
        self.servers = Servers(self.work)
        try:
            return self._run(started)
        finally:
            for proc in reversed(self.procs.values()):  # the simulator last
                proc.stop()
            if hasattr(self, "balancer"):
                self.balancer.stop()
            self.servers.stop()

    def _run(self, started: float) -> int:
        rng = random.Random(self.seed)
        marksix = str(Path(sys.executable).with_name("marksix"))
        if not Path(marksix).exists():
            marksix = shutil.which("marksix") or "marksix"
        from cryptography.fernet import Fernet

        secret = "soak-" + hashlib.sha256(str(self.seed).encode()).hexdigest()[:24]
        sim_port = free_port()
        self.sim_url = f"http://127.0.0.1:{sim_port}"
        home = self.work / "home"
        home.mkdir()
        web_ports = [free_port(), free_port()]
        self.balancer = Balancer([f"http://127.0.0.1:{port}" for port in web_ports])
        self.balancer.start()
        base_env = {key: value for key, value in os.environ.items() if not key.startswith("MARKSIX_")} | {
            "MARKSIX_APP_SECRET": secret,
            "PYTHONUNBUFFERED": "1",
        }
        sim = Proc(
            "simulator",
            [
                sys.executable,
                "-m",
                "marksix.sandbox",
                "--port",
                str(sim_port),
                "--webhook-url",
                f"{self.balancer.url}/webhooks/instagram",
                "--latency-ms",
                "5",
                # Meta's 36-hour retry schedule in about 22 minutes: longer than the run.
                "--time-scale",
                "0.01",
                "--batch-window",
                "0.2",
                "--state-file",
                str(self.work / "simulator-state.json"),
                "--save-every",
                "10",
            ],
            base_env,
            self.work / "simulator.log",
            ready=answers(f"{self.sim_url}/sandbox/api/account"),
        )
        sim.start()
        self.procs["simulator"] = sim
        self.http = httpx.Client(base_url=self.sim_url, timeout=30)
        accounts = self._make_accounts()
        env = base_env | {
            "MARKSIX_HOME": str(home),
            "MARKSIX_DATABASE_URL": self.servers.database_url,
            "MARKSIX_REDIS_URL": self.servers.redis_url,
            "MARKSIX_VERIFY_TOKEN": "soak-verify-" + secret,
            "MARKSIX_REPLY_SECRET": "soak-reply-" + secret,
            "MARKSIX_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "MARKSIX_IG_ACCESS_TOKEN": accounts[0]["access_token"],
            "MARKSIX_IG_USER_ID": accounts[0]["id"],
            "MARKSIX_IG_USERNAME": accounts[0]["username"],
            "MARKSIX_HKJC_POLL": "false",  # no network here; the scheduler's poller is tested apart
            "MARKSIX_WORKER_LEASE_SECONDS": "20",
            "MARKSIX_RETRY_BASE_SECONDS": "1",
            # A policy block waits 5-10 s, then the worker tries again by itself (worker/policy.py).
            "MARKSIX_POLICY_BACKOFF_SECONDS": "10",
        }
        self.env = env
        self._seed_store(accounts)
        for n, port in enumerate(web_ports, 1):
            self.procs[f"web{n}"] = Proc(
                f"web{n}",
                [marksix, "serve", "--web-only", "--port", str(port)],
                env,
                self.work / f"web{n}.log",
                ready=answers(f"http://127.0.0.1:{port}/healthz"),
            )
        for n in range(1, 5):
            self.procs[f"worker{n}"] = Proc(
                f"worker{n}",
                [marksix, "worker", "--workers", "2", "--no-periodic"],
                env,
                self.work / f"worker{n}.log",
            )
        self.procs["scheduler"] = Proc(
            "scheduler",
            [marksix, "scheduler", "--sweep-every", "2", "--reconcile-every", "30", "--requeue-after", "15"],
            env,
            self.work / "scheduler.log",
        )
        for name, proc in self.procs.items():
            if name != "simulator":
                proc.start()
        self._wait_subscribed(len(accounts))
        say(f"ready after {time.monotonic() - started:.0f} s: 2 web, 4 workers, scheduler, simulator")

        media = [(account["id"], account["media_id"]) for account in accounts]
        chaos = threading.Thread(target=self._chaos, args=(accounts, rng), daemon=True)
        first_post = time.monotonic()
        chaos.start()
        self._post_all(media, rng)
        posting_seconds = time.monotonic() - first_post
        say(f"posted {len(self.posted)} comments in {posting_seconds:.0f} s")
        chaos.join()
        self._drain()
        return self._report(first_post)

    # --- set-up ---------------------------------------------------------------------------------
    def _make_accounts(self) -> list[dict[str, Any]]:
        own = self.http.get("/sandbox/api/account").json()
        from marksix.sandbox import DEFAULT_TOKEN

        accounts = [{**own, "access_token": DEFAULT_TOKEN, "expires_at": time.time() + 59 * 86400}]
        for n in range(1, self.accounts):
            answer = self.http.post("/sandbox/api/accounts", json={"username": f"soak.shop{n:02d}"})
            answer.raise_for_status()
            accounts.append(answer.json())
        return accounts

    def _seed_store(self, accounts: list[dict[str, Any]]) -> None:
        """What connecting each account would store: its token, expiry and Graph address."""
        from pydantic import SecretStr

        from marksix.config import load_settings
        from marksix.worker.runtime import IMPORTED_TOKEN_KEY, open_store

        settings = load_settings(
            home=self.env["MARKSIX_HOME"],
            database_url=self.env["MARKSIX_DATABASE_URL"],
            encryption_key=self.env["MARKSIX_ENCRYPTION_KEY"],
            _env_file=None,
        )
        engine, _, repository = open_store(settings, sandbox=False)
        now = datetime.now(UTC)
        for account in accounts:
            extra = {"graph_base_url": f"{self.sim_url}/simulated-graph"}
            if account["id"] == self.env["MARKSIX_IG_USER_ID"]:
                fingerprint = hashlib.sha256(account["access_token"].encode()).hexdigest()[:32]
                extra[IMPORTED_TOKEN_KEY] = fingerprint  # already imported: the restarts keep it
            repository.save(
                account["id"],
                account["username"],
                now=now,
                token=SecretStr(account["access_token"]),
                settings=extra,
            )
            repository.set_token_expiry(
                account["id"], datetime.fromtimestamp(account["expires_at"], UTC), now=now
            )
        self.engine, self.repository = engine, repository

    def _wait_subscribed(self, count: int) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = self.http.get("/sandbox/api/state").json()
            if sum(bool(account["subscribed_fields"]) for account in state["accounts"]) >= count:
                return
            time.sleep(0.5)
        raise RuntimeError("the web processes did not subscribe every account's webhooks")

    # --- load -------------------------------------------------------------------------------------
    def _post_all(self, media: list[tuple[str, str]], rng: random.Random) -> None:
        recent: list[tuple[str, str]] = []  # (username, media) a commenter may write again
        plan = []
        for n in range(self.comments):
            account_id, media_id = media[rng.randrange(len(media))]
            username = f"fan{self.seed}x{n}"
            if recent and rng.random() < 0.03:  # the same person again soon: the cooldown skips it
                username, media_id = recent[rng.randrange(len(recent))]
                account_id = next(a for a, m in media if m == media_id)
            recent = [*recent[-50:], (username, media_id)]
            plan.append((account_id, media_id, username, TEXTS[rng.randrange(len(TEXTS))]))
        lock = threading.Lock()
        start = time.monotonic()

        def post(index: int) -> None:
            wait = start + index / self.rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            account_id, media_id, username, text = plan[index]
            for _ in range(20):
                try:
                    answer = self.http.post(
                        "/sandbox/api/comments",
                        json={"username": username, "text": text, "media_id": media_id},
                    )
                    answer.raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.5)
            else:
                raise RuntimeError("the simulator stopped taking comments")
            with lock:
                self.posted[answer.json()["id"]] = Posted(account_id, time.time())
                done = len(self.posted)
            if done % max(1, self.comments // 10) == 0:
                say(f"{done} comments posted; {self._progress()}")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(post, range(self.comments)))

    def _progress(self) -> str:
        try:
            with self.engine.connect() as connection:
                from sqlalchemy import text

                rows = connection.execute(text("select state, count(*) from comments group by state")).all()
        except Exception as problem:  # PostgreSQL may be restarting right now
            return f"(database: {type(problem).__name__})"
        return ", ".join(f"{state} {count}" for state, count in sorted(rows))

    # --- chaos ------------------------------------------------------------------------------------
    def _chaos(self, accounts: list[dict[str, Any]], rng: random.Random) -> None:
        two = rng.sample([account["id"] for account in accounts[1:]], 2)
        steps: list[tuple[float, str, Callable[[], None]]] = [
            (0.05, "webhook faults: duplicates, delays (out of order), drops", self._webhook_faults),
            (0.08, "SIGKILL worker1, restart", lambda: self._bounce("worker1")),
            (0.12, "Graph 5xx, 429 and timeouts after a successful post", self._graph_faults),
            (0.18, f"policy block (368) on {two[0]} and {two[1]}", lambda: self._block(two)),
            (0.25, "SIGKILL scheduler, restart", lambda: self._bounce("scheduler")),
            (0.32, "SIGKILL web1, restart", lambda: self._bounce("web1")),
            (0.38, "webhook faults again", self._webhook_faults),
            (0.42, "restart Redis", self.servers.restart_redis),
            (0.50, "Graph faults again", self._graph_faults),
            (0.55, "restart PostgreSQL", self.servers.restart_postgres),
            (0.62, "SIGKILL worker2 and worker3, restart", lambda: self._bounce("worker2", "worker3")),
            (0.70, "SIGKILL worker4 mid-reply and web2, restart", lambda: self._bounce("worker4", "web2")),
            (0.75, "lift the policy block on Instagram's side", self._unblock_on_instagram),
            (0.80, "restart Redis again", self.servers.restart_redis),
            (0.88, "SIGKILL scheduler and worker1, restart", lambda: self._bounce("scheduler", "worker1")),
        ]
        for fraction, what, action in steps:
            while len(self.posted) < fraction * self.comments:
                time.sleep(0.1)
            say(f"chaos: {what}")
            try:
                action()
                self.events.append(what)
            except Exception as problem:
                self.events.append(f"{what}: FAILED {type(problem).__name__}: {problem}")
                say(f"chaos step failed: {type(problem).__name__}: {problem}")

    def _bounce(self, *names: str) -> None:
        for name in names:
            self.procs[name].kill()
        time.sleep(1.0)
        for name in names:
            self.procs[name].start()

    def _fault(self, **fault: Any) -> None:
        answer = self.http.post("/sandbox/api/faults", json=fault)
        if answer.status_code != 201:
            raise RuntimeError(f"fault {fault} refused: {answer.text}")

    def _webhook_faults(self) -> None:
        self._fault(kind="webhook_duplicate", count=5)
        self._fault(kind="webhook_delay", count=5, seconds=3)
        self._fault(kind="webhook_drop", count=2)

    def _graph_faults(self) -> None:
        self._fault(kind="server_error", status=503, count=15, method="POST", path="replies")
        self._fault(kind="unknown_error", count=10, method="POST", path="replies")
        self._fault(kind="http_429", count=5, retry_after_minutes=0.05, method="POST", path="replies")
        # The reply is posted, the answer never comes: the client times out (10 s) and must not post twice.
        self._fault(kind="response_lost", count=8, seconds=12, method="POST", path="replies")
        self._fault(kind="timeout", count=4, seconds=12, method="POST", path="replies")

    def _block(self, account_ids: list[str]) -> None:
        self.blocked_accounts = list(account_ids)
        for account_id in account_ids:
            self._fault(kind="policy_block", count=None, account_id=account_id)

    def _unblock_on_instagram(self) -> None:
        kept = [f for f in self.http.get("/sandbox/api/faults").json() if f["kind"] != "policy_block"]
        self.http.delete("/sandbox/api/faults")
        for fault in kept:
            self._fault(**{key: value for key, value in fault.items() if key != "id"})
        # The service gets OPERATOR_WAIT seconds to resume the accounts by itself; then a person does.
        threading.Timer(OPERATOR_WAIT, self._operator_unblock).start()

    def _operator_unblock(self) -> None:
        blocked = [account.id for account in self.repository.all() if account.blocked]
        if not blocked:
            if self.blocked_accounts:
                self.resumed_by = "by themselves (the service resumed the accounts)"
            return
        for account_id in blocked:
            self.repository.unblock(account_id, now=datetime.now(UTC))
        self.resumed_by = (
            f"an operator's unblock of {len(blocked)} account(s) {OPERATOR_WAIT:.0f} s after the lift"
        )
        say(f"unblocked {len(blocked)} account(s) as an operator would")

    # --- the end ----------------------------------------------------------------------------------
    def _rows(self) -> dict[str, dict[str, Any]]:
        from sqlalchemy import text

        for _ in range(30):
            try:
                with self.engine.connect() as connection:
                    rows = connection.execute(
                        text(
                            "select comment_id, account_id, state, reason_code, reason, attempts,"
                            " source, reply_id from comments"
                        )
                    ).mappings()
                    return {row["comment_id"]: dict(row) for row in rows}
            except Exception:
                time.sleep(1)
        raise RuntimeError("the database did not answer")

    def _drain(self) -> None:
        deadline = time.monotonic() + self.drain_timeout
        while True:
            rows = self._rows()
            waiting = [cid for cid in self.posted if cid not in rows or rows[cid]["state"] in WAITING]
            if not waiting:
                break
            if time.monotonic() > deadline:
                say(f"drain timed out with {len(waiting)} comments waiting")
                break
            time.sleep(1)

    def _report(self, first_post: float) -> int:
        from marksix.store.service_tables import FINAL_STATES

        rows = self._rows()
        comments = self.http.get("/sandbox/api/comments").json()
        created = {comment["id"]: comment["created_at"] for comment in comments}
        replies: Counter[str] = Counter()
        first_reply: dict[str, float] = {}
        for reply in self.http.get("/sandbox/api/replies").json():
            replies[reply["comment_id"]] += 1
            at = created.get(reply["reply_id"])
            if at is not None:
                first_reply[reply["comment_id"]] = min(at, first_reply.get(reply["comment_id"], at))
        lost, duplicates, stuck, reasons = [], [], [], Counter()
        latencies: list[float] = []
        unblocked_latencies: list[float] = []
        for comment_id in self.posted:
            row = rows.get(comment_id)
            count = replies[comment_id]
            if count > 1:
                duplicates.append(comment_id)
            if row is None:
                lost.append(comment_id)
            elif row["state"] in WAITING:
                stuck.append(comment_id)
            elif row["state"] == "replied":
                if count == 0:
                    lost.append(comment_id)
                else:
                    latency = first_reply[comment_id] - created[comment_id]
                    latencies.append(latency)
                    if self.posted[comment_id].account_id not in self.blocked_accounts:
                        unblocked_latencies.append(latency)
            elif row["state"] in FINAL_STATES:
                if count:
                    duplicates.append(comment_id)  # a reply the service does not know it sent
                elif not row["reason"]:
                    lost.append(comment_id)  # no reply and no reason
                else:
                    reasons[f"{row['state']}: {row['reason_code']}"] += 1
        latencies.sort()
        unblocked_latencies.sort()
        last = max(first_reply.values(), default=time.time())
        seconds = max(1e-9, last - min((p.at for p in self.posted.values()), default=last))
        throughput = len(latencies) / seconds
        retries = sum(int(row["attempts"] or 0) for cid, row in rows.items() if cid in self.posted)
        found_again = sum(
            1 for cid, row in rows.items() if cid in self.posted and row["source"] == "reconcile"
        )
        redeliveries = sum(n for status, n in self.balancer.statuses.items() if status != 200)
        blocked_waits = sum(1 for cid in self.posted if self.posted[cid].account_id in self.blocked_accounts)

        def pct(q: float, values: list[float] = latencies) -> float:
            return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")

        say("chaos done: " + "; ".join(self.events))
        say(f"replied {len(latencies)}, recorded reasons {dict(sorted(reasons.items()))}")
        say(
            f"retries: {retries} reply attempts retried, {redeliveries} webhook deliveries refused "
            f"and redelivered (balancer answers {dict(sorted(self.balancer.statuses.items()))}), "
            f"{found_again} comments found by the reconciler"
        )
        say(
            f"policy block: {len(self.blocked_accounts)} accounts, {blocked_waits} of their comments; "
            f"resumed {self.resumed_by}; comment-to-reply without the two accounts: "
            f"p50 {pct(0.5, unblocked_latencies):.2f}s p99 {pct(0.99, unblocked_latencies):.2f}s"
        )
        say(f"process kills: {', '.join(f'{n} {p.kills}' for n, p in self.procs.items() if p.kills)}")
        for name, items in (("lost", lost), ("duplicate", duplicates), ("stuck", stuck)):
            if items:
                sample = [
                    (cid, rows.get(cid, {}).get("state"), rows.get(cid, {}).get("reason"))
                    for cid in items[:5]
                ]
                say(f"{name}: {len(items)}, e.g. {sample}")
        print(
            f"soak: {len(self.posted)} comments over {self.accounts} accounts, {throughput:.0f}/s, "
            f"p50 {pct(0.5):.2f}s p99 {pct(0.99):.2f}s, lost {len(lost)}, duplicates {len(duplicates)}, "
            f"stuck {len(stuck)}",
            flush=True,
        )
        return 1 if lost or duplicates or stuck or len(self.posted) < self.comments else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3,000 comments, 2-3 minutes (what CI runs)")
    parser.add_argument("--comments", type=int, help="comments to post (default 20,000; 3,000 with --quick)")
    parser.add_argument("--accounts", type=int, default=50, help="Instagram accounts (default 50)")
    parser.add_argument("--rate", type=float, help="comments posted per second (default 20; 30 with --quick)")
    parser.add_argument(
        "--drain-timeout", type=float, default=None, help="seconds to wait for the last replies"
    )
    parser.add_argument(
        "--seed", type=int, default=13, help="for a repeatable mix of accounts, texts and faults"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, state) and print it")
    options = parser.parse_args()
    comments = options.comments or (3000 if options.quick else 20_000)
    rate = options.rate or (30.0 if options.quick else 20.0)
    if comments < 10 or options.accounts < 3 or rate <= 0:
        parser.error("use at least 10 comments, 3 accounts and a positive rate")
    drain = options.drain_timeout or (180.0 if options.quick else 600.0)
    work = Path(tempfile.mkdtemp(prefix="marksix-soak-"))
    work.chmod(0o711)  # the postgres user enters it to reach its data folder
    say(f"soak: {comments} comments over {options.accounts} accounts at {rate:g}/s; work folder {work}")
    try:
        return Soak(comments, options.accounts, rate, work, drain, options.seed).run()
    except (RuntimeError, OSError, subprocess.CalledProcessError, httpx.HTTPError) as problem:
        print(f"soak: could not run: {type(problem).__name__}: {problem} (logs in {work})", flush=True)
        options.keep = True
        return 2
    finally:
        if options.keep:
            say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
