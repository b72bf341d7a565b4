"""All C(49,6) combinations as flat numpy arrays, in lexicographic order.

Index i of every array here is the i-th combination of
`itertools.combinations(range(1, 50), 6)`; `combination_rank` maps a
combination to its index. Nothing stores the 13,983,816 x 6 numbers: a
per-combination sum of per-number values is built level by level, because
the k-combinations of {a..n} are a suffix of the k-combinations of {1..n}
in lexicographic order. One level-6 pass writes 14M values once.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import comb
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL


def combination_sums(
    values: Sequence[Any] | npt.NDArray[Any], dtype: Any, size: int = PICKED
) -> npt.NDArray[Any]:
    """Σ values[n - 1] over the numbers n of every `size`-combination of 1..len(values)."""
    table = np.asarray(values, dtype=dtype)
    pool = len(table)
    level = np.zeros(1, dtype=dtype)  # the one empty combination
    for k in range(1, size + 1):
        out = np.empty(comb(pool, k), dtype=dtype)
        position = 0
        for first in range(pool - k + 1):
            tail = comb(pool - first - 1, k - 1)
            np.add(level[len(level) - tail :], table[first], out=out[position : position + tail])
            position += tail
        level = out
    return level


def _skip_table(pool: int, size: int) -> npt.NDArray[np.int64]:
    # table[i, v] = how many combinations come before those whose i-th number
    # (0-based) is v, counting from the smallest allowed value: Σ_{u<v} C(pool-u, size-1-i)
    table = np.zeros((size, pool + 2), dtype=np.int64)
    for i in range(size):
        for v in range(1, pool + 2):
            table[i, v] = table[i, v - 1] + (comb(pool - (v - 1), size - 1 - i) if v > 1 else 0)
    return table


def combination_rank(
    combinations: npt.ArrayLike, pool: int = POOL, size: int = PICKED
) -> npt.NDArray[np.int64]:
    """Lexicographic index of each sorted combination (rows of `size` numbers from 1..pool)."""
    numbers = np.sort(np.asarray(combinations, dtype=np.int64).reshape(-1, size), axis=1)
    table = _skip_table(pool, size)
    previous = np.zeros(len(numbers), dtype=np.int64)
    rank = np.zeros(len(numbers), dtype=np.int64)
    for i in range(size):
        rank += table[i, numbers[:, i]] - table[i, previous + 1]
        previous = numbers[:, i]
    return rank


def combinations_at(ranks: npt.ArrayLike, pool: int = POOL, size: int = PICKED) -> npt.NDArray[np.int64]:
    """The combinations (rows, sorted) at lexicographic indices `ranks`."""
    remaining = np.asarray(ranks, dtype=np.int64).reshape(-1).copy()
    result = np.zeros((len(remaining), size), dtype=np.int64)
    start = np.ones(len(remaining), dtype=np.int64)
    for i in range(size):
        left = size - 1 - i
        # walk each row's candidate value up while whole blocks fit in its rank
        value = start.copy()
        while True:
            block = np.array([comb(pool - v, left) for v in value.tolist()], dtype=np.int64)
            move = (remaining >= block) & (value <= pool - left)
            if not move.any():
                break
            remaining -= np.where(move, block, 0)
            value += move
        result[:, i] = value
        start = value + 1
    return result
