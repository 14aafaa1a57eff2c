"""Demand forecast: expected units of each product at each machine for each of the next days.

One set-based pass over the whole fleet (numpy arrays, one row per machine-product series), from the
daily sales rollup. The model, multiplicative like the demand it describes:

    expected units on day t = level × weekday factor(machine, weekday of t) × exp(growth × age of t)

- **Weekday factor**: the machine's own weekly pattern (all its products together, which is dense
  where one product is sparse), shrunk toward the fleet's pattern by ``WEEKDAY_PRIOR_UNITS``: a
  sparse series borrows its machine's pattern, a quiet machine the fleet's.
- **Level**: the Poisson rate estimate Σ wₜ·unitsₜ / Σ wₜ·factorₜ over the days that count, with
  weights halving every ``LEVEL_HALF_LIFE_DAYS`` (recent days count most), plus ``PRIOR_DAYS``
  pseudo-days at the rate the product sells at across the fleet relative to its machine's volume:
  a new or sparse series borrows from its machine and product.
- **Growth**: the machine's trend, the log-ratio of its weekday-adjusted rate in the last four weeks
  to the four before, shrunk toward 0 by its volume and clipped; it carries the level from the
  weighted days' centre to each forecast day (the "trend-robust" level).
- **Censoring**: a day on which a slot holding the product stood empty (``DemandHistory.observed``
  is False) says only that demand was *at least* the sales; it is left out of the level instead of
  pulling it down. Days before a series' first sale are left out the same way (not installed yet).
- **Not selling**: a machine whose trailing run of zero-sale days is improbable under its own rate
  (probability below ``not_selling_p``) is broken or switched off; it will sell nothing until
  someone looks at it, and is forecast 0.
- **Prediction interval**: negative binomial with the over-dispersion the fit's Pearson residuals
  show across the fleet (variance = dispersion × mean), quantiles per series and day.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy import stats

LEVEL_HALF_LIFE_DAYS = 14
SHARE_PRIOR_UNITS = 20.0
WEEKDAY_PRIOR_UNITS = 20.0
TREND_WINDOW_DAYS = 28
TREND_PRIOR_UNITS = 1000.0
MAX_DAILY_GROWTH = 0.02
NOT_SELLING_P = 0.01
INTERVAL = (0.1, 0.9)
DAYS_A_WEEK = 7


@dataclass(frozen=True)
class DemandHistory:
    """Units sold per series (a product at a machine) per local day, and which days count.

    ``units[s, t]`` is series ``s`` on ``first_day + t``; ``stocked[s, t]`` says the machine offered
    the product that day (from its first sale there on); ``observed[s, t]`` says the day shows the
    whole demand: stocked, and no slot holding it stood empty (a censored day is stocked, not observed).
    ``device_index[s]`` numbers the machines 0 … n-1 (``device_ids`` names them).
    """

    device_ids: np.ndarray
    product_ids: np.ndarray
    device_index: np.ndarray
    first_day: dt.date
    units: np.ndarray
    observed: np.ndarray
    stocked: np.ndarray

    @property
    def days(self) -> int:
        return self.units.shape[1]

    @property
    def n_devices(self) -> int:
        return int(self.device_index.max()) + 1 if len(self.device_index) else 0

    def window(self, start: int, end: int) -> "DemandHistory":
        """The days with indices ``start`` … ``end - 1`` (what a backtest's origin may see)."""
        return DemandHistory(
            device_ids=self.device_ids,
            product_ids=self.product_ids,
            device_index=self.device_index,
            first_day=self.first_day + dt.timedelta(days=start),
            units=self.units[:, start:end],
            observed=self.observed[:, start:end],
            stocked=self.stocked[:, start:end],
        )


@dataclass(frozen=True)
class DemandForecast:
    """Expected units per series for ``horizon`` days from ``first_day``, and their spread."""

    device_ids: np.ndarray
    product_ids: np.ndarray
    device_index: np.ndarray
    first_day: dt.date
    mean: np.ndarray
    dispersion: float
    device_not_selling: np.ndarray

    def by_device(self) -> dict[int, dict[int, np.ndarray]]:
        """``{device_id: {product_id: expected units per day}}``."""
        demand: dict[int, dict[int, np.ndarray]] = {}
        for row, (device, product) in enumerate(zip(self.device_ids[self.device_index], self.product_ids, strict=True)):
            demand.setdefault(int(device), {})[int(product)] = self.mean[row]
        return demand

    def interval(self, probabilities=INTERVAL) -> list[np.ndarray]:
        """Each day's prediction interval (80 % by default) of units sold, per series."""
        return demand_quantiles(self.mean, self.dispersion, probabilities)


def _weekdays(first_day: dt.date, days: int, offset: int = 0) -> np.ndarray:
    return (first_day.weekday() + offset + np.arange(days)) % DAYS_A_WEEK


def _per_device(values: np.ndarray, device_index: np.ndarray, n_devices: int) -> np.ndarray:
    """Rows of ``values`` (series × …) summed per machine."""
    out = np.zeros((n_devices, *values.shape[1:]))
    np.add.at(out, device_index, values)
    return out


def _weekday_factors(units: np.ndarray, counted: np.ndarray, weekday: np.ndarray) -> np.ndarray:
    """Each row's weekday pattern (mean 1 over the week), shrunk toward the pooled pattern.

    ``counted[d, t]`` is how much of row d's demand day t shows (0 … 1). A weekday no row has seen
    gets factor 1: nothing says it differs from the rest of the week.
    """
    by_weekday = np.zeros((units.shape[0], DAYS_A_WEEK))
    days_by_weekday = np.zeros((units.shape[0], DAYS_A_WEEK))
    for k in range(DAYS_A_WEEK):
        on_k = weekday == k
        by_weekday[:, k] = units[:, on_k].sum(axis=1)
        days_by_weekday[:, k] = counted[:, on_k].sum(axis=1)
    rate = by_weekday.sum(axis=1) / np.maximum(days_by_weekday.sum(axis=1), 1e-9)
    # Pooled over every row: the pattern a quiet row is pulled toward.
    pooled_days = days_by_weekday.sum(axis=0)
    overall_rate = by_weekday.sum() / max(pooled_days.sum(), 1e-9)
    pooled_rate = np.where(pooled_days > 0, by_weekday.sum(axis=0) / np.maximum(pooled_days, 1e-9), overall_rate)
    pooled = pooled_rate / max(pooled_rate.mean(), 1e-9) if overall_rate > 0 else np.ones(DAYS_A_WEEK)
    expected = days_by_weekday * rate[:, None]
    factors = (by_weekday + WEEKDAY_PRIOR_UNITS * pooled) / (expected + WEEKDAY_PRIOR_UNITS)
    return factors / factors.mean(axis=1, keepdims=True)


def forecast_demand(
    history: DemandHistory, *, horizon: int = 14, not_selling_p: float = NOT_SELLING_P
) -> DemandForecast:
    """The next ``horizon`` days' demand of every series in ``history`` (from the day after its last)."""
    days = history.units.shape[1]
    n_devices = history.n_devices
    units = history.units.astype(float)
    observed = history.observed
    weekday = _weekdays(history.first_day, days)
    age = (days - 1 - np.arange(days)).astype(float)

    device_units = _per_device(units * observed, history.device_index, n_devices)
    # How much of the machine's demand each day shows (0 … 1): a product sold out that day is missing
    # from the machine's sales, and the day counts for only the rest, else censoring would leak into the
    # machine's weekday pattern, level and shares through its totals. The shares say how much each
    # product it offered that day weighs; a first pass counts every product alike.
    stocked = history.stocked
    device_counted = _per_device(observed.astype(float), history.device_index, n_devices) / np.maximum(
        _per_device(stocked.astype(float), history.device_index, n_devices), 1
    )
    for _ in range(2):
        share = _series_share(history, units, observed, device_units, device_counted)
        device_counted = _per_device(share[:, None] * observed, history.device_index, n_devices) / np.maximum(
            _per_device(share[:, None] * stocked, history.device_index, n_devices), 1e-12
        )
    factors = _weekday_factors(device_units, device_counted, weekday)
    device_factor = factors[:, weekday]
    growth = _device_growth(device_units, device_counted, device_factor)

    # The machine's rate, recent days weighted most; dense where one product's sales are sparse.
    weights = 0.5 ** (age / LEVEL_HALF_LIFE_DAYS) * (device_counted > 0)
    exposure = (weights * device_factor * device_counted).sum(axis=1)
    device_level = (weights * device_units).sum(axis=1) / np.maximum(exposure, 1e-9)
    # The weighted days' centre in time: the growth carries the level from there to each forecast day.
    centre_age = (weights * device_factor * device_counted * age).sum(axis=1) / np.maximum(exposure, 1e-9)

    ahead = np.arange(1, horizon + 1)
    forecast_weekday = _weekdays(history.first_day, horizon, offset=days)
    device_mean = (
        device_level[:, None]
        * factors[:, forecast_weekday]
        * np.exp(growth[:, None] * (centre_age[:, None] + ahead[None, :]))
    )
    device_fitted = device_level[:, None] * device_factor * np.exp(growth[:, None] * (centre_age[:, None] - age))
    not_selling = _devices_not_selling(device_units, device_fitted, device_counted, not_selling_p)
    device_mean[not_selling] = 0.0
    mean = device_mean[history.device_index] * share[:, None]
    fitted = device_fitted[history.device_index] * share[:, None]

    return DemandForecast(
        device_ids=history.device_ids,
        product_ids=history.product_ids,
        device_index=history.device_index,
        first_day=history.first_day + dt.timedelta(days=days),
        mean=mean,
        dispersion=_dispersion(units, fitted, observed),
        device_not_selling=not_selling,
    )


def _series_share(history, units, observed, device_units, device_counted) -> np.ndarray:
    """Each series' share of its machine's demand, over every day the series counts (the share moves
    far less than the machine's volume, so the whole history estimates it), pulled toward the
    share its product has wherever it is stocked by ``SHARE_PRIOR_UNITS`` of the machine's sales.
    The machine's demand on a day is its sales scaled up by how much of it the day shows."""
    series_units = (units * observed).sum(axis=1)
    machine_demand = device_units / np.maximum(device_counted, 1e-9)
    machine_units = (machine_demand[history.device_index] * observed).sum(axis=1)
    products, product_index = np.unique(history.product_ids, return_inverse=True)
    product_share = np.bincount(product_index, series_units, minlength=len(products)) / np.maximum(
        np.bincount(product_index, machine_units, minlength=len(products)), 1e-9
    )
    return (series_units + SHARE_PRIOR_UNITS * product_share[product_index]) / (machine_units + SHARE_PRIOR_UNITS)


def _device_growth(device_units, device_counted, device_factor) -> np.ndarray:
    """Daily growth per machine: the log-ratio of its weekday-adjusted rates in the last
    ``TREND_WINDOW_DAYS`` and the ones before, shrunk toward 0 where the machine sold little."""
    days = device_units.shape[1]
    if days < 2 * TREND_WINDOW_DAYS:
        return np.zeros(device_units.shape[0])
    recent = slice(days - TREND_WINDOW_DAYS, days)
    before = slice(days - 2 * TREND_WINDOW_DAYS, days - TREND_WINDOW_DAYS)
    units_recent = device_units[:, recent].sum(axis=1)
    units_before = device_units[:, before].sum(axis=1)
    exposure_recent = (device_factor[:, recent] * device_counted[:, recent]).sum(axis=1)
    exposure_before = (device_factor[:, before] * device_counted[:, before]).sum(axis=1)
    # Half a unit on each side keeps a quiet month from reading as infinite growth.
    ratio = ((units_recent + 0.5) / np.maximum(exposure_recent, 1)) / (
        (units_before + 0.5) / np.maximum(exposure_before, 1)
    )
    growth = np.log(ratio) / TREND_WINDOW_DAYS
    volume = units_recent + units_before
    growth *= volume / (volume + TREND_PRIOR_UNITS)
    both_seen = (exposure_recent > 0) & (exposure_before > 0)
    return np.where(both_seen, np.clip(growth, -MAX_DAILY_GROWTH, MAX_DAILY_GROWTH), 0.0)


def _devices_not_selling(device_units, device_fitted, device_counted, p) -> np.ndarray:
    """Machines whose trailing run of days without a sale has probability below ``p`` under their rate."""
    device_fitted = device_fitted * device_counted
    n_devices = device_units.shape[0]
    sold = device_units > 0
    days = sold.shape[1]
    # Days since the last sale (no machine without any sale is judged: it may be new).
    last_sale = np.where(sold.any(axis=1), days - 1 - np.argmax(sold[:, ::-1], axis=1), -1)
    # expected_from[d, t]: the units machine d was expected to sell from day t to the end.
    expected_from = np.concatenate(
        [np.cumsum(device_fitted[:, ::-1], axis=1)[:, ::-1], np.zeros((n_devices, 1))], axis=1
    )
    run_expected = expected_from[np.arange(n_devices), last_sale + 1]
    # Poisson: P(no sale in the run) = exp(−expected units in the run).
    return (last_sale >= 0) & (np.exp(-run_expected) < p)


def _dispersion(units, fitted, observed) -> float:
    """Variance ÷ mean of daily units around the fit, pooled over the fleet (1 for Poisson)."""
    counted = observed & (fitted > 0.05)
    if not counted.any():
        return 1.0
    pearson = ((units - fitted) ** 2 / np.where(counted, fitted, 1))[counted]
    return float(max(1.0, pearson.mean()))


def demand_quantiles(mean: np.ndarray, dispersion: float, probabilities) -> list[np.ndarray]:
    """Quantiles of units sold for each expected ``mean``: negative binomial with variance
    ``dispersion × mean`` (Poisson at dispersion 1)."""
    mean = np.asarray(mean, dtype=float)
    if dispersion <= 1.0 + 1e-9:
        return [stats.poisson.ppf(q, mean) for q in probabilities]
    size = mean / (dispersion - 1.0)
    success = 1.0 / dispersion
    return [np.where(mean > 0, stats.nbinom.ppf(q, np.maximum(size, 1e-12), success), 0.0) for q in probabilities]


def probability_demand_at_least(quantity, mean, dispersion: float) -> np.ndarray:
    """P(units sold ≥ ``quantity``) when ``mean`` units are expected: the chance a slot holding
    ``quantity`` sells out within the time ``mean`` covers."""
    quantity = np.asarray(quantity, dtype=float)
    mean = np.asarray(mean, dtype=float)
    if dispersion <= 1.0 + 1e-9:
        tail = stats.poisson.sf(quantity - 1, mean)
    else:
        tail = stats.nbinom.sf(quantity - 1, np.maximum(mean / (dispersion - 1.0), 1e-12), 1.0 / dispersion)
    return np.where(quantity <= 0, 1.0, np.where(mean > 0, tail, 0.0))
