"""Rolling-origin backtest: the forecast against the spec's flat 28-day velocity, on the same history.

At each origin (a day in the last ``ORIGIN_WEEKS`` weeks of the history) both methods see only the
days before it and predict the days from it; their errors are then measured on what was sold:

- **MAE at horizon h**: mean |predicted − sold| of a series' units on the h-th day from the origin
  (the h-step-ahead error: day 1 is the origin's own day);
- **bias at horizon h**: Σ(predicted − sold) ÷ Σ sold on that day, in percent;
- **sell-out day error**: for a series stocked to its capacity at the origin, how many days the
  predicted sell-out day (cumulative demand reaching the capacity) misses the real one, over the
  series that really sold out within the forecast horizon.

Only observed days are scored (a sold-out or not-yet-stocked day has no demand to compare with),
the same ones for both methods.
"""

from dataclasses import dataclass

import numpy as np

from .forecast import DemandHistory, forecast_demand

HORIZONS = (1, 3, 7)
ORIGIN_WEEKS = 8
SELL_OUT_HORIZON = 14
FLAT_WINDOW_DAYS = 28
FLAT_NO_HISTORY_RATE = 0.1


@dataclass(frozen=True)
class MethodScore:
    mae: dict[int, float]
    bias_percent: dict[int, float]
    sell_out_day_error: float


@dataclass(frozen=True)
class BacktestResult:
    origins: int
    scored: dict[int, int]
    sell_outs_scored: int
    forecast: MethodScore
    flat: MethodScore

    def mae_reduction_percent(self, horizon: int) -> float:
        return 100.0 * (1.0 - self.forecast.mae[horizon] / self.flat.mae[horizon])


def flat_velocity(history: DemandHistory) -> np.ndarray:
    """The spec's daily velocity per series at the end of ``history``: units in the last 28 days ÷ 28;
    with none, all units ÷ days since the first sale; with no sale at all, 0.1 a day.

    The history's units by day stand in for the sales' exact times (the first sale counts from its
    day's midnight), as the backtest has no finer clock.
    """
    units = history.units
    days = units.shape[1]
    in_window = units[:, max(0, days - FLAT_WINDOW_DAYS) :].sum(axis=1)
    sold = units > 0
    first_sale = np.where(sold.any(axis=1), np.argmax(sold, axis=1), days)
    since_first = np.maximum(days - first_sale, 1)
    rate = np.where(sold.any(axis=1), units.sum(axis=1) / since_first, FLAT_NO_HISTORY_RATE)
    return np.where(in_window > 0, in_window / FLAT_WINDOW_DAYS, rate)


def _sell_out_day(cumulative: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """The first day (1 …) on which ``cumulative`` demand reaches ``stock``; horizon + 1 when never."""
    reached = cumulative >= stock[:, None]
    return np.where(reached.any(axis=1), np.argmax(reached, axis=1) + 1, cumulative.shape[1] + 1)


def backtest(
    history: DemandHistory,
    *,
    capacity: np.ndarray,
    training_days: int = 56,
    origin_weeks: int = ORIGIN_WEEKS,
) -> BacktestResult:
    """Score both methods at every day of the last ``origin_weeks`` weeks that leaves a full
    ``SELL_OUT_HORIZON`` after it; each origin learns from the ``training_days`` before it."""
    days = history.days
    last_origin = days - SELL_OUT_HORIZON
    first_origin = max(training_days, last_origin - 7 * origin_weeks + 1)
    errors = {name: {h: [] for h in HORIZONS} for name in ("forecast", "flat")}
    signed = {name: {h: [] for h in HORIZONS} for name in ("forecast", "flat")}
    sold_totals = dict.fromkeys(HORIZONS, 0.0)
    sell_out_errors = {"forecast": [], "flat": []}
    stocked = capacity > 0
    origins = range(first_origin, last_origin + 1)
    for origin in origins:
        # The flat rule reads all history (its fallback counts from the first sale ever).
        predicted = {
            "forecast": forecast_demand(history.window(origin - training_days, origin), horizon=SELL_OUT_HORIZON).mean,
            "flat": np.repeat(flat_velocity(history.window(0, origin))[:, None], SELL_OUT_HORIZON, axis=1),
        }
        actual = history.units[:, origin : origin + SELL_OUT_HORIZON]
        seen = history.observed[:, origin : origin + SELL_OUT_HORIZON]
        for h in HORIZONS:
            scored = seen[:, h - 1]
            sold = actual[scored, h - 1]
            sold_totals[h] += sold.sum()
            for name, mean in predicted.items():
                difference = mean[scored, h - 1] - sold
                errors[name][h].append(np.abs(difference))
                signed[name][h].append(difference)
        whole = seen.all(axis=1) & stocked
        real_day = _sell_out_day(np.cumsum(actual[whole], axis=1), capacity[whole])
        sold_out = real_day <= SELL_OUT_HORIZON
        for name, mean in predicted.items():
            predicted_day = _sell_out_day(np.cumsum(mean[whole], axis=1), capacity[whole])
            sell_out_errors[name].append(np.abs(predicted_day - real_day)[sold_out])

    def score(name):
        return MethodScore(
            mae={h: float(np.concatenate(errors[name][h]).mean()) for h in HORIZONS},
            bias_percent={h: 100.0 * float(np.concatenate(signed[name][h]).sum()) / sold_totals[h] for h in HORIZONS},
            sell_out_day_error=float(np.concatenate(sell_out_errors[name]).mean()),
        )

    return BacktestResult(
        origins=len(origins),
        scored={h: sum(len(e) for e in errors["forecast"][h]) for h in HORIZONS},
        sell_outs_scored=sum(len(e) for e in sell_out_errors["forecast"]),
        forecast=score("forecast"),
        flat=score("flat"),
    )


def backtest_table(result: BacktestResult) -> list[str]:
    """The result as the lines the command and the bench print."""
    lines = [
        f"{result.origins} origins; series-origins scored: "
        + ", ".join(f"h={h}: {result.scored[h]:,}" for h in HORIZONS)
        + f"; sell-outs scored: {result.sell_outs_scored:,}",
        f"{'horizon':>8} | {'MAE forecast':>12} | {'MAE flat 28-day':>15} | {'MAE change':>10} | "
        f"{'bias forecast':>13} | {'bias flat':>9}",
    ]
    for h in HORIZONS:
        lines.append(
            f"{h:>6} d | {result.forecast.mae[h]:>12.3f} | {result.flat.mae[h]:>15.3f} | "
            f"{-result.mae_reduction_percent(h):>+9.1f}% | {result.forecast.bias_percent[h]:>+12.1f}% | "
            f"{result.flat.bias_percent[h]:>+8.1f}%"
        )
    lines.append(
        f"sell-out day error (days, full slot): forecast {result.forecast.sell_out_day_error:.2f}, "
        f"flat 28-day {result.flat.sell_out_day_error:.2f}"
    )
    return lines
