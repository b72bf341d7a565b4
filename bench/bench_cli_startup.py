"""Wall time of the fast commands against `python -c "import numpy"`.

Target: `marksix pick` and `marksix odds` each take at most 2x the baseline.
Every command runs RUNS times, interleaved so that machine load hits all of
them alike; the figures are medians, and the ratio is taken within this run.

    .venv/bin/python bench/bench_cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys

from cli_timing import child_environment, marksix_command, wall_time

TARGET_RATIO = 2.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    marksix = marksix_command()
    commands = {
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
        "marksix odds": [*marksix, "odds"],
        "marksix pick": [*marksix, "pick"],
        "marksix pick --strategy hot --lines 5": [*marksix, "pick", "--strategy", "hot", "--lines", "5"],
        "marksix pick --strategy overdue --json": [*marksix, "pick", "--strategy", "overdue", "--json"],
    }
    environment = child_environment()
    for command in commands.values():  # warm the file cache and the bytecode once
        wall_time(command, environment)
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, command in commands.items():
            samples[name].append(wall_time(command, environment))
    baseline_name = next(iter(commands))
    baseline = statistics.median(samples[baseline_name])
    print(f"median wall time over {args.runs} interleaved runs (python {sys.version.split()[0]})")
    worst = 0.0
    for name, times in samples.items():
        median = statistics.median(times)
        ratio = median / baseline
        if name != baseline_name:
            worst = max(worst, ratio)
        print(f"  {name:<40} {median * 1000:7.1f} ms   {ratio:4.2f}x baseline")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {TARGET_RATIO:.0f}x target")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
