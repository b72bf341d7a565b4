"""The `unpopular` pick strategy: combinations few other players hold.

Every combination has the same chance of winning. The 1st, 2nd and 3rd prizes
are shared, though, so a winning combination that fewer people play pays
more. The popularity model scores all 13,983,816 combinations in one
vectorised pass; the strategy keeps the least popular fraction of those the
request allows and draws among them at random, weighted towards the least
popular, so two people never get the same list.

The score is the expected share of play on the combination itself (who would
share a 1st prize). The 2nd and 3rd prizes are shared with combinations five
numbers away, whose popularity moves with it, so the same ranking serves them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import lru_cache
from math import ceil
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.combinations import combination_rank, combination_sums, combinations_at
from marksix.domain.draws import PICKED, POOL, DrawHistory
from marksix.domain.picks import PickRequest, PickResult, validate
from marksix.domain.popularity import (
    BIRTHDAY_MAX,
    PopularityModel,
    PopularityParameters,
    log_normaliser,
    number_log_weights,
    previous_hits_of,
    shape_patterns,
)
from marksix.domain.rules import COMBINATIONS
from marksix.errors import PickError

#: Draw among this least popular fraction of the allowed combinations...
BEST_FRACTION = 0.01
#: ...but among at least this many per line asked for (when that many exist).
MIN_CANDIDATES_PER_LINE = 50
#: Multiple tickets with at most this many entries are scored entry by entry.
MAX_SCORED_ENTRIES = 100_000


@dataclass(frozen=True, slots=True)
class CombinationScores:
    """The people-chosen log weight of every combination, for one previous draw.

    `log_weight[i]` belongs to the i-th combination in lexicographic order;
    the expected share of all units on it is
    random_share / C + (1 - random_share) · exp(log_weight[i] - log_total).
    """

    log_weight: npt.NDArray[np.float32]
    log_total: float
    random_share: float
    #: Ranks of the least popular BEST_FRACTION of all combinations, found once
    #: because most requests have no include or exclude.
    best_ranks: npt.NDArray[np.int64]

    def shares(self, ranks: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        human = np.exp(self.log_weight[ranks].astype(np.float64) - self.log_total)
        result: npt.NDArray[np.float64] = self.random_share / COMBINATIONS + (1 - self.random_share) * human
        return result


@lru_cache(maxsize=2)
def score_all(parameters: PopularityParameters, previous: tuple[int, ...] = ()) -> CombinationScores:
    """Score all C(49,6) combinations (cached per process: the arrays are 70 MB)."""
    previous_hits = previous_hits_of(previous)
    log_x = number_log_weights(parameters, previous_hits)[0, 1:]
    shift = float(log_x.mean())
    log_weight = combination_sums(log_x - shift, np.float32)
    above_birthdays = combination_sums(np.arange(1, POOL + 1) > BIRTHDAY_MAX, np.int8)
    log_weight += np.float32(parameters.birthday_effect) * (above_birthdays == 0)
    del above_birthdays
    patterns = shape_patterns()
    log_weight[combination_rank(patterns.numbers)] += (
        patterns.features @ np.asarray(parameters.shape_effects, dtype=np.float64)
    ).astype(np.float32)
    log_total = log_normaliser(parameters, previous_hits) - PICKED * shift
    best = np.argpartition(log_weight, _pool_size(COMBINATIONS, 1) - 1)[: _pool_size(COMBINATIONS, 1)]
    # Sorted, so a seeded draw depends only on which ranks are best, not on
    # the order the partition happened to leave them in.
    return CombinationScores(log_weight, log_total, parameters.random_share, np.sort(best).astype(np.int64))


def _pool_size(allowed: int, lines: int) -> int:
    return min(allowed, max(ceil(BEST_FRACTION * allowed), MIN_CANDIDATES_PER_LINE * lines))


def _allowed_mask(forced: set[int], banned: set[int]) -> npt.NDArray[np.bool_] | None:
    if not forced and not banned:
        return None
    marks = np.zeros(POOL, dtype=np.int8)
    marks[[n - 1 for n in forced]] = 1
    marks[[n - 1 for n in banned]] = -PICKED - 1  # any banned number makes the count negative
    counts = combination_sums(marks, np.int8)
    mask: npt.NDArray[np.bool_] = counts == len(forced)
    return mask


def _draw_best(
    scores: CombinationScores, mask: npt.NDArray[np.bool_] | None, lines: int, generator: np.random.Generator
) -> tuple[npt.NDArray[np.int64], int, int]:
    """Ranks of `lines` distinct combinations drawn among the least popular allowed."""
    if mask is None:
        allowed, pool = COMBINATIONS, _pool_size(COMBINATIONS, lines)
        if pool <= len(scores.best_ranks):
            ranks = scores.best_ranks
            pool = len(ranks)
        else:
            ranks = np.sort(np.argpartition(scores.log_weight, pool - 1)[:pool]).astype(np.int64)
    else:
        ranks = np.flatnonzero(mask)
        allowed = len(ranks)
        if allowed < lines:
            raise PickError(f"only {allowed} combinations fit these constraints, fewer than {lines} lines")
        pool = _pool_size(allowed, lines)
        if pool < allowed:
            ranks = ranks[np.sort(np.argpartition(scores.log_weight[ranks], pool - 1)[:pool])]
    # Efraimidis-Spirakis: keys u^(1/w) with w the expected-share advantage,
    # the k largest keys are a weighted draw without replacement.
    advantage = 1.0 / (scores.shares(ranks) * COMBINATIONS)
    keys = np.log(generator.random(len(ranks))) / advantage
    top = np.argpartition(-keys, lines - 1)[:lines] if lines < len(keys) else np.arange(len(keys))
    chosen = ranks[top[np.argsort(-keys[top], kind="stable")]]
    return chosen, allowed, pool


def _extend(
    core: tuple[int, ...],
    size: int,
    banned: set[int],
    *,
    parameters: PopularityParameters,
    previous: tuple[int, ...],
    generator: np.random.Generator,
) -> tuple[int, ...]:
    """Grow a six to `size` numbers with numbers players pick least (weighted draw)."""
    log_x = number_log_weights(parameters, previous_hits_of(previous))[0, 1:]
    candidates = np.array(
        [n for n in range(1, POOL + 1) if n not in banned and n not in core], dtype=np.int64
    )
    weights = np.exp(-(log_x[candidates - 1] - log_x.min()))
    keys = np.log(generator.random(len(candidates))) / weights
    added = candidates[np.argsort(-keys, kind="stable")[: size - len(core)]]
    return tuple(sorted((*core, *(int(n) for n in added))))


def _fewer_co_winners(scores: CombinationScores, ticket: tuple[int, ...]) -> float:
    """How many times fewer co-winners than a combination picked at random,
    averaged over the ticket's entries (over its lowest six numbers alone when
    it has more than MAX_SCORED_ENTRIES entries)."""
    from itertools import combinations
    from math import comb

    if comb(len(ticket), PICKED) <= MAX_SCORED_ENTRIES:
        entries = np.array(list(combinations(ticket, PICKED)), dtype=np.int64)
    else:
        entries = np.array([ticket[:PICKED]], dtype=np.int64)
    shares = scores.shares(combination_rank(entries))
    return float(1.0 / (shares.mean() * COMBINATIONS))


def pick_unpopular(
    request: PickRequest,
    history: DrawHistory | None,
    rng: random.Random,
    model: PopularityModel | None = None,
) -> PickResult:
    """Tickets drawn at random among the combinations others play least, by
    `model` (loaded at the edge: marksix.draws.popularity_model)."""
    validate(request)
    if model is None:
        raise PickError("the unpopular strategy needs the popularity model")
    parameters = model.parameters
    previous = history.latest.numbers if history is not None and len(history) else ()
    generator = np.random.default_rng(rng.getrandbits(64))
    scores = score_all(parameters, tuple(previous))
    forced = set(request.include) | set(request.bankers)
    banned = set(request.exclude)
    tickets: list[tuple[int, ...]] = []
    details: dict[str, Any] = {"model_version": model.version}
    if len(forced) >= PICKED:
        # Everything that matters is already chosen; only the extension is free.
        seen: set[tuple[int, ...]] = set()
        attempts = 0
        core = tuple(sorted(forced))
        while len(tickets) < request.lines:
            attempts += 1
            ticket = _extend(
                core, request.size, banned, parameters=parameters, previous=previous, generator=generator
            )
            if ticket not in seen:
                seen.add(ticket)
                tickets.append(ticket)
            elif attempts > 100 * request.lines:
                raise PickError("could not find enough distinct tickets; ask for fewer lines")
    else:
        chosen, allowed, pool = _draw_best(scores, _allowed_mask(forced, banned), request.lines, generator)
        details.update({"allowed_combinations": allowed, "drawn_among": pool})
        for core_array in combinations_at(chosen):
            core = tuple(int(n) for n in core_array)
            ticket = core
            for _ in range(100):
                if request.size > PICKED:
                    ticket = _extend(
                        core,
                        request.size,
                        banned,
                        parameters=parameters,
                        previous=previous,
                        generator=generator,
                    )
                if ticket not in tickets:
                    break
            else:
                raise PickError("could not find enough distinct tickets; ask for fewer lines")
            tickets.append(ticket)
    ratios = [_fewer_co_winners(scores, ticket) for ticket in tickets]
    details["fewer_co_winners"] = [round(ratio, 2) for ratio in ratios]
    typical = float(np.median(ratios))
    note = (
        "Drawn at random among the combinations the popularity model says other players pick least. "
        f"Your chance to win is unchanged; if you win, you are expected to share with about "
        f"{typical:.1f} times fewer people (1st prize, against a combination picked at random)."
    )
    return PickResult(
        strategy="unpopular",
        tickets=tuple(tickets),
        note=note,
        bankers=tuple(sorted(request.bankers)),
        details={"popularity": details},
    )
