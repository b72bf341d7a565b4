"""Timing the installed `marksix` command as a user runs it (shared by the bench scripts)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path


def marksix_command() -> list[str]:
    script = Path(sys.executable).with_name("marksix")
    if script.exists():
        return [sys.executable, str(script)]
    return [sys.executable, "-c", "import sys; from marksix.cli import main; sys.exit(main())"]


def child_environment() -> dict[str, str]:
    # An installed package has its bytecode compiled (pip does it), so the
    # children may write __pycache__ even where the shell forbids it;
    # otherwise every run would time compiling the sources too.
    environment = dict(os.environ)
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def wall_time(command: list[str], environment: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)
    return time.perf_counter() - started
