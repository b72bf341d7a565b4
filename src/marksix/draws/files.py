"""Reading draw files for `marksix draws import`, with a line number for every row.

Accepted shapes:
- CSV in the bundled format: `draw_id,date,n1,n2,n3,n4,n5,n6,extra`
  (the original `draw,date,weekday,no1..no6,special` header works too);
- HKJC's GraphQL `marksixResult` response, or its bare `lotteryDraws` array;
- HKJC's legacy getJSON array (`id`, `date`, `no`, `sno`, `inv`, `p1..p7`, `p1u..p7u`);
- the JSON that `marksix draws list --json` prints (or with `draw`/`special`
  keys, as in the primary source's `mark-six.json`).

Nothing here decides what is new or conflicting; it only says, row by row,
what each row holds or why it cannot be a draw.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from marksix.domain.draws import Draw, draw_problems, make_draw
from marksix.domain.prizes import DrawPrizes
from marksix.draws import hkjc
from marksix.draws.bundled import legacy_history
from marksix.errors import DataError, ImportRejected, RowProblem

#: The first draw of the 6/49 game; older draws came from smaller pools.
FIRST_649_DATE = dt.date(2002, 7, 4)

_CSV_COLUMNS = {
    "draw_id": ("draw_id", "draw"),
    "date": ("date",),
    "numbers": (("n1", "n2", "n3", "n4", "n5", "n6"), ("no1", "no2", "no3", "no4", "no5", "no6")),
    "extra": ("extra", "special"),
}


@dataclass(frozen=True, slots=True)
class FileRow:
    """One row of an import file: its draw (and prizes, when the file has
    them), or the reasons it cannot be one."""

    line: int
    record: int | None = None  # the position in a JSON array, counting from 1
    draw: Draw | None = None
    prizes: DrawPrizes | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def where(self) -> str:
        """How to name the row to a person: "line 4" or "line 12 (record 3)"."""
        return f"line {self.line}" if self.record is None else f"line {self.line} (record {self.record})"

    def row_problem(self) -> RowProblem | None:
        """Every reason this row is bad, as one problem; None for a good row."""
        if not self.problems:
            return None
        prefix = "" if self.record is None else f"record {self.record}: "
        return RowProblem(self.line, prefix + "; ".join(self.problems))


def read_draw_file(path: Path) -> list[FileRow]:
    """Every row of the file. A file that cannot be read at all raises
    ImportRejected; bad rows come back with their problems."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportRejected(str(path), [RowProblem(0, f"cannot read the file: {error}")]) from None
    return read_draw_text(text, str(path))


def read_draw_text(text: str, source: str) -> list[FileRow]:
    """Every row of a draw file's text (what `read_draw_file` reads; fuzzed in bench/)."""
    if not text.strip():
        raise ImportRejected(source, [RowProblem(1, "the file is empty")])
    try:
        if text.lstrip()[0] in "[{":
            return _json_rows(text, source)
        return _csv_rows(text, source)
    except RecursionError:
        raise ImportRejected(source, [RowProblem(1, "not valid JSON: nested too deeply")]) from None
    except csv.Error as error:
        raise ImportRejected(source, [RowProblem(0, f"not a readable CSV file: {error}")]) from None


@cache
def _legacy_ids() -> frozenset[str]:
    return frozenset(draw.draw_id for draw in legacy_history())


def _era_problem(draw: Draw) -> list[str]:
    # Older draws came from a 45- or 47-number pool and are all bundled: one
    # of those is fine (it is checked against the bundled copy), others are not.
    if draw.date >= FIRST_649_DATE or draw.draw_id in _legacy_ids():
        return []
    return [
        f"draw {draw.draw_id} of {draw.date} is before the 6/49 game began on {FIRST_649_DATE} "
        "and is not in the bundled 1993-2002 history"
    ]


# -- CSV ---------------------------------------------------------------------


