"""The reply context every bot reply builds (history, prizes, next draw), on a used data folder.

`LanguageReplies` holds one DrawArchive for its life: each reply costs one
fingerprint query on the archive's held SQLite connection, and the tables
are read again only when draws or prize figures are stored. Measured in the
same run against what it replaced the need for: opening an archive for
every reply (connect, read, close). No time-based cache is involved, so
new results are seen by the very next reply.

    .venv/bin/python bench/bench_reply_context.py [--rounds 7] [--calls 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cli_timing import child_environment, marksix_command
from marksix.config import load_settings
from marksix.draws.archive import DrawArchive
from marksix.store.accounts import Account
from marksix.worker.runtime import LanguageReplies

FIXTURE = Path(__file__).parents[1] / "tests" / "fixtures" / "hkjc" / "marksixResult_20260811_20260930.json"


def per_call(function: Callable[[], object], calls: int, rounds: int) -> float:
    function()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(calls):
            function()
        samples.append((time.perf_counter() - started) / calls)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="marksix-bench-") as scratch:
        home = Path(scratch)
        subprocess.run(
            [*marksix_command(), "draws", "import", str(FIXTURE)],
            check=True,
            capture_output=True,
            env={**child_environment(), "MARKSIX_HOME": str(home)},
        )
        settings = load_settings(home=home)
        account = Account(id="17841400000000001", username="bench", status="active")
        replies = LanguageReplies(settings)
        try:
            held = per_call(lambda: replies.context(account), args.calls, args.rounds)
        finally:
            replies.close()
        clock = replies.clock

        def opened_per_reply() -> object:
            with DrawArchive(settings.locator) as archive:
                return archive.reading(clock())

        fresh = per_call(opened_per_reply, max(args.calls // 10, 1), args.rounds)
    print(f"reply context on a used folder, median of {args.rounds} rounds (load {os.getloadavg()[0]:.1f})")
    print(f"  held archive (LanguageReplies.context)   {held * 1e6:8.1f} us")
    print(f"  archive opened per reply                 {fresh * 1e6:8.1f} us   ({fresh / held:.0f}x)")


if __name__ == "__main__":
    sys.exit(main())
