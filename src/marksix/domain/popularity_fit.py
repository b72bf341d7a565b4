"""Fitting the popularity model to HKJC's winner counts, and testing it out of sample.

For each 6/49 draw with published figures, uniform random play predicts
`units sold × tier probability` winning units per tier; the model predicts
`units sold × tier share` (see `popularity.tier_shares`). Tiers 3 to 7 have
enough winners to learn from (tens to hundreds of thousands of units); tiers
1 and 2 are too small and are left out.

The error is the root mean square of ln((winners + ½) / (predicted + ½)) over
draws and tiers 3-7: a relative error that treats a 10% miss on tier 7 and on
tier 3 alike. It is minimised with scipy's trust-region least squares, with a
small ridge penalty that pins down the scale of the number effects (only their
differences matter) and keeps rarely-seen shapes near zero.

Validation is strictly forward: fit on draws before a cut-off date, predict
the later draws' winners, and compare with the uniform baseline on the same
draws. The shipped parameters are then refitted on every draw.

A second, independent check: 1st-prize winner counts are never used in the
fit, yet the model should predict them. `first_prize_check` groups draws by
how popular the model says the drawn combination was and compares the
1st-prize units HKJC recorded with the model's and uniform play's predictions.

Tried and not kept: weighting recent draws more (6-year scale) or fitting on
2014-2021 only; the holdout error was 0.1813 and 0.1856 against 0.1816.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from marksix.domain.draws import PICKED, POOL, DrawHistory
from marksix.domain.popularity import (
    SHAPE_FEATURES,
    DrawContext,
    FloatArray,
    PopularityModel,
    PopularityParameters,
    draw_context,
    tier_shares,
)
from marksix.domain.prizes import DrawPrizes
from marksix.domain.rules import SIX_FROM_49_FROM, unit_price
from marksix.errors import DataError

#: Tiers with enough winners in every draw to estimate from.
FIT_TIERS: tuple[int, ...] = (3, 4, 5, 6, 7)
METRIC = "rmse_log_winners"
METRIC_TEXT = "root mean square of ln((winners + 0.5) / (predicted + 0.5)), tiers 3-7"
#: Draws from this date on are held out for validation by default.
DEFAULT_HOLDOUT_FROM = dt.date(2022, 1, 1)
#: Weight of the ridge penalty, in units of one draw-tier residual squared.
RIDGE = 0.01
MODEL_VERSION_PREFIX = "popularity-1"

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class WinnerData:
    """Per draw: the numbers, the previous draw, units sold and winners per fit tier."""

    draw_ids: tuple[str, ...]
    dates: tuple[dt.date, ...]
    drawn: npt.NDArray[np.int64]  # (T, 6)
    extra: npt.NDArray[np.int64]  # (T,)
    previous_hits: npt.NDArray[np.bool_]  # (T, 50)
    units_sold: FloatArray  # (T,)
    winners: FloatArray  # (T, len(FIT_TIERS))

    def __len__(self) -> int:
        return len(self.draw_ids)

    def select(self, mask: npt.NDArray[np.bool_]) -> WinnerData:
        chosen = np.nonzero(mask)[0]
        return WinnerData(
            tuple(self.draw_ids[i] for i in chosen),
            tuple(self.dates[i] for i in chosen),
            self.drawn[chosen],
            self.extra[chosen],
            self.previous_hits[chosen],
            self.units_sold[chosen],
            self.winners[chosen],
        )

    def split(self, holdout_from: dt.date) -> tuple[WinnerData, WinnerData]:
        later = np.array([date >= holdout_from for date in self.dates], dtype=np.bool_)
        return self.select(~later), self.select(later)

    def context(self) -> DrawContext:
        return draw_context(self.drawn, self.extra, self.previous_hits)


def winner_data(history: DrawHistory, prizes: Mapping[str, DrawPrizes]) -> WinnerData:
    """Join draws with their prize figures: every 6/49 draw with turnover and
    winners for tiers 3-7 whose previous draw is also 6/49."""
    rows: list[tuple[int, float, list[float]]] = []
    for index, draw in enumerate(history):
        if index == 0 or history[index - 1].date < SIX_FROM_49_FROM or draw.date < SIX_FROM_49_FROM:
            continue
        record = prizes.get(draw.draw_id)
        if record is None or not record.turnover or any(t not in record.winning_units for t in FIT_TIERS):
            continue
        units = record.turnover / unit_price(draw.date)
        rows.append((index, units, [float(record.winning_units[t]) for t in FIT_TIERS]))
    if not rows:
        raise DataError("no 6/49 draw has both its numbers and its winner counts; nothing to fit")
    indices = [index for index, _, _ in rows]
    previous = np.zeros((len(rows), POOL + 1), dtype=np.bool_)
    for row, index in enumerate(indices):
        previous[row, list(history[index - 1].numbers)] = True
    return WinnerData(
        draw_ids=tuple(history[i].draw_id for i in indices),
        dates=tuple(history[i].date for i in indices),
        drawn=np.array([history[i].numbers for i in indices], dtype=np.int64).reshape(-1, PICKED),
        extra=np.array([history[i].extra for i in indices], dtype=np.int64),
        previous_hits=previous,
        units_sold=np.array([units for _, units, _ in rows], dtype=np.float64),
        winners=np.array([winners for _, _, winners in rows], dtype=np.float64),
    )


# -- the parameter vector: [logit random_share, β_1..β_49, δ, γ_birthday, γ_shapes...]
def _to_vector(parameters: PopularityParameters) -> FloatArray:
    share = min(max(parameters.random_share, 1e-6), 1 - 1e-6)
    return np.array(
        [
            np.log(share / (1 - share)),
            *parameters.number_effects,
            parameters.previous_draw_effect,
            parameters.birthday_effect,
            *parameters.shape_effects,
        ],
        dtype=np.float64,
    )


def _from_vector(vector: FloatArray) -> PopularityParameters:
    beta = vector[1 : POOL + 1]
    return PopularityParameters(
        random_share=float(1 / (1 + np.exp(-vector[0]))),
        number_effects=tuple(float(v) for v in beta - beta.mean()),
        previous_draw_effect=float(vector[POOL + 1]),
        birthday_effect=float(vector[POOL + 2]),
        shape_effects=tuple(float(v) for v in vector[POOL + 3 :]),
    )


def predicted_winners(parameters: PopularityParameters, data: WinnerData, context: DrawContext) -> FloatArray:
    """Expected winning units per draw and fit tier (T, len(FIT_TIERS))."""
    shares = tier_shares(parameters, context)[:, list(FIT_TIERS)]
    predicted: FloatArray = data.units_sold[:, None] * shares
    return predicted


def log_errors(predicted: FloatArray, winners: FloatArray) -> FloatArray:
    errors: FloatArray = np.log(winners + 0.5) - np.log(predicted + 0.5)
    return errors


def rmse(errors: FloatArray) -> float:
    return float(np.sqrt(np.mean(np.square(errors))))


def evaluate(parameters: PopularityParameters, data: WinnerData) -> dict[str, Any]:
    """Model and uniform-baseline errors on `data`, overall and per tier."""
    model_errors = log_errors(predicted_winners(parameters, data, data.context()), data.winners)
    baseline = PopularityParameters.uniform()
    baseline_errors = log_errors(predicted_winners(baseline, data, data.context()), data.winners)
    return {
        "draws": len(data),
        "baseline_error": round(rmse(baseline_errors), 5),
        "model_error": round(rmse(model_errors), 5),
        "by_tier": {
            str(tier): {
                "baseline_error": round(rmse(baseline_errors[:, column]), 5),
                "model_error": round(rmse(model_errors[:, column]), 5),
            }
            for column, tier in enumerate(FIT_TIERS)
        },
    }


def fit_parameters(
    data: WinnerData,
    *,
    start: PopularityParameters | None = None,
    progress: Progress | None = None,
    max_evaluations: int = 4000,
) -> PopularityParameters:
    """Least-squares fit of the log winner counts (scipy imported here: it is slow to load)."""
    from scipy.optimize import least_squares

    context = data.context()
    ridge = np.sqrt(RIDGE)
    evaluations = 0
    started = time.monotonic()

    def residuals(vector: FloatArray) -> FloatArray:
        nonlocal evaluations
        evaluations += 1
        parameters = _from_vector(vector)
        errors = log_errors(predicted_winners(parameters, data, context), data.winners).ravel()
        if progress is not None and evaluations % 100 == 0:
            progress(
                f"  evaluation {evaluations:,}: error {rmse(errors):.5f} ({time.monotonic() - started:.0f} s)"
            )
        return np.concatenate((errors, ridge * vector[1:]))

    initial = start or PopularityParameters(0.5, (0.0,) * POOL, 0.0, 0.0, (0.0,) * len(SHAPE_FEATURES))
    solution = least_squares(
        residuals,
        _to_vector(initial),
        method="trf",
        x_scale=1.0,
        max_nfev=max_evaluations,
        # Stop once an iteration improves the cost by under 1e-6: the error
        # is flat to 5 digits long before scipy's default tolerance is met.
        ftol=1e-6,
    )
    return _from_vector(np.asarray(solution.x, dtype=np.float64))


def fit_model(
    history: DrawHistory,
    prizes: Mapping[str, DrawPrizes],
    *,
    holdout_from: dt.date = DEFAULT_HOLDOUT_FROM,
    today: dt.date | None = None,
    progress: Progress | None = None,
    max_evaluations: int = 4000,
) -> PopularityModel:
    """Validate forward (fit before `holdout_from`, test after), then refit on all draws."""
    say = progress or (lambda _: None)
    data = winner_data(history, prizes)
    earlier, later = data.split(holdout_from)
    if len(earlier) < 50 or len(later) < 10:
        raise DataError(
            f"too few draws to validate: {len(earlier)} before {holdout_from} and {len(later)} from it"
        )
    say(f"Fitting on {len(earlier):,} draws {earlier.dates[0]} .. {earlier.dates[-1]}")
    validated = fit_parameters(earlier, progress=progress, max_evaluations=max_evaluations)
    holdout = evaluate(validated, later)
    say(
        f"Holdout {len(later):,} draws: baseline {holdout['baseline_error']:.4f}, "
        f"model {holdout['model_error']:.4f} ({METRIC})"
    )
    say(f"Refitting on all {len(data):,} draws")
    final = fit_parameters(data, start=validated, progress=progress, max_evaluations=max_evaluations)
    in_sample = evaluate(final, data)
    summary = fit_summary(
        data, earlier=earlier, later=later, holdout=holdout, in_sample=in_sample, today=today
    )
    summary["first_prize_check"] = first_prize_check(final, data, prizes)
    return PopularityModel(
        version=f"{MODEL_VERSION_PREFIX}+{data.dates[-1].isoformat()}", parameters=final, fit=summary
    )


def first_prize_check(
    parameters: PopularityParameters, data: WinnerData, prizes: Mapping[str, DrawPrizes], groups: int = 5
) -> dict[str, Any]:
    """1st-prize units (never fitted) by the model's popularity of the drawn line."""
    first = np.array([float(prizes[draw_id].winning_units.get(1, 0)) for draw_id in data.draw_ids])
    context = data.context()
    model = data.units_sold * tier_shares(parameters, context)[:, 1]
    uniform = data.units_sold * tier_shares(PopularityParameters.uniform(), context)[:, 1]
    ratio = model / uniform
    order = np.argsort(ratio, kind="stable")
    rows = []
    for chunk in np.array_split(order, groups):
        rows.append(
            {
                "popularity_from": round(float(ratio[chunk].min()), 3),
                "popularity_to": round(float(ratio[chunk].max()), 3),
                "draws": len(chunk),
                "actual_units": round(float(first[chunk].sum()), 1),
                "model_units": round(float(model[chunk].sum()), 1),
                "uniform_units": round(float(uniform[chunk].sum()), 1),
            }
        )

    def poisson_log_likelihood(expected: FloatArray) -> float:
        return float(np.sum(first * np.log(expected) - expected))

    gain = poisson_log_likelihood(model) - poisson_log_likelihood(uniform)
    return {
        "draws": len(data),
        "groups": rows,
        "poisson_log_likelihood_gain": round(gain, 1),
    }