def _header_positions(header: Sequence[str]) -> dict[str, Any] | None:
    names = [name.strip().lower() for name in header]
    positions: dict[str, Any] = {}
    for key, choices in _CSV_COLUMNS.items():
        for choice in choices:
            if isinstance(choice, tuple):
                if all(name in names for name in choice):
                    positions[key] = [names.index(name) for name in choice]
                    break
            elif choice in names:
                positions[key] = names.index(choice)
                break
        else:
            return None
    return positions


def _csv_rows(text: str, source: str) -> list[FileRow]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    positions = _header_positions(header)
    if positions is None:
        raise ImportRejected(
            source,
            [RowProblem(1, f"header {','.join(header)!r} is not draw_id,date,n1,n2,n3,n4,n5,n6,extra")],
        )
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            rows.append(FileRow(line, None, problems=[f"{len(cells)} fields, expected {len(header)}"]))
            continue
        draw_id, date = cells[positions["draw_id"]], cells[positions["date"]]
        numbers = [cells[index] for index in positions["numbers"]]
        extra = cells[positions["extra"]]
        problems = draw_problems(draw_id, date, numbers, extra)
        if problems:
            rows.append(FileRow(line, None, problems=problems))
            continue
        draw = make_draw(draw_id, date, numbers, extra)
        rows.append(FileRow(line, None, draw=draw, problems=_era_problem(draw)))
    return rows


# -- JSON --------------------------------------------------------------------


def _json_rows(text: str, source: str) -> list[FileRow]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected(source, [RowProblem(error.lineno, f"not valid JSON: {error.msg}")]) from None
    if isinstance(payload, Mapping):
        key_path = ["data", "lotteryDraws"] if isinstance(payload.get("data"), Mapping) else ["lotteryDraws"]
        container = payload["data"] if len(key_path) == 2 else payload
        records: Any = container.get("lotteryDraws")
        if not isinstance(records, list):
            raise ImportRejected(
                source, [RowProblem(1, "not an HKJC marksixResult response: no data.lotteryDraws array")]
            )
    elif isinstance(payload, list):
        key_path, records = [], payload
    else:
        raise ImportRejected(source, [RowProblem(1, "expected a JSON array of draws or an HKJC response")])
    offsets = _element_offsets(text, key_path)
    rows = []
    line, counted_to = 1, 0
    for number, (record, offset) in enumerate(zip(records, offsets, strict=True), start=1):
        # Offsets only grow, so count the newlines since the previous record.
        line += text.count("\n", counted_to, offset)
        counted_to = offset
        if not isinstance(record, Mapping):
            rows.append(FileRow(line, number, problems=["not a JSON object"]))
            continue
        parse = _record_parser(record)
        if parse is None:
            rows.append(FileRow(line, number, problems=["not a draw record (unknown fields)"]))
            continue
        if parse is _graphql_row and not hkjc.is_result(record):
            continue  # a draw still on sale: nothing to import yet
        rows.append(parse(record, line, number))
    return rows


def _record_parser(record: Mapping[str, Any]) -> Callable[[Mapping[str, Any], int, int], FileRow] | None:
    if "drawResult" in record or ("year" in record and "no" in record):
        return _graphql_row
    if "sno" in record and "no" in record:
        return _legacy_row
    if ("draw_id" in record or "draw" in record) and "numbers" in record:
        return _own_row
    return None


def _graphql_row(record: Mapping[str, Any], line: int, number: int) -> FileRow:
    problems = hkjc.result_problems(record)
    if problems:
        return FileRow(line, number, problems=problems)
    draw = hkjc.parse_result(record)
    try:
        prizes = hkjc.parse_prizes(record, draw)
    except DataError as error:
        return FileRow(line, number, problems=[f"bad prize data: {error}"])
    return FileRow(line, number, draw=draw, prizes=prizes, problems=_era_problem(draw))


