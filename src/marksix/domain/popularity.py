"""Player popularity: how many other players hold a combination, as a model.

The model is fitted (in `popularity_fit`) to HKJC's published winner counts.
It is a mixture: a share `random_share` of all units is random play (Quick
Pick, 電腦飛), spread evenly over the C(49,6) combinations; the rest is
chosen by people, each combination `c` with a log-linear weight

    log w(c) = Σ_{n in c} (β_n + δ·[n was drawn last time])
               + γ_birthday·[every number of c ≤ 31]
               + Σ_shape γ_shape·[c is that shape]

Every tier's share of play is computed exactly, without enumerating the
13,983,816 combinations: the per-number part is a product over numbers, so the
weight of "exactly m numbers from the draw" is an elementary symmetric
polynomial of the numbers' weights; the birthday term is the same product
restricted to 1-31; and the shapes are a finite list of about 1,300
combinations that is enumerated (`shape_patterns`).

The bet-slip grid is not documented in our sources, so shapes are defined on
both common layouts (7 numbers a row and 10 a row) and the fit decides which
one players use.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL
from marksix.domain.rules import COMBINATIONS, TIERS, tier_for_match
from marksix.errors import DataError

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

#: Numbers that can be a day of the month: "birthday" players use only these.
BIRTHDAY_MAX = 31
#: Shapes people draw on the slip or in their heads, in parameter order.
SHAPE_FEATURES: tuple[str, ...] = (
    "run",  # six consecutive numbers: 1 2 3 4 5 6
    "progression",  # six in arithmetic progression, step 2-9: 5 10 15 20 25 30
    "grid7_line",  # a column or diagonal of a 7-a-row grid
    "grid7_block",  # a 2x3 or 3x2 block of a 7-a-row grid
    "grid10_block",  # a 2x3 or 3x2 block of a 10-a-row grid
    "one_decade",  # all six in 1-9, 10-19, 20-29, 30-39 or 40-49
)
#: Tier probabilities as floats, index = tier number (0 unused).
TIER_PROBABILITY: FloatArray = np.array([0.0] + [float(tier.probability) for tier in TIERS])


def _tier_table() -> IntArray:
    table = np.zeros((PICKED + 1, 2), dtype=np.int64)
    for matched in range(PICKED + 1):
        for extra in (False, True):
            table[matched, int(extra)] = tier_for_match(matched, extra) or 0
    return table


#: (numbers matched, extra matched) -> tier number, 0 for no prize.
_TIER_OF = _tier_table()


@dataclass(frozen=True, slots=True)
class PopularityParameters:
    """The fitted numbers: see the module docstring for their meaning."""

    random_share: float
    number_effects: tuple[float, ...]  # β_1..β_49
    previous_draw_effect: float  # δ
    birthday_effect: float  # γ_birthday
    shape_effects: tuple[float, ...]  # γ per SHAPE_FEATURES

    def __post_init__(self) -> None:
        if not 0.0 <= self.random_share <= 1.0:
            raise DataError(f"random_share {self.random_share} is not a share between 0 and 1")
        if len(self.number_effects) != POOL:
            raise DataError(f"{len(self.number_effects)} number effects, expected {POOL}")
        if len(self.shape_effects) != len(SHAPE_FEATURES):
            raise DataError(f"{len(self.shape_effects)} shape effects, expected {len(SHAPE_FEATURES)}")
        values = (*self.number_effects, *self.shape_effects, self.previous_draw_effect, self.birthday_effect)
        if not all(np.isfinite(values)):
            raise DataError("popularity parameters must be finite numbers")

    @classmethod
    def uniform(cls) -> PopularityParameters:
        """Everybody plays at random: the baseline the model is tested against."""
        return cls(1.0, (0.0,) * POOL, 0.0, 0.0, (0.0,) * len(SHAPE_FEATURES))

    def to_json(self) -> dict[str, Any]:
        return {
            "random_share": self.random_share,
            "number_effects": {str(n): round(v, 6) for n, v in enumerate(self.number_effects, 1)},
            "previous_draw_effect": round(self.previous_draw_effect, 6),
            "birthday_effect": round(self.birthday_effect, 6),
            "shape_effects": {
                name: round(v, 6) for name, v in zip(SHAPE_FEATURES, self.shape_effects, strict=True)
            },
        }

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> PopularityParameters:
        try:
            numbers = payload["number_effects"]
            shapes = payload["shape_effects"]
            return cls(
                random_share=float(payload["random_share"]),
                number_effects=tuple(float(numbers[str(n)]) for n in range(1, POOL + 1)),
                previous_draw_effect=float(payload["previous_draw_effect"]),
                birthday_effect=float(payload["birthday_effect"]),
                shape_effects=tuple(float(shapes[name]) for name in SHAPE_FEATURES),
            )
        except (KeyError, TypeError, ValueError) as problem:
            raise DataError(f"popularity parameters are incomplete or malformed: {problem!r}") from problem


@dataclass(frozen=True, slots=True)
class PopularityModel:
    """Versioned parameters plus how they were fitted and how well they did."""

    version: str
    parameters: PopularityParameters
    fit: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"version": self.version, **dict(self.fit), "parameters": self.parameters.to_json()}

    @classmethod
    def from_json(cls, payload: Mapping[str, Any]) -> PopularityModel:
        if not isinstance(payload, Mapping) or "version" not in payload or "parameters" not in payload:
            raise DataError("a popularity model needs a 'version' and 'parameters'")
        fit = {key: value for key, value in payload.items() if key not in ("version", "parameters")}
        return cls(str(payload["version"]), PopularityParameters.from_json(payload["parameters"]), fit)


@dataclass(frozen=True, slots=True)
class ShapePatterns:
    """Every combination that has at least one shape, with its shape flags."""

    numbers: IntArray  # (P, 6) sorted
    hits: BoolArray  # (P, 50) indexed by number
    features: FloatArray  # (P, len(SHAPE_FEATURES)) of 0/1
    birthday: BoolArray  # (P,) all numbers <= 31


def _grid_blocks(width: int) -> list[tuple[int, ...]]:
    blocks = []
    rows = -(-POOL // width)
    for height, breadth in ((2, 3), (3, 2)):
        for top, left in itertools.product(range(rows - height + 1), range(width - breadth + 1)):
            cells = tuple(
                (top + r) * width + left + c + 1 for r, c in itertools.product(range(height), range(breadth))
            )
            if max(cells) <= POOL:
                blocks.append(cells)
    return blocks


@cache
def shape_patterns() -> ShapePatterns:
    """The finite list of shaped combinations (pure; computed once)."""
    flags: dict[tuple[int, ...], set[str]] = {}

    def add(numbers: Sequence[int], name: str) -> None:
        flags.setdefault(tuple(sorted(numbers)), set()).add(name)

    for step in range(1, 10):
        for start in range(1, POOL - 5 * step + 1):
            add([start + i * step for i in range(PICKED)], "run" if step == 1 else "progression")
    # 6 consecutive cells of a column (step 7) or main diagonal (steps 8, 6)
    # of the 7x7 layout; rows of it are runs already.
    for column in range(1, 8):
        line = [column + 7 * i for i in range(7)]
        add(line[:6], "grid7_line")
        add(line[1:], "grid7_line")
    for diagonal in ([1 + 8 * i for i in range(7)], [7 + 6 * i for i in range(7)]):
        add(diagonal[:6], "grid7_line")
        add(diagonal[1:], "grid7_line")
    for block in _grid_blocks(7):
        add(block, "grid7_block")
    for block in _grid_blocks(10):
        add(block, "grid10_block")
    for low in (1, 10, 20, 30, 40):
        for numbers in itertools.combinations(range(low, low - low % 10 + 10), PICKED):
            add(numbers, "one_decade")
    ordered = sorted(flags)
    numbers_array = np.array(ordered, dtype=np.int64)
    hits = np.zeros((len(ordered), POOL + 1), dtype=np.bool_)
    hits[np.repeat(np.arange(len(ordered)), PICKED), numbers_array.ravel()] = True
    features = np.array(
        [[float(name in flags[numbers]) for name in SHAPE_FEATURES] for numbers in ordered], dtype=np.float64
    )
    return ShapePatterns(numbers_array, hits, features, numbers_array.max(axis=1) <= BIRTHDAY_MAX)


def elementary_symmetric(values: FloatArray, order: int) -> FloatArray:
    """e_0..e_order of each row's values: e_k = sum over k-subsets of products."""
    result = np.zeros((values.shape[0], order + 1), dtype=np.float64)
    result[:, 0] = 1.0
    for column in range(values.shape[1]):
        value = values[:, column]
        for k in range(min(order, column + 1), 0, -1):
            result[:, k] += value * result[:, k - 1]
    return result


