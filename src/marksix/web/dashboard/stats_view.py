"""The statistics pages' content: the engine's figures turned into charts and notes.

The figures come from `domain.statistics`, `domain.backtest` and, once it
exists, `domain.popularity`; this module only chooses what to draw and how
to say it. Results are cached per history (the bundled one never changes).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from marksix.domain.backtest import EXPECTED_MATCHES, Backtest, run_backtest
from marksix.domain.draws import POOL, DrawHistory
from marksix.domain.statistics import Statistics, compute_statistics
from marksix.web import charts

if TYPE_CHECKING:
    from marksix.domain.popularity import PopularityModel

VIEWS = ("frequency", "gaps", "backtest", "popularity")
RECENT_WINDOW = 100

STRATEGY_NAMES = {
    "random": ("隨機", "random"),
    "hot": ("熱門號", "hot"),
    "cold": ("冷門號", "cold"),
    "overdue": ("久未出", "overdue"),
    "balanced": ("均衡", "balanced"),
    "unpopular": ("少人揀", "unpopular"),
}


@dataclass(slots=True)
class StatsPage:
    view: str
    summary: str = ""
    chart: str | None = None
    notes: list[str] = field(default_factory=list)
    balls: list[tuple[str, list[tuple[int, str]]]] = field(default_factory=list)
    table: list[list[str]] | None = None
    unavailable: str | None = None


def _key(history: DrawHistory) -> tuple[int, str, str]:
    """Histories with the same draws share results, even as distinct objects (the
    archive merges the user's draws into a new history on every load)."""
    if len(history) == 0:
        return (0, "", "")
    return (len(history), history[0].draw_id, history.latest.draw_id)


_by_key: dict[tuple[str, tuple[int, str, str]], Any] = {}
_by_key_lock = threading.Lock()
CACHED_RESULTS = 16


def _cached(kind: str, history: DrawHistory, compute: Callable[[DrawHistory], Any]) -> Any:
    key = (kind, _key(history))
    with _by_key_lock:
        if key in _by_key:
            return _by_key[key]
    result = compute(history)
    with _by_key_lock:
        if len(_by_key) >= CACHED_RESULTS:
            _by_key.pop(next(iter(_by_key)))
        _by_key[key] = result
    return result


def _statistics(history: DrawHistory) -> Statistics:
    statistics: Statistics = _cached("statistics", history, compute_statistics)
    return statistics


def _backtest(history: DrawHistory) -> Backtest:
    backtest: Backtest = _cached("backtest", history, run_backtest)
    return backtest


def stats_page(view: str, history: DrawHistory, t: Callable[..., str], language: str) -> StatsPage:
    if view not in VIEWS:
        raise ValueError(f"unknown statistics view {view!r}; one of {', '.join(VIEWS)}")
    builder = {
        "frequency": _frequency,
        "gaps": _gaps,
        "backtest": _backtest_page,
        "popularity": _popularity,
    }[view]
    return builder(history, t, language)


def _summary(statistics: Statistics, t: Callable[..., str]) -> str:
    return t(
        "stats.draws",
        count=f"{statistics.draws:,}",
        first=f"{statistics.first_draw[0]} {statistics.first_draw[1]}",
        last=f"{statistics.last_draw[0]} {statistics.last_draw[1]}",
    )


def _frequency(history: DrawHistory, t: Callable[..., str], language: str) -> StatsPage:
    statistics = _statistics(history)
    low, high = statistics.band.one_number
    en = language == "en"
    chart = charts.number_bars(
        [float(value) for value in statistics.frequency[1:]],
        label=t("stats.frequency"),
        expected=statistics.expected_frequency,
        band=(float(low), float(high)),
        unit=" times" if en else " 次",
        expected_label="expected" if en else "預期",
    )
    chi = statistics.chi_square
    all_low, all_high = statistics.band.all_numbers
    notes = [
        t("stats.frequency_note"),
        (
            f"All 49 at once, 95% of fair draws keep every count within {all_low}–{all_high}; "
            f"here they run from {statistics.band.observed[0]} to {statistics.band.observed[1]}."
            if en
            else f"49 個號碼一齊睇，95% 公平攪珠會令所有次數落喺 {all_low}–{all_high}；"
            f"實際由 {statistics.band.observed[0]} 到 {statistics.band.observed[1]}。"
        ),
        t(
            "stats.chi_square",
            chi2=f"{chi.statistic:.1f}",
            p=f"{chi.p_value:.3f}",
            verdict=t("stats.uniform") if chi.p_value >= 0.05 else t("stats.not_uniform"),
        ),
    ]
    return StatsPage("frequency", _summary(statistics, t), chart, notes)


def _gaps(history: DrawHistory, t: Callable[..., str], language: str) -> StatsPage:
    statistics = _statistics(history)
    en = language == "en"
    gaps = [max(int(value), 0) for value in statistics.since_last_seen[1:]]
    chart = charts.gap_heatmap(gaps, label=t("stats.gaps"), unit=" draws" if en else "期")
    recent = _statistics(history.last(RECENT_WINDOW))
    window = recent.draws
    counts = recent.frequency
    times = "times" if en else "次"
    balls = [
        (t("stats.hot", window=window), [(n, f"{counts[n]} {times}") for n in recent.hot[:6]]),
        (t("stats.cold", window=window), [(n, f"{counts[n]} {times}") for n in recent.cold[:6]]),
    ]
    longest = sorted(range(1, POOL + 1), key=lambda n: -int(statistics.longest_gap[n]))[:5]
    table = [
        ["Number" if en else "號碼", "Longest gap ever" if en else "歷來最長間隔"],
        *[[str(n), str(int(statistics.longest_gap[n]))] for n in longest],
    ]
    return StatsPage("gaps", _summary(statistics, t), chart, [t("stats.gaps_note")], balls, table)


def strategy_name(strategy: str, language: str) -> str:
    names = STRATEGY_NAMES.get(strategy)
    if names is None:
        return strategy
    return names[1] if language == "en" else names[0]


def _backtest_page(history: DrawHistory, t: Callable[..., str], language: str) -> StatsPage:
    en = language == "en"
    backtest = _backtest(history)
    rows = [
        charts.Interval(
            label=strategy_name(result.strategy, language),
            value=result.mean_matches,
            low=result.interval[0],
            high=result.interval[1],
            note=f"p = {result.p_adjusted:.3f}",
        )
        for result in backtest.results
    ]
    chart = charts.interval_chart(
        rows,
        label=t("stats.backtest"),
        reference=float(EXPECTED_MATCHES),
        reference_label="chance" if en else "隨機預期",
        unit="",
        band=backtest.chance_interval,
    )
    summary = (
        f"{backtest.draws:,} draws scored ({backtest.first_draw} to {backtest.last_draw}); "
        "average numbers matched per line."
        if en
        else f"回測 {backtest.draws:,} 期（{backtest.first_draw} 至 {backtest.last_draw}）；"
        "每注平均中幾多個號碼。"
    )
    verdict = (
        backtest.verdict()
        if en
        else (
            "冇任何策略同隨機有顯著分別：用過去攪珠結果揀號，唔會令你中多啲號碼。"
            if not backtest.any_differs
            else "有策略喺 5% 水平同隨機唔同，但可能只係巧合，而且過去嘅差異唔會延續落去。"
        )
    )
    table = [
        ["Strategy" if en else "策略", "Mean matched" if en else "平均中號", "95%", "p (Holm)"],
        *[
            [
                strategy_name(result.strategy, language),
                f"{result.mean_matches:.4f}",
                f"{result.interval[0]:.4f} – {result.interval[1]:.4f}",
                f"{result.p_adjusted:.3f}",
            ]
            for result in backtest.results
        ],
    ]
    return StatsPage("backtest", summary, chart, [t("stats.backtest_note"), verdict], table=table)


def _popularity(history: DrawHistory, t: Callable[..., str], language: str) -> StatsPage:
    model = popularity_model()
    if model is None:
        return StatsPage("popularity", unavailable="popularity_model.json")
    en = language == "en"
    parameters = model.parameters
    # exp(β) is each number's weight in chosen (not random) play; shown against the average number.
    weights = [math.exp(value) for value in parameters.number_effects]
    mean = sum(weights) / len(weights)
    relative = [weight / mean for weight in weights]
    chart = charts.number_bars(
        relative,
        label=t("stats.popularity"),
        expected=1.0,
        unit="×",
        expected_label="average number" if en else "平均號碼",
    )
    fit = dict(model.fit)
    notes = [t("stats.popularity_note")]
    share = f"{parameters.random_share:.0%}"
    birthday = f"×{math.exp(parameters.birthday_effect):.2f}"
    notes.append(
        f"About {share} of units are random play (Quick Pick); among chosen lines, all-birthday lines "
        f"(every number 1-31) are weighted {birthday}. Model {model.version}."
        if en
        else f"大約 {share} 注係電腦飛（隨機）；自己揀嘅注入面，"
        f"全部號碼 1-31（生日號）嘅組合權重係 {birthday}。模型版本 {model.version}。"
    )
    baseline, error = fit.get("baseline_error"), fit.get("model_error")
    if isinstance(baseline, int | float) and isinstance(error, int | float) and baseline:
        gain = 1 - error / baseline
        notes.append(
            f"On later draws it never saw, its error is {gain:.0%} below assuming everyone plays at random."
            if en
            else f"喺模型未見過嘅較後期數，誤差比「人人隨機買」低 {gain:.0%}。"
        )
    order = sorted(range(1, POOL + 1), key=lambda number: -relative[number - 1])
    times = "×"
    balls = [
        ("Most chosen" if en else "最多人揀", [(n, f"{relative[n - 1]:.2f}{times}") for n in order[:6]]),
        ("Least chosen" if en else "最少人揀", [(n, f"{relative[n - 1]:.2f}{times}") for n in order[-6:]]),
    ]
    return StatsPage("popularity", chart=chart, notes=notes, balls=balls)


def popularity_model() -> PopularityModel | None:
    """The shipped popularity model, or None while the package has none."""
    from marksix.errors import DataError

    try:
        from marksix.draws.popularity_model import shipped_model

        return shipped_model()
    except (ImportError, FileNotFoundError, DataError):
        return None
