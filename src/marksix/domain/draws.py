"""Draws and the draw history, validated and held as numpy arrays."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.errors import DataError, NotFound

POOL = 49
PICKED = 6
DRAW_ID_PATTERN = re.compile(r"^(\d{2})/(\d{3})$")


@dataclass(frozen=True, slots=True)
class Draw:
    """One official draw: six numbers (sorted) and the extra number."""

    draw_id: str
    date: dt.date
    numbers: tuple[int, int, int, int, int, int]
    extra: int

    def to_json(self) -> dict[str, Any]:
        return {
            "draw_id": self.draw_id,
            "date": self.date.isoformat(),
            "numbers": list(self.numbers),
            "extra": self.extra,
        }

    def describe(self) -> str:
        numbers = " ".join(f"{number:2d}" for number in self.numbers)
        return f"{self.draw_id} {self.date.isoformat()}  {numbers}  + {self.extra:2d}"


def draw_problems(
    draw_id: str, date_text: str, numbers: Sequence[object], extra: object, pool: int = POOL
) -> list[str]:
    """Every reason the fields cannot be a draw; empty when they can."""
    problems: list[str] = []
    if not DRAW_ID_PATTERN.match(draw_id.strip()):
        problems.append(f"draw id {draw_id!r} is not of the form YY/NNN")
    try:
        dt.date.fromisoformat(date_text.strip())
    except ValueError:
        problems.append(f"date {date_text!r} is not a real YYYY-MM-DD date")
    values: list[int] = []
    for value in numbers:
        try:
            values.append(int(str(value).strip()))
        except ValueError:
            problems.append(f"number {value!r} is not a whole number")
    if len(values) == len(numbers):
        if len(values) != PICKED:
            problems.append(f"{len(values)} drawn numbers, expected {PICKED}")
        outside = sorted({v for v in values if not 1 <= v <= pool})
        if outside:
            problems.append(f"numbers out of 1-{pool}: {', '.join(map(str, outside))}")
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            problems.append(f"repeated numbers: {', '.join(map(str, repeated))}")
    try:
        extra_value = int(str(extra).strip())
    except ValueError:
        problems.append(f"extra number {extra!r} is not a whole number")
    else:
        if not 1 <= extra_value <= pool:
            problems.append(f"extra number {extra_value} is out of 1-{pool}")
        elif extra_value in values:
            problems.append(f"extra number {extra_value} is also a drawn number")
    return problems


def make_draw(
    draw_id: str, date_text: str, numbers: Sequence[object], extra: object, pool: int = POOL
) -> Draw:
    """A validated draw, or DataError naming every problem."""
    problems = draw_problems(draw_id, date_text, numbers, extra, pool)
    if problems:
        raise DataError(f"draw {draw_id}: " + "; ".join(problems))
    ordered = sorted(int(str(value).strip()) for value in numbers)
    return Draw(
        draw_id=draw_id.strip(),
        date=dt.date.fromisoformat(date_text.strip()),
        numbers=(ordered[0], ordered[1], ordered[2], ordered[3], ordered[4], ordered[5]),
        extra=int(str(extra).strip()),
    )


def latest_rows(hits: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per row of `hits` and number: the row of the number's latest appearance
    up to and including that row, or -1. Every "since last seen" and "gap"
    statistic is read from this one array."""
    rows = np.arange(len(hits), dtype=np.int64)[:, None]
    latest: npt.NDArray[np.int64] = np.maximum.accumulate(np.where(hits, rows, -1), axis=0)
    return latest


def last_seen_index(hits: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per number, the row of its latest appearance in `hits`, or -1."""
    if len(hits) == 0:
        return np.full(hits.shape[1], -1, dtype=np.int64)
    latest: npt.NDArray[np.int64] = latest_rows(hits)[-1]
    return latest


def draws_since_last_seen(hits: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """Per number, how many draws have passed since it last came up (0: in the
    latest draw), or -1 when it never did."""
    last = last_seen_index(hits)
    since: npt.NDArray[np.int64] = np.where(last >= 0, len(hits) - 1 - last, -1).astype(np.int64)
    return since


class DrawHistory(Sequence[Draw]):
    """Draws in date order, with array views for vectorised statistics.

    `main` is an (n, 6) array of the drawn numbers and `extra` an (n,) array;
    `hits` is an (n, 50) boolean matrix indexed by number (column 0 unused),
    which turns most statistics into sums over an axis.
    """

    def __init__(self, draws: Iterable[Draw], pool: int = POOL) -> None:
        self._draws = tuple(sorted(draws, key=lambda draw: (draw.date, draw.draw_id)))
        self.pool = pool
        self._by_id = {draw.draw_id: index for index, draw in enumerate(self._draws)}

    def __len__(self) -> int:
        return len(self._draws)

    def __getitem__(self, index: int) -> Draw:  # type: ignore[override]
        return self._draws[index]

    def __iter__(self) -> Iterator[Draw]:
        return iter(self._draws)

    @property
    def draws(self) -> tuple[Draw, ...]:
        return self._draws

    @property
    def latest(self) -> Draw:
        if not self._draws:
            raise NotFound("the draw history is empty")
        return self._draws[-1]

    def get(self, draw_id: str) -> Draw:
        index = self._by_id.get(draw_id.strip())
        if index is None:
            raise NotFound(f"no draw {draw_id!r} in the history (ids look like 24/001)")
        return self._draws[index]

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in self._by_id
        return item in self._draws

    def index_of(self, draw_id: str) -> int:
        self.get(draw_id)
        return self._by_id[draw_id.strip()]

    def last(self, count: int | None) -> DrawHistory:
        """The most recent `count` draws (all of them for None)."""
        if count is None or count >= len(self._draws):
            return self
        if count < 1:
            raise ValueError("the number of draws must be at least 1")
        return DrawHistory(self._draws[-count:], self.pool)

    def before(self, index: int) -> DrawHistory:
        """The draws strictly before position `index`: no look-ahead."""
        return DrawHistory(self._draws[:index], self.pool)

    def merged(self, extra_draws: Iterable[Draw]) -> DrawHistory:
        """This history plus draws not already in it (known ids keep theirs)."""
        fresh = [draw for draw in extra_draws if draw.draw_id not in self._by_id]
        return DrawHistory((*self._draws, *fresh), self.pool) if fresh else self

    @cached_property
    def main(self) -> npt.NDArray[np.int16]:
        return np.array([draw.numbers for draw in self._draws], dtype=np.int16).reshape(-1, PICKED)

    @cached_property
    def extra(self) -> npt.NDArray[np.int16]:
        return np.array([draw.extra for draw in self._draws], dtype=np.int16)

    @cached_property
    def hits(self) -> npt.NDArray[np.bool_]:
        matrix = np.zeros((len(self._draws), self.pool + 1), dtype=np.bool_)
        rows = np.repeat(np.arange(len(self._draws)), PICKED)
        matrix[rows, self.main.ravel()] = True
        return matrix