def number_log_weights(parameters: PopularityParameters, previous_hits: BoolArray) -> FloatArray:
    """log weight of each number (column 0 unused) for each previous draw (G, 50)."""
    beta = np.concatenate(([0.0], np.asarray(parameters.number_effects, dtype=np.float64)))
    return beta[None, :] + parameters.previous_draw_effect * previous_hits.astype(np.float64)


@dataclass(frozen=True, slots=True)
class DrawContext:
    """Draws (or hypothetical draws) to compute tier shares for.

    Draw `t` has drawn numbers `drawn[t]`, extra `extra[t]` and the previous
    draw `previous_hits[group[t]]`; grouping lets thousands of hypothetical
    draws share one previous draw. The shaped combinations that win a tier in
    each draw are found once here, so refitting reuses them.
    """

    drawn: IntArray  # (T, 6)
    extra: IntArray  # (T,)
    group: IntArray  # (T,) index into previous_hits
    previous_hits: BoolArray  # (G, 50)
    pattern_overlap: npt.NDArray[np.int8]  # (G, P): shaped combo numbers in the previous draw
    winning_draw: IntArray  # (E,) draw of each (draw, shaped combination) that wins a tier
    winning_pattern: IntArray  # (E,)
    winning_tier: IntArray  # (E,)

    @property
    def size(self) -> int:
        return int(self.drawn.shape[0])


