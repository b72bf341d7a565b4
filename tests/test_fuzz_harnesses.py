"""The fuzz harnesses in bench/ run clean for a small count (by hand: --runs 1000000 each)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("harness", ["fuzz_webhook", "fuzz_comment", "fuzz_draw_file"])
def test_the_fuzz_harness_runs_clean(harness: str, tmp_path: Path) -> None:
    runs = 2000
    finished = subprocess.run(
        [sys.executable, str(ROOT / "bench" / f"{harness}.py"), "--runs", str(runs), "--seed", "7"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output[-3000:]
    assert f"Done {runs} runs" in output
    assert not list((tmp_path / "test-artifacts").glob("fuzz-*"))
