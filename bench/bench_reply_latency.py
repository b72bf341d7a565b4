"""Comment-to-reply latency through the sandbox at a steady comment rate.

The server is `marksix serve --sandbox` as a child process (uvicorn, and 8
reply worker threads in a process of their own, as `serve` runs them;
SQLite under a temporary MARKSIX_HOME), with the simulated
Graph API answering after 20 ms. This process posts comments to the
sandbox API at a fixed rate (open loop: comment i is due at i/RATE seconds,
whatever happened before) for a bounded time, waits for the replies, and
reads the simulator's own clock: latency = the reply's creation time minus
the comment's, so it covers the signed webhook, the acknowledgement, the
queue, the worker, the reply text and the Graph call.
Target: p99 under 1 s at 50 comments a second. It also prints how long the
server took to say ready on /healthz (the workers warm up first) and the
latency of the first reply after that (the sandbox promises a second).

    .venv/bin/python bench/bench_reply_latency.py [--rate 50] [--seconds 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from bench_webhook import percentile, running_server

TARGET_P99_SECONDS = 1.0
TEXTS = ("俾組號碼我", "give me numbers for the next draw", "下期買咩好", "lucky numbers please", "求一組")


def post_at_rate(url: str, rate: float, seconds: float) -> tuple[list[str], float]:
    """Post rate*seconds comments on schedule; the ids and the rate actually achieved."""
    total = round(rate * seconds)
    comment_ids: list[str] = []
    with httpx.Client(base_url=url, timeout=10) as client:
        started = time.perf_counter()
        for number in range(total):
            due = started + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            response = client.post(
                "/sandbox/api/comments",
                json={"username": f"fan{number}", "text": TEXTS[number % len(TEXTS)]},
            )
            response.raise_for_status()
            comment_ids.append(response.json()["id"])
        elapsed = time.perf_counter() - started
    return comment_ids, total / elapsed


def wait_for_replies(url: str, comment_ids: list[str], timeout: float) -> dict[str, Any]:
    wanted = set(comment_ids)
    deadline = time.monotonic() + timeout
    while True:
        state: dict[str, Any] = httpx.get(url + "/sandbox/api/state", timeout=30).json()
        answered = {reply["comment_id"] for reply in state["replies"]}
        if wanted <= answered or time.monotonic() > deadline:
            return state
        time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="Comments per second.")
    parser.add_argument("--seconds", type=float, default=20.0, help="How long to keep posting.")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="Simulated Graph API latency.")
    parser.add_argument(
        "--workers", type=int, default=8, help="Reply worker threads (`marksix serve`'s default)."
    )
    args = parser.parse_args()

    started = time.perf_counter()
    with running_server(workers=args.workers, latency_ms=args.latency_ms) as url:
        ready = time.perf_counter() - started
        # The first comment after /healthz said ready: the workers warmed up before that.
        first, _ = post_at_rate(url, 1.0, 1.0)
        first_state = wait_for_replies(url, first, 30)
        comment_ids, achieved = post_at_rate(url, args.rate, args.seconds)
        state = wait_for_replies(url, comment_ids, 60)
        health = httpx.get(url + "/healthz", timeout=30).json()

    created = {comment["id"]: comment["created_at"] for comment in state["comments"]}
    first_created = {comment["id"]: comment["created_at"] for comment in first_state["comments"]}
    first_reply = next((reply for reply in first_state["replies"] if reply["comment_id"] == first[0]), None)
    if first_reply is not None:
        seconds = first_created[first_reply["reply_id"]] - first_created[first[0]]
        print(f"start to /healthz ready {ready:.2f} s; first reply after ready {seconds * 1000:.0f} ms")
    replies = [reply for reply in state["replies"] if reply["comment_id"] in set(comment_ids)]
    counts = Counter(reply["comment_id"] for reply in replies)
    latencies = [created[reply["reply_id"]] - created[reply["comment_id"]] for reply in replies]
    lost = sum(1 for comment_id in comment_ids if counts[comment_id] == 0)
    duplicates = sum(count - 1 for count in counts.values() if count > 1)
    print(
        f"comment-to-reply latency: {len(comment_ids)} comments at {achieved:.1f}/s "
        f"for {args.seconds:.0f} s, Graph API latency {args.latency_ms:.0f} ms, {args.workers} worker threads"
    )
    if not latencies:
        print("no replies arrived")
        return 1
    p50, p99 = statistics.median(latencies), percentile(latencies, 99)
    print(f"  p50 {p50 * 1000:7.1f} ms   p90 {percentile(latencies, 90) * 1000:7.1f} ms   ", end="")
    print(f"p99 {p99 * 1000:7.1f} ms   max {max(latencies) * 1000:7.1f} ms")
    print(
        f"  replies {len(replies)}, lost {lost}, duplicates {duplicates}; states {health['queue']['states']}"
    )
    verdict = "PASS" if p99 < TARGET_P99_SECONDS and not lost and not duplicates else "MISS"
    print(f"{verdict}: p99 {p99:.3f} s at {achieved:.0f} comments/s (target < {TARGET_P99_SECONDS:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