def draw_context(
    drawn: npt.ArrayLike,
    extra: npt.ArrayLike,
    previous_hits: npt.ArrayLike,
    group: npt.ArrayLike | None = None,
) -> DrawContext:
    """Prepare draws for `tier_shares`; `group` defaults to one previous draw per draw."""
    drawn_array = np.asarray(drawn, dtype=np.int64).reshape(-1, PICKED)
    extra_array = np.asarray(extra, dtype=np.int64).reshape(-1)
    previous = np.asarray(previous_hits, dtype=np.bool_).reshape(-1, POOL + 1)
    groups = np.arange(len(drawn_array)) if group is None else np.asarray(group, dtype=np.int64).reshape(-1)
    patterns = shape_patterns()
    pattern_hits = patterns.hits.astype(np.float32)
    overlap = (previous.astype(np.float32) @ pattern_hits.T).astype(np.int8)
    drawn_hits = np.zeros((len(drawn_array), POOL + 1), dtype=np.float32)
    drawn_hits[np.repeat(np.arange(len(drawn_array)), PICKED), drawn_array.ravel()] = 1.0
    overlap_with_draw = drawn_hits @ pattern_hits.T  # (T, P) float32, exact small integers
    draws, shaped = np.nonzero(overlap_with_draw > 2.5)
    matched = np.rint(overlap_with_draw[draws, shaped]).astype(np.int64)
    extra_in = patterns.hits[shaped, extra_array[draws]]
    tiers = _TIER_OF[matched, extra_in.astype(np.int64)]
    return DrawContext(
        drawn_array, extra_array, groups, previous, overlap, draws, shaped, tiers.astype(np.int64)
    )


def tier_shares(parameters: PopularityParameters, context: DrawContext) -> FloatArray:
    """Share of all units sold that wins each tier, per draw: (T, 8), column = tier.

    Under uniform play this is exactly the tier probability; multiply by the
    units sold for the expected winning units.
    """
    human = _human_tier_shares(parameters, context)
    uniform = np.broadcast_to(TIER_PROBABILITY, human.shape)
    share: FloatArray = parameters.random_share * uniform + (1.0 - parameters.random_share) * human
    return share


def _pattern_log_factors(parameters: PopularityParameters) -> tuple[FloatArray, FloatArray]:
    """Per shaped combination: log of its number-free weight factor, and the sign.

    A shaped combination's weight is its product-form weight times
    e^{γ_birthday·B}(e^{γ·f} - 1) on top of what the product terms already count.
    """
    patterns = shape_patterns()
    gamma = np.asarray(parameters.shape_effects, dtype=np.float64)
    excess = np.expm1(patterns.features @ gamma)
    birthday = parameters.birthday_effect * patterns.birthday.astype(np.float64)
    with np.errstate(divide="ignore"):
        log_factor = np.asarray(birthday + np.log(np.abs(excess)), dtype=np.float64)
    sign: FloatArray = np.sign(excess)
    return log_factor, sign


