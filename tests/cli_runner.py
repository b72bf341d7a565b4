"""Run `marksix` in process exactly as the console script does."""

from __future__ import annotations

import pytest

from marksix.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `marksix ARGS`; return (exit code, stdout, stderr)."""
    code = 0
    try:
        main(list(args))
    except SystemExit as stop:
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
