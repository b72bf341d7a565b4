"""The record as people and scripts read it: refresh (freeze, settle), then show.

`refresh` is what the autopilot runs after sales close and after a result,
and what `marksix record` and `/record` run before reading, so the record is
current even where no autopilot runs; both steps are idempotent.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine

from marksix.autopilot.ledger import canonical, commitment_of, describe, entries_of
from marksix.autopilot.record_store import FrozenLedger, RecordRepository, archive_lookup, settlement_of
from marksix.errors import InputError
from marksix.paths import Locator


def open_record_engine(locator: Locator) -> Engine:
    from marksix.store.engine import make_engine, upgrade

    engine = make_engine(locator.database_url)
    upgrade(engine)
    return engine


def refresh(engine: Engine, locator: Locator, now: dt.datetime) -> RecordRepository:
    """Freeze what is due and settle what has a result, reading the draws through the archive."""
    from marksix.draws.archive import DrawArchive

    repository = RecordRepository(engine)
    repository.freeze_due(now)
    if any(
        ledger.settlement is None or ledger.settlement.get("prize_unknown") for ledger in repository.all()
    ):
        with DrawArchive(locator) as archive:
            repository.settle_due(archive_lookup(list(archive.history()), archive.prizes()), now)
    return repository


def record_json(ledger: FrozenLedger) -> dict[str, Any]:
    """The documented keys of `marksix record --json`."""
    settlement = ledger.settlement or {}
    return {
        "draw_id": ledger.draw_id,
        "draw_date": ledger.draw_date.isoformat(),
        "frozen_at": ledger.frozen_at.isoformat(),
        "lines": ledger.lines,
        "commitment": ledger.commitment,
        "settled": ledger.settlement is not None,
        "numbers": settlement.get("numbers"),
        "extra": settlement.get("extra"),
        "by_tier": settlement.get("by_tier"),
        "expected_by_tier": settlement.get("expected_by_tier"),
        "interval_by_tier": settlement.get("interval_by_tier"),
        "prize_total": settlement.get("prize_total"),
        "prize_unknown": settlement.get("prize_unknown"),
        "summary": " ".join(sentences(ledger)),
    }


def sentences(ledger: FrozenLedger) -> list[str]:
    return describe(ledger.label, ledger.lines, settlement_of(ledger))


def verify_export(text: str, published: str | None = None) -> tuple[bool, str, str]:
    """(ok, recomputed, claimed) for an exported ledger; `published` is the
    commitment on record, when the checker has it, which catches a file whose
    ledger and commitment were both rewritten."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"the file is not JSON: {error}") from None
    if not isinstance(data, dict) or not isinstance(data.get("ledger"), dict):
        raise InputError("not a ledger export: expected an object with 'commitment' and 'ledger'")
    body = data["ledger"]
    entries_of(body)  # validates the shape and every entry
    recomputed = commitment_of(body)
    claimed = str(data.get("commitment", ""))
    ok = recomputed == claimed and (published is None or published == recomputed)
    return ok, recomputed, claimed


__all__ = ["canonical", "open_record_engine", "record_json", "refresh", "sentences", "verify_export"]
