"""The demand forecast against hand-computed cases and independent computations."""

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from planning.backtest import flat_velocity
from planning.forecast import DemandHistory, demand_quantiles, forecast_demand, probability_demand_at_least

MONDAY = dt.date(2026, 9, 7)
DAYS = 56


def history(units, observed=None, devices=None, products=None, stocked=None, first_day=MONDAY) -> DemandHistory:
    units = np.asarray(units, dtype=float)
    n = units.shape[0]
    devices = np.zeros(n, dtype=int) if devices is None else np.asarray(devices)
    device_ids, device_index = np.unique(devices, return_inverse=True)
    return DemandHistory(
        device_ids=device_ids + 100,
        product_ids=np.arange(n) + 1 if products is None else np.asarray(products),
        device_index=device_index,
        first_day=first_day,
        units=units,
        observed=np.ones(units.shape, dtype=bool) if observed is None else np.asarray(observed),
        stocked=np.ones(units.shape, dtype=bool) if stocked is None else np.asarray(stocked),
    )


def test_steady_demand_is_forecast_as_it_is():
    forecast = forecast_demand(history(np.full((1, DAYS), 2.0)), horizon=14)

    np.testing.assert_allclose(forecast.mean, 2.0)
    assert forecast.first_day == MONDAY + dt.timedelta(days=DAYS)


def test_a_weekday_pattern_is_kept():
    # Four units every Monday, none otherwise: 4 on the Mondays ahead, 0 on the other days.
    units = np.zeros((1, DAYS))
    units[0, ::7] = 4

    forecast = forecast_demand(history(units), horizon=14)

    expected = np.zeros(14)
    expected[::7] = 4
    np.testing.assert_allclose(forecast.mean[0], expected, atol=1e-9)


def test_sold_out_tuesdays_do_not_lower_the_tuesday_forecast():
    # Product 1 sells 3 a day, product 2 sells 2. Every Tuesday product 1's slot ran empty at noon
    # (1 sold): those days are censored, and must not pull its Tuesday forecast down.
    units = np.vstack([np.full(DAYS, 3.0), np.full(DAYS, 2.0)])
    tuesdays = np.arange(1, DAYS, 7)
    units[0, tuesdays] = 1
    observed = np.ones(units.shape, dtype=bool)
    observed[0, tuesdays] = False

    censored = forecast_demand(history(units, observed), horizon=7)
    as_zero_demand = forecast_demand(history(units), horizon=7)

    tuesday_ahead = 1  # the forecast starts on a Monday
    assert censored.mean[0, tuesday_ahead] == pytest.approx(3.0, abs=0.01)
    assert censored.mean[1, tuesday_ahead] == pytest.approx(2.0, abs=0.01)
    # The same history read without censoring (the failure this guards against).
    assert as_zero_demand.mean[0, tuesday_ahead] < 2.8


def test_a_product_new_to_a_machine_borrows_its_share_elsewhere_and_its_machines_volume():
    # Product 7 is a tenth of machine A's 10 units a day; machine B sells 20 a day and has just
    # been given product 7 (no day of it observed yet): 10 % of 20.
    units = np.vstack([np.full(DAYS, 1.0), np.full(DAYS, 9.0), np.zeros(DAYS), np.full(DAYS, 20.0)])
    offered = np.ones(units.shape, dtype=bool)
    offered[2] = False

    forecast = forecast_demand(
        history(units, offered, devices=[0, 0, 1, 1], products=[7, 8, 7, 9], stocked=offered), horizon=3
    )

    np.testing.assert_allclose(forecast.mean[2], 2.0)


def test_a_machine_that_stopped_selling_is_forecast_zero_and_flagged():
    busy = np.full(DAYS, 20.0)
    busy[-3:] = 0  # 60 units expected in 3 days, none sold: p = e^-60
    slow = np.zeros(DAYS)
    slow[::5] = 1  # 0.2 a day; its last sale was 1 day ago, zero runs of days are normal for it
    slow[-3:] = 0

    forecast = forecast_demand(history(np.vstack([busy, slow]), devices=[0, 1]), horizon=5)

    assert forecast.device_not_selling.tolist() == [True, False]
    np.testing.assert_allclose(forecast.mean[0], 0.0)
    assert forecast.mean[1].sum() > 0


def test_growth_is_followed_where_the_flat_average_lags():
    t = np.arange(DAYS)
    units = (10 * np.exp(0.01 * t))[None, :]
    truth_next_week = 10 * np.exp(0.01 * (DAYS + np.arange(7))).mean()

    forecast = forecast_demand(history(units), horizon=7).mean[0].mean()
    flat = flat_velocity(history(units))[0]

    # The growth estimate is shrunk toward none by the machine's volume (a month's noise is not a trend),
    # so it closes part of the gap, not all of it.
    assert flat < forecast < truth_next_week
    assert abs(forecast - truth_next_week) < 0.7 * abs(flat - truth_next_week)


def test_the_interval_is_poisson_for_poisson_data():
    forecast = forecast_demand(history(np.full((1, DAYS), 2.0)), horizon=2)
    lower, upper = forecast.interval()

    assert forecast.dispersion == 1.0  # no spread around the fit at all
    # Poisson(2): P(X ≤ 0) = 0.135 ≥ 0.1, P(X ≤ 3) = 0.857 < 0.9 ≤ P(X ≤ 4) = 0.947.
    assert lower.tolist() == [[0.0, 0.0]]
    assert upper.tolist() == [[4.0, 4.0]]


def _poisson_at_least(quantity, mean):
    return 1.0 - sum(math.exp(-mean) * mean**k / math.factorial(k) for k in range(quantity))


@pytest.mark.parametrize(("quantity", "mean"), [(0, 1.0), (1, 0.5), (3, 2.0), (10, 7.5), (4, 0.0)])
def test_the_chance_of_selling_out_is_the_poisson_tail(quantity, mean):
    expected = 1.0 if quantity == 0 else (0.0 if mean == 0 else _poisson_at_least(quantity, mean))

    assert float(probability_demand_at_least(quantity, mean, 1.0)) == pytest.approx(expected, abs=1e-12)


def test_overdispersed_quantiles_are_wider_than_poisson():
    poisson_low, poisson_high = demand_quantiles(np.array([5.0]), 1.0, (0.1, 0.9))
    wide_low, wide_high = demand_quantiles(np.array([5.0]), 3.0, (0.1, 0.9))

    assert wide_low[0] <= poisson_low[0] and wide_high[0] > poisson_high[0]


@settings(max_examples=60, deadline=None)
@given(
    units=hnp.arrays(np.int64, (4, 60), elements=st.integers(0, 30)),
    observed=hnp.arrays(bool, (4, 60)),
    stocked=hnp.arrays(bool, (4, 60)),
)
def test_any_history_gives_finite_non_negative_forecasts(units, observed, stocked):
    forecast = forecast_demand(
        history(units, observed & stocked, devices=[0, 0, 1, 1], products=[1, 2, 1, 3], stocked=stocked), horizon=14
    )

    assert np.isfinite(forecast.mean).all()
    assert (forecast.mean >= 0).all()
    assert forecast.dispersion >= 1.0
