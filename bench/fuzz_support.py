"""The shared runner of the fuzz harnesses (`python bench/fuzz_*.py --runs N`).

atheris (coverage-guided, libFuzzer) drives `one_input(data: bytes)` for N
inputs. A harness lets only the errors its target promises through (our own
InputError / DataError tree); anything else is a crash: atheris prints the
input and the script exits non-zero. libFuzzer's -rss_limit_mb catches
unbounded memory. libFuzzer's last line, `Done N runs in S second(s)`, says a run finished clean.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def run(
    name: str, one_input: Callable[[bytes], None], *, default_runs: int = 20_000, max_len: int = 8192
) -> None:
    parser = argparse.ArgumentParser(description=f"Fuzz the {name} with atheris.")
    parser.add_argument("--runs", type=int, default=default_runs, help="inputs to try (1000000 by hand)")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer's seed, for a repeatable run")
    parser.add_argument("--max-len", type=int, default=max_len, help="longest input in bytes")
    options = parser.parse_args()

    import atheris

    arguments = [
        sys.argv[0],
        f"-runs={options.runs}",
        f"-seed={options.seed}",
        f"-max_len={options.max_len}",
        "-rss_limit_mb=2048",
        "-print_final_stats=1",
    ]
    # A crashing input is saved where the tests' artifacts go (ignored by git).
    Path("test-artifacts").mkdir(exist_ok=True)
    arguments.append("-artifact_prefix=test-artifacts/fuzz-")
    print(f"fuzz {name}: {options.runs:,} inputs, seed {options.seed}", flush=True)
    atheris.Setup(arguments, one_input)
    atheris.Fuzz()
