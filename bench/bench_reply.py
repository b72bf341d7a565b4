"""Understanding plus a template reply, per comment, without the LLM.

Runs every comment of the labelled files (corpus, development and held-out
sets) through `respond` for several rounds and prints the median time per
comment (and the per-round mean, p95), next to a baseline measured in the
same run: one bare `picks.pick` of six random numbers, the least any reply
has to do.

    .venv/bin/python bench/bench_reply.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
from pathlib import Path

from marksix.domain.calendar import next_scheduled_draw
from marksix.domain.picks import PickRequest, pick
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.draws.popularity_model import shipped_model
from marksix.language import Comment, ReplyContext, respond

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
LABELLED = ("comments.jsonl", "comments_dev.jsonl", "comments_holdout.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    history = bundled_history()
    context = ReplyContext(
        history=history,
        prizes=bundled_prizes(),
        popularity=shipped_model(),
        next_draw=next_scheduled_draw(dt.datetime(2026, 8, 23, tzinfo=dt.UTC)),
        secret="bench-secret",
    )
    records = [
        json.loads(line)
        for name in LABELLED
        for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    comments = [Comment(r["text"], r.get("username", "fan_123"), f"bench-{i}") for i, r in enumerate(records)]
    for comment in comments:  # warm-up: OpenCC dictionaries, numpy caches
        respond(comment, context)
    # times[i][r]: comment i in round r. Each comment's median over the rounds
    # filters out scheduler noise on a shared machine.
    times: list[list[float]] = [[] for _ in comments]
    for _ in range(rounds):
        for index, comment in enumerate(comments):
            start = time.perf_counter()
            respond(comment, context)
            times[index].append(time.perf_counter() - start)
    per_comment = [statistics.median(samples) for samples in times]
    # The unpopular strategy ranks all 14M combinations in the engine (about a
    # second); it is reported apart so the language layer's own cost is visible.
    engine_heavy = {
        index
        for index, comment in enumerate(comments)
        if respond(comment, context).request["strategy"] == "unpopular"
    }
    light = [cost for index, cost in enumerate(per_comment) if index not in engine_heavy]
    heavy = [per_comment[index] for index in sorted(engine_heavy)]
    baseline: list[float] = []
    rng = random.Random(1)
    for _ in range(rounds * 50):
        start = time.perf_counter()
        pick(PickRequest(), history, rng)
        baseline.append(time.perf_counter() - start)
    base = statistics.median(baseline)
    mean, median = statistics.fmean(light), statistics.median(light)
    print(f"labelled comments: {len(comments)} x {rounds} rounds (load average {os.getloadavg()[0]:.1f})")
    print(
        f"respond, template path, {len(light)} comments (each: median of rounds): "
        f"mean {mean * 1e3:.3f} ms, median {median * 1e3:.3f} ms, slowest {max(light) * 1e3:.3f} ms"
    )
    if heavy:
        print(f"  + {len(heavy)} 'unpopular' picks (engine ranks 14M combinations): ", end="")
        print(", ".join(f"{cost * 1e3:.0f} ms" for cost in heavy))
    print(
        f"baseline bare pick() of 6 random numbers: {base * 1e3:.3f} ms; respond/pick = {median / base:.1f}x"
    )
    print(f"budget 2 ms per comment on average: {'met' if mean < 0.002 else 'NOT met'}")


if __name__ == "__main__":
    main()
