"""The draw archive: import, update and reading back, as a storage contract
that runs on SQLite and on PostgreSQL (store_url from tests/store_fixtures.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from hkjc_fake import FakeHkjc, load_fixture
from marksix.domain.calendar import HONG_KONG
from marksix.domain.draws import make_draw
from marksix.domain.prizes import DrawPrizes
from marksix.draws import archive
from marksix.draws.bundled import bundled_history, bundled_prizes
from marksix.draws.hkjc import HkjcClient
from marksix.errors import DrawConflict, ImportRejected, NetworkError, RetryableApiError, StoreError
from marksix.store.draw_archive import DrawRepository
from marksix.store.draw_tables import draw_prizes, draws
from marksix.store.engine import make_engine

HEADER = "draw_id,date,n1,n2,n3,n4,n5,n6,extra\n"
#: Real draws after the bundled data (see tests/fixtures/hkjc/README.md).
NEW_ROWS = [
    "26/093,2026-08-25,1,18,19,25,34,38,7",
    "26/094,2026-08-27,12,17,25,31,44,45,35",
    "26/095,2026-08-29,4,7,8,11,26,30,42",
    "26/096,2026-09-05,9,18,26,30,33,45,28",
]
KNOWN_ROWS = ["12/110,2012-09-22,2,13,33,35,38,49,40", "26/092,2026-08-22,7,9,12,25,34,40,29"]
NOW = dt.datetime(2026, 9, 6, 10, 0, tzinfo=HONG_KONG)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def csv_file(tmp_path: Path, rows: list[str], name: str = "draws.csv") -> Path:
    return write(tmp_path / name, HEADER + "\n".join(rows) + "\n")


def stored_counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        if not DrawRepository(engine).exists():
            return 0, 0
        with engine.connect() as connection:
            draw_count = connection.execute(select(func.count()).select_from(draws)).scalar_one()
            prize_count = connection.execute(select(func.count()).select_from(draw_prizes)).scalar_one()
        return draw_count, prize_count
    finally:
        engine.dispose()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


# -- reading without a database ----------------------------------------------


def test_without_a_database_the_history_is_the_bundled_one(home: Path) -> None:
    assert archive.load_history(home) is bundled_history()
    assert archive.load_prizes(home) is bundled_prizes()
    assert archive.next_draw(home, NOW).announced is False
    assert not home.exists()


def test_reading_a_configured_sqlite_file_that_does_not_exist_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'not-yet' / 'draws.sqlite3'}"
    assert archive.load_history(tmp_path, url) is bundled_history()
    assert archive.next_draw(tmp_path, NOW, url).announced is False
    assert not (tmp_path / "not-yet").exists()


def test_reading_without_a_database_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    code = (
        "import sys, pathlib\n"
        "from marksix.draws.archive import load_history, load_prizes, next_draw\n"
        "import datetime as dt\n"
        "home = pathlib.Path(sys.argv[1])\n"
        "load_history(home); load_prizes(home); next_draw(home, dt.datetime.now(dt.UTC))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'alembic', 'httpx')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "empty-home")],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "error"},
    )
    assert result.stdout.strip() == "[]"


# -- import (contract: SQLite and PostgreSQL) --------------------------------


def test_import_adds_new_draws_on_top_of_the_bundled_ones(tmp_path: Path, home: Path, store_url: str) -> None:
    change = archive.import_file(csv_file(tmp_path, KNOWN_ROWS + NEW_ROWS), home, store_url)
    assert [draw.draw_id for draw in change.new_draws] == ["26/093", "26/094", "26/095", "26/096"]
    assert change.known == 2
    assert change.summary() == "4 new, 2 already known"
    history = archive.load_history(home, store_url)
    assert len(history) == len(bundled_history()) + 4
    assert history.latest == make_draw("26/096", "2026-09-05", [9, 18, 26, 30, 33, 45], 28)
    assert history.get("12/110") == bundled_history().get("12/110")
    assert stored_counts(store_url) == (4, 0)


def test_reimporting_known_draws_changes_nothing(tmp_path: Path, home: Path, store_url: str) -> None:
    source = csv_file(tmp_path, NEW_ROWS)
    archive.import_file(source, home, store_url)
    again = archive.import_file(source, home, store_url)
    assert again.summary() == "0 new, 4 already known"
    assert again.new_draws == []
    assert stored_counts(store_url) == (4, 0)


def test_a_file_with_bad_rows_imports_nothing_and_names_each_row(
    tmp_path: Path, home: Path, store_url: str
) -> None:
    rows = [
        NEW_ROWS[0],
        "26/094,2026-08-27,12,17,25,31,44,44,35",  # line 3: repeated number
        NEW_ROWS[2],
        "26/096,2026-02-30,9,18,26,30,33,50,9",  # line 5: no such date, 50, extra repeated
        "2026/97,2026-09-08,9,23,28,29,35,41,38",  # line 6: bad id
        "26/098,2026-09-10,1,2,3,4,5",  # line 7: too few fields
    ]
    with pytest.raises(ImportRejected) as caught:
        archive.import_file(csv_file(tmp_path, rows), home, store_url)
    problems = caught.value.problems
    assert sorted({problem.line for problem in problems}) == [3, 5, 6, 7]
    message = str(caught.value)
    assert "nothing imported" in message
    assert "line 3: repeated numbers: 44" in message
    assert "4 bad rows" in message
    assert (
        "line 5: date '2026-02-30' is not a real YYYY-MM-DD date; numbers out of 1-49: 50; "
        "extra number 9 is also a drawn number"
    ) in message
    assert "line 6: draw id '2026/97' is not of the form YY/NNN" in message
    assert "line 7: 7 fields, expected 9" in message
    assert stored_counts(store_url) == (0, 0)
    assert not home.exists()


def test_an_extra_number_out_of_range_and_an_unknown_pre_649_draw_are_refused(
    tmp_path: Path, home: Path
) -> None:
    rows = ["26/093,2026-08-25,1,18,19,25,34,38,0", "93/200,1993-12-30,1,8,13,24,35,43,33"]
    with pytest.raises(ImportRejected) as caught:
        archive.import_file(csv_file(tmp_path, rows), home)
    text = str(caught.value)
    assert "line 2: extra number 0 is out of 1-49" in text
    assert (
        "line 3: draw 93/200 of 1993-12-30 is before the 6/49 game began on 2002-07-04 "
        "and is not in the bundled 1993-2002 history"
    ) in text
    assert not home.exists()


def test_bundled_pre_649_draws_are_known_and_checked(tmp_path: Path, home: Path) -> None:
    legacy = "93/001,1993-01-05,1,8,13,24,35,43,33"
    change = archive.import_file(csv_file(tmp_path, [legacy, NEW_ROWS[0]]), home)
    assert change.summary() == "1 new, 1 already known"
    assert "93/001" not in archive.load_history(home)
    with pytest.raises(DrawConflict, match=r"93/001 .*\(bundled\)"):
        archive.import_file(csv_file(tmp_path, ["93/001,1993-01-05,1,8,13,24,35,44,33"], "x.csv"), home)


def test_a_draw_conflicting_with_a_bundled_one_is_refused_showing_both(
    tmp_path: Path, home: Path, store_url: str
) -> None:
    rows = [*NEW_ROWS, "12/110,2012-09-22,2,13,33,35,38,48,40"]
    with pytest.raises(DrawConflict) as caught:
        archive.import_file(csv_file(tmp_path, rows), home, store_url)
    text = str(caught.value)
    assert "known:    12/110 2012-09-22   2 13 33 35 38 49  + 40  (bundled)" in text
    assert "incoming: 12/110 2012-09-22   2 13 33 35 38 48  + 40" in text
    assert "line 6" in text
    assert stored_counts(store_url) == (0, 0)


def test_a_draw_conflicting_with_one_in_the_database_is_refused(
    tmp_path: Path, home: Path, store_url: str
) -> None:
    archive.import_file(csv_file(tmp_path, NEW_ROWS), home, store_url)
    changed_date = csv_file(tmp_path, ["26/095,2026-08-30,4,7,8,11,26,30,42"], "other.csv")
    with pytest.raises(DrawConflict) as caught:
        archive.import_file(changed_date, home, store_url)
    assert "(in the database)" in str(caught.value)
    assert "2026-08-30" in caught.value.incoming
    other_id_same_day = csv_file(tmp_path, ["26/099,2026-08-29,4,7,8,11,26,30,42"], "third.csv")
    with pytest.raises(DrawConflict, match="26/095"):
        archive.import_file(other_id_same_day, home, store_url)
    assert stored_counts(store_url) == (4, 0)


def test_the_same_draw_twice_in_a_file_with_different_numbers_is_a_bad_row(
    tmp_path: Path, home: Path
) -> None:
    rows = [NEW_ROWS[0], NEW_ROWS[0], "26/093,2026-08-25,1,18,19,25,34,39,7"]
    with pytest.raises(ImportRejected, match=r"line 4: draw 26/093 differs from its earlier row \(line 2\)"):
        archive.import_file(csv_file(tmp_path, rows), home)


def test_hkjc_json_imports_draws_and_prize_figures(tmp_path: Path, home: Path, store_url: str) -> None:
    source = write(tmp_path / "q3.json", json.dumps(load_fixture("marksixResult_20260811_20260930.json")))
    change = archive.import_file(source, home, store_url)
    assert change.summary() == "4 new, 6 already known; prize figures for 10 draws"
    prizes = archive.load_prizes(home, store_url)
    assert prizes["26/092"].dividends[2] == 1_510_840
    assert prizes["26/092"].winning_units[7] == Decimal("81912.5")
    assert prizes["26/087"].winning_units[1] == Decimal("0.5")
    assert prizes["26/096"].snowball_name == "六合彩50週年金多寶（第二期）"
    assert prizes["12/110"] == bundled_prizes()["12/110"]
    again = archive.import_file(source, home, store_url)
    assert again.summary() == "0 new, 10 already known"
    assert stored_counts(store_url) == (4, 10)


def test_a_bad_json_record_is_named_by_its_line_and_position(tmp_path: Path, home: Path) -> None:
    payload = load_fixture("marksixResult_20260811_20260930.json")
    payload["data"]["lotteryDraws"][2]["drawResult"]["drawnNo"] = [4, 4, 8, 11, 26, 30]
    text = json.dumps(payload, indent=2, ensure_ascii=False)
    source = write(tmp_path / "bad.json", text)
    expected_line = text.splitlines().index('        "id": "202694N",')  # the line before is the record's "{"
    with pytest.raises(ImportRejected) as caught:
        archive.import_file(source, home)
    (problem,) = caught.value.problems
    assert problem.line == expected_line
    assert problem.reason == "record 3: repeated numbers: 4"
    assert not home.exists()


def test_invalid_json_is_refused_with_its_line(tmp_path: Path, home: Path) -> None:
    source = write(tmp_path / "broken.json", '[\n  {"id": "26/093",\n  oops\n]')
    with pytest.raises(ImportRejected, match="line 3: not valid JSON"):
        archive.import_file(source, home)


def test_legacy_getjson_shape_is_accepted(tmp_path: Path, home: Path) -> None:
    records = [
        {
            "id": "25/134",
            "date": "28/12/2025",
            "no": "7+10+11+19+25+30",
            "sno": "45",
            "sbcode": "",
            "sbnameE": "",
            "sbnameC": "",
            "inv": "70,940,715",
            **{f"p{tier}": value for tier, value in enumerate(["20,594,740", "342,350"], start=1)},
            "p1u": "1.5",
            "p2u": "6.5",
        },
        {"id": "26/093", "date": "25/08/2026", "no": "1+18+19+25+34+38", "sno": "7"},
    ]
    change = archive.import_file(write(tmp_path / "legacy.json", json.dumps(records, indent=1)), home)
    assert (len(change.new_draws), change.known, change.prizes_updated) == (1, 1, 0)
    assert archive.load_history(home).get("26/093").extra == 7


def test_our_own_json_output_imports_back(tmp_path: Path, home: Path) -> None:
    draws_json = [
        make_draw(*row.split(",")[:2], row.split(",")[2:8], row.split(",")[8]).to_json() for row in NEW_ROWS
    ]
    change = archive.import_file(write(tmp_path / "mine.json", json.dumps(draws_json)), home)
    assert change.summary() == "4 new, 0 already known"


def test_an_unknown_csv_header_is_refused(tmp_path: Path, home: Path) -> None:
    source = write(tmp_path / "odd.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(ImportRejected, match="line 1: header 'a,b,c' is not draw_id,date"):
        archive.import_file(source, home)


# -- update (contract: SQLite and PostgreSQL) --------------------------------


def test_update_fetches_new_draws_prizes_and_the_next_draw(home: Path, store_url: str) -> None:
    fake = FakeHkjc()
    progress: list[str] = []
    with HkjcClient(transport=fake.transport()) as client:
        change = archive.update(
            home, client, store_url, since=dt.date(2026, 8, 11), now=NOW, progress=progress.append
        )
    assert change.summary() == "4 new, 6 already known; prize figures for 10 draws"
    assert progress == ["[1/1] 2026-08-11..2026-09-06: 10 results"]
    assert [request["operationName"] for request in fake.requests] == ["marksixResult", "marksixDraw"]
    history = archive.load_history(home, store_url)
    assert history.latest.draw_id == "26/096"
    prizes = archive.load_prizes(home, store_url)
    assert prizes["26/096"].dividends[1] == 63_376_610
    assert prizes["26/096"].winning_units[1] == Decimal("3.5")
    upcoming = archive.next_draw(home, NOW, store_url)
    assert (upcoming.draw_id, upcoming.date, upcoming.announced) == ("26/097", dt.date(2026, 9, 8), True)
    assert upcoming.estimated_first_prize == 8_000_000
    assert change.next_draw == upcoming
    after_close = dt.datetime(2026, 9, 8, 21, 16, tzinfo=HONG_KONG)
    fallback = archive.next_draw(home, after_close, store_url)
    assert (fallback.announced, fallback.date) == (False, dt.date(2026, 9, 10))


def test_update_by_default_starts_at_recent_draws_missing_dividends(home: Path) -> None:
    start = archive.update_start(bundled_history(), bundled_prizes())
    # The bundled 2026 draws have no dividends yet (the prize source ends in 2025).
    assert start == bundled_history().get("26/001").date
    fake = FakeHkjc()
    with HkjcClient(transport=fake.transport()) as client:
        change = archive.update(home, client, now=NOW)
    windows = [
        (request["variables"]["startDate"], request["variables"]["endDate"])
        for request in fake.requests
        if request["operationName"] == "marksixResult"
    ]
    assert windows == [("20260103", "20260331"), ("20260401", "20260630"), ("20260701", "20260906")]
    assert change.summary() == "4 new, 6 already known; prize figures for 10 draws"
    history, prizes = archive.load_history(home), archive.load_prizes(home)
    assert prizes["26/087"].dividends[1] == 8_759_880
    # Once every draw of the last year has its dividends, updates start after the latest draw.
    complete = {draw.draw_id: DrawPrizes(draw.draw_id, draw.date, dividends={7: 40}) for draw in history}
    assert archive.update_start(history, complete) == dt.date(2026, 9, 6)


def test_update_twice_adds_nothing_the_second_time(home: Path, store_url: str) -> None:
    for _ in range(2):
        with HkjcClient(transport=FakeHkjc().transport()) as client:
            change = archive.update(home, client, store_url, since=dt.date(2026, 8, 11), now=NOW)
    assert change.summary() == "0 new, 10 already known"
    assert stored_counts(store_url) == (4, 10)


def test_update_offline_fails_and_writes_nothing(home: Path) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    with HkjcClient(transport=httpx.MockTransport(offline)) as client, pytest.raises(NetworkError) as caught:
        archive.update(home, client, now=NOW)
    assert str(caught.value).startswith("cannot reach HKJC at https://info.cld.hkjc.com/graphql/base/")
    assert not home.exists()


def test_a_failure_after_some_windows_writes_nothing(home: Path, store_url: str) -> None:
    fake = FakeHkjc(failures={"marksixDraw": (503, {"message": "unavailable"})})
    client = HkjcClient(transport=fake.transport(), sleep=lambda seconds: None)
    with client, pytest.raises(RetryableApiError):
        archive.update(home, client, store_url, since=dt.date(2026, 7, 1), now=NOW)
    assert stored_counts(store_url) == (0, 0)
    assert archive.load_history(home, store_url) is bundled_history()


def test_update_refuses_a_draw_that_contradicts_a_known_one(home: Path, store_url: str) -> None:
    fake = FakeHkjc()
    record = next(r for r in fake.results["data"]["lotteryDraws"] if r["no"] == 92)
    record["drawResult"]["drawnNo"] = [7, 9, 12, 25, 34, 41]
    with HkjcClient(transport=fake.transport()) as client, pytest.raises(DrawConflict) as caught:
        archive.update(home, client, store_url, since=dt.date(2026, 8, 11), now=NOW)
    assert "(bundled)" in caught.value.known
    assert "41" in caught.value.incoming
    assert stored_counts(store_url) == (0, 0)


# -- the repository itself ---------------------------------------------------


def test_archive_round_trips_draws_prizes_and_announcements(
    store_engine_url: tuple[DrawRepository, str],
) -> None:
    repository, _url = store_engine_url
    payload = load_fixture("marksixResult_20260811_20260930.json")
    from marksix.draws import hkjc

    parsed = [(hkjc.parse_result(r), r) for r in payload["data"]["lotteryDraws"]]
    new_draws = [draw for draw, _ in parsed]
    prizes = [hkjc.parse_prizes(record, draw) for draw, record in parsed]
    announcement = hkjc.parse_announcement(
        load_fixture("marksixDraw_20260906.json")["data"]["lotteryDraws"][1]
    )
    repository.save(new_draws=new_draws, prizes=prizes, announcements=[announcement], source="test", now=NOW)
    assert repository.draws() == sorted(new_draws, key=lambda draw: draw.date)
    assert repository.prizes() == {prize.draw_id: prize for prize in prizes}
    assert repository.announced_after(NOW) == announcement
    assert repository.announced_after(announcement.sales_close_at) is None


@pytest.fixture
def store_engine_url(store_engine: object, store_url: str) -> tuple[DrawRepository, str]:
    from sqlalchemy import Engine

    assert isinstance(store_engine, Engine)
    return DrawRepository(store_engine), store_url


def test_a_failing_save_leaves_nothing_behind(store_engine_url: tuple[DrawRepository, str]) -> None:
    repository, url = store_engine_url
    draw = make_draw("26/093", "2026-08-25", [1, 18, 19, 25, 34, 38], 7)
    impossible = DrawPrizes(draw_id="26/093", date=draw.date, dividends={9: 100})  # no 9th tier
    with pytest.raises(StoreError, match="cannot write to"):
        repository.save(new_draws=[draw], prizes=[impossible], source="test", now=NOW)
    assert repository.draws() == []
    assert stored_counts(url) == (0, 0)


def test_reimporting_the_whole_bundled_history_changes_nothing(tmp_path: Path, home: Path) -> None:
    from importlib import resources

    bundled_csv = Path(str(resources.files("marksix.data").joinpath("draws.csv")))
    assert (
        archive.import_file(bundled_csv, home).summary() == f"0 new, {len(bundled_history())} already known"
    )
    as_json = write(
        tmp_path / "all.json", json.dumps([draw.to_json() for draw in bundled_history()], indent=2)
    )
    assert archive.import_file(as_json, home).known == len(bundled_history())
    assert not home.exists()


def test_the_primary_sources_json_shape_is_accepted(tmp_path: Path, home: Path) -> None:
    record = {"id": "202693N", "draw": "26/093", "date": "2026-08-25", "numbers": [1, 18, 19, 25, 34, 38]}
    source = write(tmp_path / "mark-six.json", json.dumps([{**record, "special": 7, "snowball": None}]))
    assert archive.import_file(source, home).summary() == "1 new, 0 already known"
