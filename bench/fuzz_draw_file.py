"""Fuzz the draw-file importer: any text as a CSV or JSON draw file.

The importer may refuse a file (ImportRejected, naming the rows) and must
do nothing else: no traceback for deep JSON, odd CSV or junk values.

    python bench/fuzz_draw_file.py --runs 1000000
"""

from __future__ import annotations

import atheris

from fuzz_support import run

with atheris.instrument_imports():
    from marksix.draws.files import read_draw_text
    from marksix.errors import ImportRejected

SEEDS = (
    "draw_id,date,n1,n2,n3,n4,n5,n6,extra\n",
    '{"data": {"lotteryDraws": [',
    '[{"id": "26/001", "date": "2026-01-01", "no": "1+2+3+4+5+6", "sno": "7"}',
    '[{"draw_id": "26/001", "date": "2026-01-01", "numbers": [1,2,3,4,5,6], "extra": 7}]',
)


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    prefix = SEEDS[provider.ConsumeIntInRange(0, len(SEEDS) - 1)] if provider.ConsumeBool() else ""
    text = prefix + provider.ConsumeUnicode(len(data))
    try:
        rows = read_draw_text(text, "fuzz")
    except ImportRejected as rejected:
        assert str(rejected)
        return
    for row in rows:
        row.row_problem()


if __name__ == "__main__":
    run("draw-file importer", one_input)
