"""Wall time of the fast commands against `python -c "import numpy"`, on an
empty data folder and on a used one.

Target: `marksix pick` and `marksix odds` each take at most 1.5x the
baseline, in both folders. The used folder is what a real user has: a
database at the current schema, made by `marksix draws import` of a quarter
of HKJC results (draws after the bundled ones, with their prize figures).
Every command runs RUNS times, interleaved so that machine load hits all of
them alike; the figures are medians, and the ratio is taken within this run.

    .venv/bin/python bench/bench_cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_timing import child_environment, marksix_command, wall_time

TARGET_RATIO = 1.5
FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "hkjc" / "marksixResult_20260811_20260930.json"
BASELINE = "python -c 'import numpy'"


def used_folder(marksix: list[str], home: Path) -> None:
    """A data folder after `marksix draws import`: a migrated database with draws."""
    environment = {**child_environment(), "MARKSIX_HOME": str(home)}
    subprocess.run(
        [*marksix, "draws", "import", str(FIXTURE)], check=True, env=environment, capture_output=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    marksix = marksix_command()
    commands = {
        "marksix odds": [*marksix, "odds"],
        "marksix pick": [*marksix, "pick"],
        "marksix pick --strategy hot --lines 5": [*marksix, "pick", "--strategy", "hot", "--lines", "5"],
        "marksix pick --strategy overdue --json": [*marksix, "pick", "--strategy", "overdue", "--json"],
    }
    with tempfile.TemporaryDirectory(prefix="marksix-bench-") as scratch:
        empty, used = Path(scratch) / "empty", Path(scratch) / "used"
        empty.mkdir()
        used_folder(marksix, used)
        base = child_environment()
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            BASELINE: ([sys.executable, "-c", "import numpy"], base)
        }
        for folder_name, folder in (("empty", empty), ("used", used)):
            environment = {**base, "MARKSIX_HOME": str(folder)}
            for name, command in commands.items():
                runs[f"{name} [{folder_name}]"] = (command, environment)
        for command, environment in runs.values():  # warm the file cache and the bytecode once
            wall_time(command, environment)
        samples: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(args.runs):
            for name, (command, environment) in runs.items():
                samples[name].append(wall_time(command, environment))
    baseline = statistics.median(samples[BASELINE])
    print(f"median wall time over {args.runs} interleaved runs (python {sys.version.split()[0]})")
    worst = 0.0
    for name, times in samples.items():
        median = statistics.median(times)
        ratio = median / baseline
        if name != BASELINE:
            worst = max(worst, ratio)
        print(f"  {name:<50} {median * 1000:7.1f} ms   {ratio:4.2f}x baseline")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}x: {verdict} the {TARGET_RATIO}x target")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
