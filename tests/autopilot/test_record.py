"""The public record: ledgers frozen at sales close, committed, settled against chance."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cli_runner import run
from marksix.autopilot.ledger import (
    LedgerEntry,
    commitment_of,
    describe,
    draw_date_for,
    expectations,
    ledger_body,
    settle,
)
from marksix.autopilot.record_store import RecordRepository
from marksix.domain.draws import make_draw
from marksix.domain.rules import COMBINATIONS, TIERS
from marksix.store.service_tables import comments

HK = dt.timezone(dt.timedelta(hours=8))
TUESDAY = dt.date(2026, 12, 1)
DRAW = make_draw("26/130", TUESDAY.isoformat(), [3, 11, 17, 25, 38, 44], 9)


def hk(hour: int, minute: int, day: dt.date = TUESDAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=HK)


def add_reply(
    engine: Engine,
    comment_id: str,
    at: dt.datetime,
    tickets: list[list[int]],
    *,
    intent: str = "pick",
    bankers: list[int] | None = None,
) -> None:
    with engine.begin() as connection:
        connection.execute(
            comments.insert().values(
                account_id="17841400000000001",
                comment_id=comment_id,
                text="give me numbers",
                field="comments",
                is_self=0,
                source="webhook",
                state="replied",
                intent=intent,
                reply_details={
                    "request": {"strategy": "balanced", "bankers": bankers or []},
                    "tickets": tickets,
                },
                attempts=1,
                received_at=at,
                finished_at=at,
                updated_at=at,
            )
        )


def entry(numbers: tuple[int, ...], comment_id: str = "c1") -> LedgerEntry:
    return LedgerEntry("acct", comment_id, hk(12, 0), "random", numbers)


# -- pure ---------------------------------------------------------------------


def test_a_line_after_sales_close_belongs_to_the_next_draw() -> None:
    assert draw_date_for(hk(21, 14)) == TUESDAY
    assert draw_date_for(hk(21, 15)) == dt.date(2026, 12, 3)
    assert draw_date_for(hk(9, 0, dt.date(2026, 12, 2))) == dt.date(2026, 12, 3)


def test_commitment_is_canonical_and_changes_with_any_change() -> None:
    first, second = entry((1, 2, 3, 4, 5, 6), "a"), entry((7, 8, 9, 10, 11, 12), "b")
    body = ledger_body(TUESDAY, [first, second])
    assert commitment_of(body) == commitment_of(ledger_body(TUESDAY, [second, first]))
    assert len(commitment_of(body)) == 64
    changed = ledger_body(TUESDAY, [first, entry((7, 8, 9, 10, 11, 13), "b")])
    assert commitment_of(changed) != commitment_of(body)
    assert commitment_of(ledger_body(dt.date(2026, 12, 3), [first, second])) != commitment_of(body)


def test_expectation_is_the_exact_binomial_mean_with_a_95_percent_range() -> None:
    lines = 1234
    table = expectations(lines)
    for tier in TIERS:
        assert Fraction(table[tier.number].expected).limit_denominator(10**12) == pytest.approx(
            float(Fraction(lines * tier.winning_combinations, COMBINATIONS))
        )
        if table[tier.number].expected >= 1:
            assert table[tier.number].low <= table[tier.number].expected <= table[tier.number].high
    assert (table[1].low, table[1].high) == (0, 0)  # a 1st prize is not normal at all
    assert (table[7].low, table[7].high) == (12, 29)  # binomial(1234, 1/60.9), central 95%


def test_settlement_counts_tiers_and_prizes_and_reads_honestly() -> None:
    entries = [
        entry((3, 11, 17, 1, 2, 4), "a"),  # 3 matched: 7th
        entry((3, 11, 17, 25, 9, 1), "b"),  # 4 + extra: 4th
        entry((1, 2, 4, 5, 6, 7), "c"),  # nothing
    ]
    settlement = settle(entries, DRAW, None)
    assert settlement.lines == 3
    assert settlement.by_tier == {1: 0, 2: 0, 3: 0, 4: 1, 5: 0, 6: 0, 7: 1}
    assert settlement.prize_total == 9_600 + 40
    text = " ".join(describe("26/130", 3, settlement))
    assert "We handed out 3 lines for 26/130." in text
    assert "1 won a 7th prize" in text
    for word in ("hit", "predict", "必中", "命中"):
        assert word not in text.lower()


# -- store (SQLite and PostgreSQL) ------------------------------------------


def test_freeze_takes_the_lines_before_close_once_and_settles_them(store_engine: Engine) -> None:
    add_reply(store_engine, "before", hk(12, 0), [[3, 11, 17, 1, 2, 4], [1, 2, 4, 5, 6, 7]])
    add_reply(store_engine, "banker", hk(21, 0), [[3, 11, 17, 25, 38, 1, 2]], bankers=[3, 11])
    add_reply(store_engine, "after", hk(21, 16), [[3, 11, 17, 25, 38, 44]])
    add_reply(store_engine, "stats", hk(13, 0), [[1, 2, 3, 4, 5, 6]], intent="stats")
    repository = RecordRepository(store_engine)
    assert repository.freeze_due(hk(21, 14)) == []
    (ledger,) = repository.freeze_due(hk(21, 15))
    assert ledger.draw_date == TUESDAY
    assert {item.comment_id for item in ledger.entries} == {"before", "banker"}
    assert ledger.lines == 2 + 5  # banker: 2 bankers and 5 legs choose 4
    assert repository.freeze_due(hk(22, 0)) == []  # idempotent
    assert repository.freeze(TUESDAY, hk(23, 0)).commitment == ledger.commitment

    def lookup(day: dt.date) -> tuple[object, None] | None:
        return (DRAW, None) if day == TUESDAY else None

    (settled,) = repository.settle_due(lookup, hk(22, 0))  # type: ignore[arg-type]
    assert settled.draw_id == "26/130"
    assert settled.settlement is not None
    # Independent check: count matches against the drawn numbers by hand.
    by_tier = dict.fromkeys(range(1, 8), 0)
    from itertools import combinations

    for item in settled.entries:
        legs_needed = 6 - len(item.bankers)
        for legs in combinations(item.numbers, legs_needed):
            line = set(item.bankers) | set(legs)
            matched, extra = len(line & set(DRAW.numbers)), DRAW.extra in line
            tier = {6: 1, 5: 3 - extra, 4: 5 - extra, 3: 7 - extra}.get(matched)
            if tier:
                by_tier[tier] += 1
    assert settled.settlement["by_tier"] == {str(tier): count for tier, count in by_tier.items()}
    # Next draw's ledger holds the line given after close.
    (thursday,) = repository.freeze_due(hk(21, 15, dt.date(2026, 12, 3)))
    assert [item.comment_id for item in thursday.entries] == ["after"]


# -- command line -------------------------------------------------------------


def _stored_cycle(home: Path) -> None:
    from marksix.autopilot.record import open_record_engine
    from marksix.paths import Locator
    from marksix.store.draw_archive import DrawRepository

    engine = open_record_engine(Locator.resolve(home))
    add_reply(engine, "one", hk(10, 0), [[3, 11, 17, 1, 2, 4]])
    add_reply(engine, "two", hk(11, 0), [[3, 11, 17, 25, 9, 1], [5, 6, 7, 8, 10, 12]])
    DrawRepository(engine).save(new_draws=[DRAW], source="test", now=hk(21, 40))
    engine.dispose()


def test_record_cli_json_export_and_verify(
    marksix_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _stored_cycle(marksix_home)
    code, out, err = run(capsys, "record", "--json", "--draw", TUESDAY.isoformat())
    assert code == 0, err
    data = json.loads(out)
    for key in (
        "draw_id",
        "lines",
        "commitment",
        "by_tier",
        "expected_by_tier",
        "interval_by_tier",
        "prize_total",
    ):
        assert key in data
    assert data["draw_id"] == "26/130" and data["lines"] == 3
    assert data["by_tier"]["7"] == 1 and data["by_tier"]["4"] == 1
    assert data["prize_total"] == 9_640
    code, by_id, _ = run(capsys, "record", "--json", "--draw", "26/130")
    assert json.loads(by_id)["commitment"] == data["commitment"]
    code, text, _ = run(capsys, "record", "--draw", "26/130")
    assert "We handed out 3 lines for 26/130." in text and "1834 633" in text

    exported = tmp_path / "ledger.json"
    assert run(capsys, "record", "export", "--draw", "26/130", "-o", str(exported))[0] == 0
    code, out, _ = run(capsys, "record", "verify", str(exported))
    assert code == 0 and data["commitment"] in out

    tampered = json.loads(exported.read_text(encoding="utf-8"))
    tampered["ledger"]["entries"][0]["numbers"][0] = 4
    exported.write_text(json.dumps(tampered), encoding="utf-8")
    code, _, err = run(capsys, "record", "verify", str(exported))
    assert code == 1 and "MISMATCH" in err
    # Rewriting the commitment too does not help: the published one is checked.
    tampered["commitment"] = commitment_of(tampered["ledger"])
    exported.write_text(json.dumps(tampered), encoding="utf-8")
    assert run(capsys, "record", "verify", str(exported))[0] == 1


def test_record_cli_names_a_missing_draw(marksix_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "record", "--draw", "26/999")
    assert code == 1 and "no frozen ledger for draw 26/999" in err