def _human_tier_shares(parameters: PopularityParameters, context: DrawContext) -> FloatArray:
    patterns = shape_patterns()
    log_x = number_log_weights(parameters, context.previous_hits)  # (G, 50)
    # Scale invariance: centring keeps the polynomials near 1 without changing ratios.
    shift = log_x[:, 1:].mean(axis=1)
    x_all = np.exp(log_x - shift[:, None])
    x_all[:, 0] = 0.0
    birthday_mask = np.arange(POOL + 1) <= BIRTHDAY_MAX
    birthday_lift = np.expm1(parameters.birthday_effect)

    # Normaliser per previous draw: the weights of all combinations. A shaped
    # combination's weight is exp(its β sum + its factor) · e^{δ·overlap}; the
    # overlap takes 7 values, so a table lookup replaces millions of exp calls.
    beta = np.asarray(parameters.number_effects, dtype=np.float64)
    log_factor, sign = _pattern_log_factors(parameters)
    pattern_base = sign * np.exp(beta[patterns.numbers - 1].sum(axis=1) + log_factor)  # (P,)
    overlap_lift = np.exp(parameters.previous_draw_effect * np.arange(PICKED + 1))
    group_scale = np.exp(-PICKED * shift)  # (G,)
    total = (
        elementary_symmetric(x_all[:, 1:], PICKED)[:, PICKED]
        + birthday_lift * elementary_symmetric(x_all[:, 1 : BIRTHDAY_MAX + 1], PICKED)[:, PICKED]
        + group_scale * (overlap_lift[context.pattern_overlap] @ pattern_base)
    )

    rows = np.arange(context.size)
    x_draw = x_all[context.group]  # (T, 50)
    shares = np.zeros((context.size, len(TIERS) + 1), dtype=np.float64)
    for mask, lift in ((None, 1.0), (birthday_mask, birthday_lift)):
        x = x_draw if mask is None else x_draw * mask
        x_drawn = np.take_along_axis(x, context.drawn, axis=1)
        x_extra = x[rows, context.extra]
        x_others = x.copy()
        x_others[rows[:, None], context.drawn] = 0.0
        x_others[rows, context.extra] = 0.0
        from_drawn = elementary_symmetric(x_drawn, PICKED)
        from_others = elementary_symmetric(x_others[:, 1:], 3)
        for tier in TIERS:
            rest = PICKED - tier.matched - int(tier.with_extra)
            mass = from_drawn[:, tier.matched] * from_others[:, rest]
            if tier.with_extra:
                mass = mass * x_extra
            shares[:, tier.number] += lift * mass
    if len(context.winning_draw):
        groups = context.group[context.winning_draw]
        weights = (
            pattern_base[context.winning_pattern]
            * overlap_lift[context.pattern_overlap[groups, context.winning_pattern]]
            * group_scale[groups]
        )
        flat = context.winning_draw * shares.shape[1] + context.winning_tier
        shares += np.bincount(flat, weights=weights, minlength=shares.size).reshape(shares.shape)
    shares /= total[context.group][:, None]
    shares[:, 0] = 0.0
    return shares


def combination_log_weights(
    parameters: PopularityParameters, combinations: npt.ArrayLike, previous_hits: BoolArray
) -> FloatArray:
    """log w(c) of the people-chosen part, unnormalised, for a few combinations (K, 6)."""
    numbers = np.asarray(combinations, dtype=np.int64).reshape(-1, PICKED)
    log_x = number_log_weights(parameters, previous_hits.reshape(1, POOL + 1))[0]
    result: FloatArray = log_x[numbers].sum(axis=1)
    result += parameters.birthday_effect * (numbers.max(axis=1) <= BIRTHDAY_MAX)
    patterns = shape_patterns()
    index = {tuple(row): i for i, row in enumerate(patterns.numbers.tolist())}
    gamma = np.asarray(parameters.shape_effects, dtype=np.float64)
    for row, combination in enumerate(numbers.tolist()):
        found = index.get(tuple(sorted(combination)))
        if found is not None:
            result[row] += float(patterns.features[found] @ gamma)
    return result


def log_normaliser(parameters: PopularityParameters, previous_hits: BoolArray) -> float:
    """log Σ_c w(c) over all C(49,6) combinations, in the units of `combination_log_weights`."""
    previous = previous_hits.reshape(1, POOL + 1)
    log_x = number_log_weights(parameters, previous)
    shift = float(log_x[0, 1:].mean())
    x = np.exp(log_x[:, 1:] - shift)
    birthday_lift = np.expm1(parameters.birthday_effect)
    total = (
        elementary_symmetric(x, PICKED)[0, PICKED]
        + birthday_lift * elementary_symmetric(x[:, :BIRTHDAY_MAX], PICKED)[0, PICKED]
    )
    patterns = shape_patterns()
    log_factor, sign = _pattern_log_factors(parameters)
    beta_sums = (log_x[0, patterns.numbers] - shift).sum(axis=1)
    total += float((sign * np.exp(beta_sums + log_factor)).sum())
    return float(np.log(total) + PICKED * shift)


def combination_shares(
    parameters: PopularityParameters, combinations: npt.ArrayLike, previous_hits: BoolArray
) -> FloatArray:
    """Share of all units expected on each combination (sums to 1 over all of them)."""
    log_weight = combination_log_weights(parameters, combinations, previous_hits)
    human = np.exp(log_weight - log_normaliser(parameters, previous_hits))
    share: FloatArray = parameters.random_share / COMBINATIONS + (1.0 - parameters.random_share) * human
    return share


def previous_hits_of(numbers: Sequence[int] | None) -> BoolArray:
    """The (50,) hit row of a previous draw's numbers (all False when unknown)."""
    row = np.zeros(POOL + 1, dtype=np.bool_)
    if numbers:
        row[list(numbers)] = True
    return row
