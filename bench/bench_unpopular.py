"""Benchmark: the `unpopular` strategy's full pass over all 13,983,816 combinations.

Each run is a fresh process, so the first pass is cold (nothing cached):
it scores every combination, filters the request's constraints and draws.
Printed figures are medians over the runs:

  first pick     score_all + pick_unpopular in a fresh process (target < 3 s)
  peak RSS       resource.getrusage(RUSAGE_SELF).ru_maxrss of that process (target < 1 GiB)
  baseline       filling a 14M float32 array from numpy's generator, same process,
                 a memory-bandwidth yardstick for the ratio
  cached pick    a repeated pick in a warm process (scores cached)
  whole command  `marksix pick --strategy unpopular --seed 1` wall time, start-up included

Run: .venv/bin/python bench/bench_unpopular.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, random, resource, time
import numpy as np
started = time.perf_counter()
from marksix.draws.bundled import bundled_history
from marksix.domain.picks import PickRequest
from marksix.domain.unpopular import pick_unpopular
history = bundled_history()
ready = time.perf_counter()
t0 = time.perf_counter()
pick_unpopular(PickRequest("unpopular", lines=5), history, random.Random("bench"))
first = time.perf_counter() - t0
t0 = time.perf_counter()
pick_unpopular(PickRequest("unpopular", include=(8,), exclude=(4,), lines=5), history, random.Random("c"))
constrained = time.perf_counter() - t0
cached = []
for i in range(10):
    t0 = time.perf_counter()
    pick_unpopular(PickRequest("unpopular", lines=1), history, random.Random(i))
    cached.append(time.perf_counter() - t0)
t0 = time.perf_counter()
np.random.default_rng(0).random(13_983_816, dtype=np.float32)
baseline = time.perf_counter() - t0
print(json.dumps({
    "first": first, "constrained": constrained, "cached": sorted(cached)[len(cached) // 2],
    "baseline": baseline, "imports": ready - started,
    "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    python = sys.executable
    results = []
    for _ in range(runs):
        output = subprocess.run([python, "-c", CHILD], check=True, capture_output=True, text=True).stdout
        results.append(json.loads(output))
    marksix = Path(python).with_name("marksix")
    commands = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [str(marksix), "pick", "--strategy", "unpopular", "--seed", "1"], check=True, capture_output=True
        )
        commands.append(time.perf_counter() - started)

    def median(key: str) -> float:
        return statistics.median(result[key] for result in results)

    first, baseline = median("first"), median("baseline")
    print(f"runs: {runs} fresh processes (medians)")
    print(f"first pick, all 13,983,816 combinations: {first:.3f} s  (target < 3 s)")
    print(f"  with --include 8 --exclude 4:          {median('constrained'):.3f} s (scores cached)")
    print(f"  baseline (fill 14M float32 randoms):   {baseline:.3f} s  -> ratio {first / baseline:.1f}x")
    print(f"cached pick (warm process):              {median('cached') * 1000:.1f} ms")
    print(f"peak RSS of the process:                 {median('peak_rss_mib'):.0f} MiB  (target < 1024 MiB)")
    print(f"whole command `marksix pick --strategy unpopular --seed 1`: {statistics.median(commands):.3f} s")


if __name__ == "__main__":
    main()
