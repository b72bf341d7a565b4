"""`marksix reply` with bytes that are not UTF-8, on the command line or standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

COMMAND = [sys.executable, "-c", "from marksix.cli import main; main()", "reply"]


def run(tmp_path: Path, *args: str | bytes, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "MARKSIX_HOME": str(tmp_path / "home"), "LC_ALL": "C.UTF-8"}
    return subprocess.run(
        [*COMMAND, *args], input=stdin, capture_output=True, env=env, timeout=120, check=False
    )


@pytest.mark.parametrize("raw", [b"abc\xff\xfe", b"\xed\xa0\x80", b"\x80"])
def test_undecodable_argv_bytes_get_one_clear_line(tmp_path: Path, raw: bytes) -> None:
    done = run(tmp_path, raw)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("Error: TEXT is not UTF-8 text: byte 0x") and "standard input" in line


def test_undecodable_stdin_gets_one_clear_line_and_utf8_stdin_is_answered(tmp_path: Path) -> None:
    bad = run(tmp_path, "-", stdin=b"\xe4\xb8\x8b\xff")
    assert bad.returncode == 1 and b"Traceback" not in bad.stderr
    assert bad.stderr.decode().strip() == (
        "Error: standard input is not UTF-8 text: byte 0xff at offset 3 cannot be read; "
        "save the comment as UTF-8"
    )
    good = run(tmp_path, "-", "--json", stdin="俾組號碼我".encode())
    assert good.returncode == 0, good.stderr
    assert b'"intent": "pick"' in good.stdout or b'"intent":"pick"' in good.stdout
