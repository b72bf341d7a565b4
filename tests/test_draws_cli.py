"""`marksix draws ...` end to end, through the real entry point."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli_runner import run
from hkjc_fake import FakeHkjc
from marksix.cli import cli
from marksix.cli.draws import draws as draws_group

NEW_ROWS = "26/093,2026-08-25,1,18,19,25,34,38,7\n26/094,2026-08-27,12,17,25,31,44,45,35\n"


def test_every_draws_command_has_help_with_examples() -> None:
    runner = CliRunner()
    for name in ["", *draws_group.commands]:
        result = runner.invoke(cli, ["draws", *([name] if name else []), "--help"])
        assert result.exit_code == 0, result.output
        assert "Examples:" in result.output, name


def test_latest_prints_a_table_and_json(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "draws", "latest")
    assert code == 0
    assert out.splitlines()[0].split() == ["Draw", "Date", "Numbers", "Extra"]
    assert out.splitlines()[2].split() == ["26/092", "2026-08-22", "7", "9", "12", "25", "34", "40", "29"]
    code, out, _ = run(capsys, "draws", "latest", "--json")
    assert json.loads(out) == {
        "draw_id": "26/092",
        "date": "2026-08-22",
        "numbers": [7, 9, 12, 25, 34, 40],
        "extra": 29,
    }


def test_list_prints_the_last_n_draws_oldest_first(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "draws", "list", "--last", "3")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["26/090", "26/091", "26/092"]
    code, out, _ = run(capsys, "draws", "list", "--last", "2", "--json")
    assert [draw["draw_id"] for draw in json.loads(out)] == ["26/091", "26/092"]
    assert set(json.loads(out)[0]) == {"draw_id", "date", "numbers", "extra"}


def test_show_prints_the_draw_and_its_prizes(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "draws", "show", "12/110")
    assert code == 0
    assert "12/110  2012-09-22   2 13 33 35 38 49     40" in out
    assert "1st          49,591,870            2.5" in out
    code, out, _ = run(capsys, "draws", "show", "12/110", "--json")
    assert json.loads(out)["numbers"] == [2, 13, 33, 35, 38, 49]


def test_show_an_unknown_draw_fails_clearly(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "draws", "show", "99/999")
    assert code == 1
    assert out == ""
    assert err.strip() == "Error: no draw '99/999' in the history (ids look like 24/001)"


def test_import_then_reimport(marksix_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "new.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + NEW_ROWS, encoding="utf-8")
    code, out, _ = run(capsys, "draws", "import", str(source))
    assert code == 0
    assert out.splitlines()[0] == f"{source}: 2 new, 0 already known"
    code, out, _ = run(capsys, "draws", "import", str(source))
    assert out.strip() == f"{source}: 0 new, 2 already known"
    code, out, _ = run(capsys, "draws", "latest", "--json")
    assert json.loads(out)["draw_id"] == "26/094"
    code, out, _ = run(capsys, "draws", "import", str(source), "--json")
    assert json.loads(out) == {
        "source": str(source),
        "new": [],
        "new_count": 0,
        "known_count": 2,
        "prizes_updated": 0,
        "next_draw": None,
    }


def test_import_a_bad_file_lists_every_bad_row_and_exits_nonzero(
    marksix_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(
        "draw_id,date,n1,n2,n3,n4,n5,n6,extra\n"
        "26/093,2026-08-25,1,18,19,25,34,38,7\n"
        "26/094,2026-08-27,12,17,25,31,44,44,35\n"
        "26/095,2026-13-29,4,7,8,11,26,30,30\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "draws", "import", str(source))
    assert code == 1
    assert out == ""
    assert err.splitlines() == [
        f"Error: {source}: 2 bad rows, nothing imported:",
        "  line 3: repeated numbers: 44",
        "  line 4: date '2026-13-29' is not a real YYYY-MM-DD date; extra number 30 is also a drawn number",
    ]
    assert not marksix_home.exists()


def test_a_100000_row_bad_import_lists_twenty_rows_and_counts_the_rest(
    marksix_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "huge-bad.csv"
    rows = (f"26/{n % 1000:03d},2026-08-25,1,2,3,4,5,5,7" for n in range(100_000))
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + "\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "draws", "import", str(source))
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == f"Error: {source}: 100,000 bad rows, nothing imported:"
    assert lines[1] == "  line 2: repeated numbers: 5"
    assert len(lines) == 22
    assert lines[-1] == "  ... and 99,980 more bad rows (the first 20 are shown)"
    assert not marksix_home.exists()


def test_import_a_conflicting_draw_shows_both_versions(
    marksix_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "conflict.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n12/110,2012-09-22,2,13,33,35,38,49,41\n")
    code, _, err = run(capsys, "draws", "import", str(source))
    assert code == 1
    assert err.splitlines() == [
        "Error: conflicting draw, nothing imported:",
        "  known:    12/110 2012-09-22   2 13 33 35 38 49  + 40  (bundled)",
        f"  incoming: 12/110 2012-09-22   2 13 33 35 38 49  + 41  ({source}, line 2)",
    ]


@pytest.fixture
def fake_hkjc_server() -> Iterator[tuple[str, FakeHkjc]]:
    """The recorded HKJC responses served over real HTTP on loopback."""
    fake = FakeHkjc()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            status, payload = fake.answer(body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/graphql/base/", fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_update_from_a_server(
    marksix_home: Path, fake_hkjc_server: tuple[str, FakeHkjc], capsys: pytest.CaptureFixture[str]
) -> None:
    url, fake = fake_hkjc_server
    code, out, err = run(capsys, "draws", "update", "--endpoint", url, "--since", "2026-08-11")
    assert code == 0, err
    assert err.startswith("[1/")
    assert out.splitlines()[0] == "HKJC: 4 new, 6 already known; prize figures for 10 draws"
    assert "26/096  2026-09-05   9 18 26 30 33 45     28" in out
    assert fake.requests[-1]["operationName"] == "marksixDraw"
    code, out, _ = run(capsys, "draws", "show", "26/092")
    assert ["2nd", "1,510,840", "1"] in [line.split() for line in out.splitlines()]
    code, out, _ = run(capsys, "draws", "update", "--endpoint", url, "--since", "2026-08-11", "--json")
    report = json.loads(out)
    assert (report["new_count"], report["known_count"], report["prizes_updated"]) == (0, 10, 0)


def test_update_offline_is_one_clear_line_and_writes_nothing(
    marksix_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}/graphql/base/"
    code, out, err = run(capsys, "draws", "update", "--endpoint", url)
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"Error: cannot reach HKJC at {url}: ")
    assert not marksix_home.exists()


def test_the_configured_database_url_is_the_archive(
    marksix_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("MARKSIX_DATABASE_URL", f"sqlite:///{database}")
    source = tmp_path / "new.csv"
    source.write_text("draw_id,date,n1,n2,n3,n4,n5,n6,extra\n" + NEW_ROWS, encoding="utf-8")
    code, out, _ = run(capsys, "draws", "import", str(source))
    assert (code, out.splitlines()[0]) == (0, f"{source}: 2 new, 0 already known")
    assert database.exists()
    assert not marksix_home.exists()
    code, out, _ = run(capsys, "draws", "latest", "--json")
    assert json.loads(out)["draw_id"] == "26/094"
