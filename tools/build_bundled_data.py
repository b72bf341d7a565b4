"""Rebuild the compact prize table in src/marksix/data/ from ../shared/data/marksix.

Run from the project root: python tools/build_bundled_data.py [SHARED_DATA_DIR]

The draw CSVs are copied unchanged. prizes.csv keeps, per draw, the turnover,
the jackpot, first-division fund and Snowball (from the sleepingarhat JSON, which runs later) and the
dividend and winning units of each tier (from icelam's all.json), with the
thousands separators removed. An empty cell means the source had no value.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "src" / "marksix" / "data"
COLUMNS = (
    ["draw_id", "date", "turnover", "jackpot", "first_prize_fund", "snowball_code", "snowball_name"]
    + [f"p{tier}" for tier in range(1, 8)]
    + [f"p{tier}u" for tier in range(1, 8)]
)


def plain(value: object) -> str:
    text = "" if value is None else str(value).replace(",", "").strip()
    return text


def main(shared: Path) -> None:
    for name in ("draws.csv", "draws_1993_2002.csv", "PROVENANCE.md"):
        shutil.copyfile(shared / name, TARGET / name)
    icelam = json.loads((shared / "original/icelam__mark-six-data-visualization/all.json").read_text())
    sleeping = json.loads((shared / "original/sleepingarhat__hk-mark-six-2002-now/mark-six.json").read_text())
    rows: dict[str, dict[str, str]] = {}
    for record in icelam:
        row = {column: "" for column in COLUMNS}
        row.update(draw_id=record["id"], date=record["date"], turnover=plain(record.get("inv")))
        row.update(snowball_code=plain(record.get("sbcode")), snowball_name=plain(record.get("sbnameC")))
        for tier in range(1, 8):
            row[f"p{tier}"] = plain(record.get(f"p{tier}"))
            row[f"p{tier}u"] = plain(record.get(f"p{tier}u"))
        rows[record["id"]] = row
    for record in sleeping:
        row = rows.setdefault(record["draw"], {column: "" for column in COLUMNS})
        row.update(draw_id=record["draw"], date=record["date"])
        row["turnover"] = row["turnover"] or plain(record.get("totalInvestment"))
        row["jackpot"] = plain(record.get("jackpot"))
        row["snowball_name"] = row["snowball_name"] or plain(record.get("snowball"))
        # HKJC's "firstPrizeDividend" is the First Division Prize Fund (the
        # estimated pool), not a per-unit dividend: it is kept apart from p1.
        row["first_prize_fund"] = plain(record.get("firstPrizeDividend"))
    ordered = sorted(rows.values(), key=lambda row: (row["date"], row["draw_id"]))
    with (TARGET / "prizes.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(ordered)
    print(f"wrote {len(ordered)} prize rows to {TARGET / 'prizes.csv'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "marksix")
