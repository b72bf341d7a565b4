"""What the user's draw database costs the read path, and how fast import is.

1. Cold start: a fresh process that calls load_history + load_prizes, with no
   database (bundled data only; SQLAlchemy is never imported) and with a
   database of 4 extra draws and 10 prize records. Runs are interleaved and
   the figures are medians; the ratio is taken within this run.
2. Warm: the same two calls in one process, after the first.
3. Import: re-importing the whole bundled history (3,369 rows, CSV and JSON),
   which validates every row and writes nothing.

    .venv/bin/python bench/bench_archive.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

COLD = (
    "import pathlib, sys\n"
    "from marksix.draws.archive import load_history, load_prizes\n"
    "home = pathlib.Path(sys.argv[1]); load_history(home); load_prizes(home)\n"
)
FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "hkjc" / "marksixResult_20260811_20260930.json"


def cold_runs(homes: dict[str, Path], runs: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in homes}
    for _ in range(runs):
        for name, home in homes.items():
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", COLD, str(home)], check=True)
            times[name].append(time.perf_counter() - start)
    return times


def warm_median(home: Path, runs: int) -> float:
    from marksix.draws.archive import load_history, load_prizes

    load_history(home)
    load_prizes(home)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        load_history(home)
        load_prizes(home)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs

    from marksix.draws.archive import import_file
    from marksix.draws.bundled import bundled_history

    with tempfile.TemporaryDirectory() as folder:
        empty, filled = Path(folder) / "empty", Path(folder) / "filled"
        import_file(FIXTURE, filled)
        cold = cold_runs({"no database": empty, "with database": filled}, runs)
        base, with_db = (statistics.median(cold[name]) for name in ("no database", "with database"))
        print(f"cold load_history+load_prizes, median of {runs}:")
        print(f"  no database   {base * 1000:7.0f} ms")
        print(f"  with database {with_db * 1000:7.0f} ms  ({with_db / base:.2f}x)")
        warm = warm_median(filled, runs)
        print(f"warm load_history+load_prizes with database, median of {runs}: {warm * 1000:.1f} ms")

        bundled_csv = Path(str(resources.files("marksix.data").joinpath("draws.csv")))
        as_json = Path(folder) / "all.json"
        as_json.write_text(json.dumps([draw.to_json() for draw in bundled_history()], indent=2))
        for source in (bundled_csv, as_json):
            start = time.perf_counter()
            change = import_file(source, empty)
            elapsed = time.perf_counter() - start
            kind = source.suffix[1:].upper()
            print(f"re-import {kind} of {change.known} known draws: {elapsed * 1000:.0f} ms")


if __name__ == "__main__":
    main()