def _own_row(record: Mapping[str, Any], line: int, number: int) -> FileRow:
    numbers = record.get("numbers")
    if not isinstance(numbers, list):
        return FileRow(line, number, problems=["numbers is not a list"])
    # Our own `--json` output, or the primary source's JSON (`draw`, `special`).
    draw_id = str(record.get("draw_id", record.get("draw", "")))
    date, extra = str(record.get("date", "")), record.get("extra", record.get("special", ""))
    problems = draw_problems(draw_id, date, numbers, extra)
    if problems:
        return FileRow(line, number, problems=problems)
    draw = make_draw(draw_id, date, numbers, extra)
    return FileRow(line, number, draw=draw, problems=_era_problem(draw))


def _legacy_date(text: str) -> str:
    # The legacy endpoint wrote DD/MM/YYYY; re-shaped copies use ISO dates.
    day, slash, rest = text.partition("/")
    if slash:
        month, _, year = rest.partition("/")
        return f"{year.strip()}-{month.strip().zfill(2)}-{day.strip().zfill(2)}"
    return text


def _legacy_row(record: Mapping[str, Any], line: int, number: int) -> FileRow:
    raw_numbers = record.get("no")
    numbers = raw_numbers.split("+") if isinstance(raw_numbers, str) else list(raw_numbers or [])
    draw_id, date = str(record.get("id", "")), _legacy_date(str(record.get("date", "")))
    problems = draw_problems(draw_id, date, numbers, record.get("sno", ""))
    if problems:
        return FileRow(line, number, problems=problems)
    draw = make_draw(draw_id, date, numbers, record.get("sno", ""))
    try:
        prizes = _legacy_prizes(record, draw)
    except (InvalidOperation, ValueError) as error:
        return FileRow(line, number, problems=[f"bad prize data: {error}"])
    return FileRow(line, number, draw=draw, prizes=prizes, problems=_era_problem(draw))


def _amount(value: object) -> Decimal | None:
    text = str(value if value is not None else "").replace(",", "").strip()
    return Decimal(text) if text else None


def _legacy_prizes(record: Mapping[str, Any], draw: Draw) -> DrawPrizes:
    dividends, units = {}, {}
    for tier in range(1, 8):
        dividend, winning = _amount(record.get(f"p{tier}")), _amount(record.get(f"p{tier}u"))
        if dividend is not None:
            dividends[tier] = int(dividend)
        if winning is not None:
            units[tier] = winning
    turnover = _amount(record.get("inv"))
    return DrawPrizes(
        draw_id=draw.draw_id,
        date=draw.date,
        turnover=int(turnover) if turnover is not None else None,
        snowball_code=str(record.get("sbcode") or "").strip() or None,
        snowball_name=str(record.get("sbnameC") or record.get("sbnameE") or "").strip() or None,
        dividends=dividends,
        winning_units=units,
    )


# -- where each JSON record starts ---------------------------------------------


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _element_offsets(text: str, key_path: Sequence[str]) -> list[int]:
    """Character offsets of the elements of the array at `key_path`, so a
    problem can name the line it is on. The text is already known to be valid JSON."""
    decoder = json.JSONDecoder()
    index = _skip_space(text, 0)
    for key in key_path:
        index = _member_value(text, index, key, decoder)
    offsets: list[int] = []
    index = _skip_space(text, index + 1)
    while index < len(text) and text[index] != "]":
        offsets.append(index)
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
    return offsets


def _member_value(text: str, index: int, key: str, decoder: json.JSONDecoder) -> int:
    """The offset of `key`'s value in the object starting at `index`."""
    found: int | None = None
    index = _skip_space(text, index + 1)
    while text[index] != "}":
        name, index = decoder.raw_decode(text, index)
        index = _skip_space(text, _skip_space(text, index) + 1)
        if name == key:
            found = index  # the last one wins, as in json.loads
        _, index = decoder.raw_decode(text, index)
        index = _skip_space(text, index)
        if text[index] == ",":
            index = _skip_space(text, index + 1)
    if found is None:
        raise DataError(f"no {key!r} member")
    return found
