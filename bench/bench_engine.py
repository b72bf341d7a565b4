"""Wall time of `marksix stats` and `marksix backtest --strategy all`, and the
in-process cost of the engine's parts, over the whole bundled history.

Target: each command under 2 s of wall time. Figures are medians.

    .venv/bin/python bench/bench_engine.py [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable

from cli_timing import child_environment, marksix_command, wall_time

TARGET_SECONDS = 2.0


def median_seconds(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    marksix = marksix_command()
    environment = child_environment()
    commands = {
        "marksix stats": [*marksix, "stats"],
        "marksix stats --json": [*marksix, "stats", "--json"],
        "marksix backtest --strategy all": [*marksix, "backtest", "--strategy", "all"],
        "marksix demo": [*marksix, "demo"],
    }
    for command in commands.values():
        wall_time(command, environment)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(wall_time(command, environment))
    print(f"median wall time over {args.runs} interleaved runs")
    worst = 0.0
    for name, times in samples.items():
        median = statistics.median(times)
        if name != "marksix demo":
            worst = max(worst, median)
        print(f"  {name:<36} {median:6.3f} s")
    verdict = "within" if worst < TARGET_SECONDS else "OVER"
    print(f"slowest stats/backtest {worst:.3f} s: {verdict} the {TARGET_SECONDS:.0f} s target")

    from marksix.domain.backtest import BACKTEST_STRATEGIES, run_backtest, walk_forward_picks
    from marksix.domain.draws import DrawHistory
    from marksix.domain.picks import PickRequest, pick
    from marksix.domain.statistics import compute_statistics
    from marksix.draws.bundled import _draws_from_csv, _read, bundled_history

    history = bundled_history()
    compute_statistics(history)  # import scipy.special once, outside the timings
    text = _read("draws.csv")
    runs = max(args.runs, 15)
    print(f"\nin process, median of {runs} ({len(history):,} draws)")
    parts: dict[str, Callable[[], object]] = {
        "parse draws.csv into a DrawHistory": lambda: DrawHistory(_draws_from_csv(text)).hits,
        "compute_statistics(whole history)": lambda: compute_statistics(DrawHistory(history.draws)),
        "run_backtest(all strategies)": lambda: run_backtest(DrawHistory(history.draws)),
    }
    for strategy in BACKTEST_STRATEGIES:
        parts[f"walk_forward_picks({strategy})"] = lambda s=strategy: walk_forward_picks(history, s)
    for strategy in BACKTEST_STRATEGIES:
        request = PickRequest(strategy=strategy, lines=5)
        parts[f"pick({strategy}, 5 lines)"] = lambda r=request: pick(r, history, random.Random(1))
    for name, action in parts.items():
        print(f"  {name:<40} {median_seconds(action, runs) * 1000:8.2f} ms")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