def fit_summary(
    data: WinnerData,
    *,
    earlier: WinnerData,
    later: WinnerData,
    holdout: Mapping[str, Any],
    in_sample: Mapping[str, Any],
    today: dt.date | None,
) -> dict[str, Any]:
    def span(part: WinnerData) -> dict[str, str]:
        return {"from": part.dates[0].isoformat(), "to": part.dates[-1].isoformat()}

    return {
        "fitted_on": today.isoformat() if today else None,
        "metric": METRIC,
        "metric_text": METRIC_TEXT,
        "tiers": list(FIT_TIERS),
        "fit_draws": len(earlier),
        "fit_range": span(earlier),
        "holdout_draws": len(later),
        "holdout_range": span(later),
        "baseline_error": holdout["baseline_error"],
        "model_error": holdout["model_error"],
        "holdout_by_tier": holdout["by_tier"],
        "final_fit_draws": len(data),
        "final_fit_range": span(data),
        "final_in_sample": {
            "baseline_error": in_sample["baseline_error"],
            "model_error": in_sample["model_error"],
        },
    }


def strongest_effects(parameters: PopularityParameters, count: int = 5) -> dict[str, list[int]]:
    """The most and least popular numbers by effect, for reports."""
    order: Sequence[int] = sorted(range(POOL), key=lambda i: parameters.number_effects[i])
    return {
        "most_popular": [i + 1 for i in reversed(order[-count:])],
        "least_popular": [i + 1 for i in order[:count]],
    }
