"""Per-device sales analysis: volume, trends, a weekly-seasonal forecast and revenue anomalies.

Pure computations over one device's daily series (one row per local day of the range, zero-filled,
as ``analytics.selectors.device_daily_series`` returns it) and its hourly pattern; no database here.
Money stays ``Decimal`` (two places); statistics are floats rounded to four places.
"""

import datetime as dt

import numpy as np

from cvd_portal.money import money

FORECAST_DAYS = 30
FORECAST_MIN_DAYS = 14
FORECAST_ALPHA = 0.05
SEVERE_Z = 3.5
EXTREME_DAYS = 3
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def rounded(value: float) -> float:
    """A statistic rounded to four places (``-0.0`` shown as ``0.0``)."""
    return round(float(value), 4) + 0.0


def volume_analysis(daily: list[dict]) -> dict:
    """Units per day summarised.

    - ``peak_volume_day``: the day with the most units (the earliest on a tie); None when nothing sold.
    - ``average_daily_volume``: mean units per day over every day of the range, days without sales included.
    - ``volume_consistency``: 1 − coefficient of variation of daily units (population standard deviation
      over the mean), clipped to [0, 1]: 1 is the same volume every day, 0 a spread as large as the mean
      or larger. None when nothing sold (the ratio has no meaning without a mean).
    """
    units = np.array([row["units"] for row in daily], dtype=float)
    if units.size == 0 or units.sum() == 0:
        return {"peak_volume_day": None, "average_daily_volume": 0.0, "volume_consistency": None}
    mean = units.mean()
    peak = daily[int(np.argmax(units))]  # argmax returns the first maximum: the earliest day
    consistency = min(1.0, max(0.0, 1.0 - units.std() / mean))
    return {
        "peak_volume_day": {"date": peak["date"], "units": peak["units"]},
        "average_daily_volume": rounded(mean),
        "volume_consistency": rounded(consistency),
    }


def linear_trend(values: list) -> dict:
    """Least-squares line through ``values`` against the day index 0, 1, 2, …: slope per day, intercept, r².

    r² is 0 when the values do not vary (a horizontal line explains nothing there is to explain);
    one value gives slope 0 and that value as intercept.
    """
    y = np.array([float(v) for v in values], dtype=float)
    if y.size == 0:
        return {"slope": 0.0, "intercept": 0.0, "r_squared": 0.0}
    x = np.arange(y.size, dtype=float)
    x_dev = x - x.mean()
    sxx = float((x_dev**2).sum())
    slope = float((x_dev * (y - y.mean())).sum() / sxx) if sxx else 0.0
    intercept = float(y.mean() - slope * x.mean())
    ss_tot = float(((y - y.mean()) ** 2).sum())
    ss_res = float(((y - (intercept + slope * x)) ** 2).sum())
    r_squared = 1.0 - ss_res / ss_tot if ss_tot else 0.0
    return {"slope": rounded(slope), "intercept": rounded(intercept), "r_squared": rounded(r_squared)}


def trend_direction(trend: dict) -> str:
    """'increasing', 'decreasing', or 'flat' when the slope (as shown, four places) is 0."""
    if trend["slope"] > 0:
        return "increasing"
    if trend["slope"] < 0:
        return "decreasing"
    return "flat"


def day_of_week_pattern(daily: list[dict]) -> list[dict]:
    """Mean revenue and units per weekday (Monday first) over the days of the range that fall on it.

    Every weekday is listed; one the range does not reach has ``days`` 0 and null means.
    """
    pattern = []
    for weekday, name in enumerate(WEEKDAYS):
        rows = [row for row in daily if row["date"].weekday() == weekday]
        pattern.append(
            {
                "weekday": weekday,
                "name": name,
                "days": len(rows),
                "mean_revenue": money(sum(row["revenue"] for row in rows) / len(rows)) if rows else None,
                "mean_units": rounded(sum(row["units"] for row in rows) / len(rows)) if rows else None,
            }
        )
    return pattern


def extreme_days(daily: list[dict]) -> tuple[list[dict], list[dict]]:
    """The three days with the most revenue and the three with the least (the earlier day first on a tie)."""
    rows = [{"date": row["date"], "revenue": row["revenue"], "units": row["units"]} for row in daily]
    peak = sorted(rows, key=lambda row: (-row["revenue"], row["date"]))
    low = sorted(rows, key=lambda row: (row["revenue"], row["date"]))
    return peak[:EXTREME_DAYS], low[:EXTREME_DAYS]


def _design(days: np.ndarray, weekdays: np.ndarray) -> np.ndarray:
    """Columns: constant, day index, and a dummy for each weekday but Monday (the baseline)."""
    dummies = (weekdays[:, None] == np.arange(1, 7)[None, :]).astype(float)
    return np.column_stack([np.ones(days.size), days.astype(float), dummies])


def revenue_forecast(daily: list[dict], days: int = FORECAST_DAYS) -> dict:
    """Daily revenue for the ``days`` after the range, with a 95% prediction interval.

    Model: ordinary least squares (statsmodels OLS) of daily revenue on a linear trend plus a dummy
    per weekday, so each weekday keeps its own level. The interval is the prediction interval for
    one day's revenue (``obs_ci`` of ``get_prediction().summary_frame(alpha=0.05)``): it carries both
    the uncertainty of the fitted line and the day-to-day noise, so a noisier history gives a wider
    band. Revenue cannot be negative, so the prediction and both bounds are floored at 0.

    Needs at least 14 days with sales in the range (two of each weekday are needed to separate the
    weekday levels from the trend at all; fewer days with sales leave mostly zeros to fit); otherwise
    answers ``{"forecast": None, "reason": ...}`` rather than a number nobody should trust.
    """
    days_with_sales = sum(1 for row in daily if row["transactions"])
    if len(daily) < FORECAST_MIN_DAYS or days_with_sales < FORECAST_MIN_DAYS:
        return {
            "method": None,
            "reason": (
                f"A forecast needs at least {FORECAST_MIN_DAYS} days with sales; "
                f"the range has {days_with_sales} of {len(daily)} days with sales."
            ),
            "days": None,
        }
    # Imported here: statsmodels takes about a second to import, which every web worker, Celery worker and
    # management command would otherwise pay at start-up for an endpoint most of them never serve.
    from statsmodels.regression.linear_model import OLS

    revenue = np.array([float(row["revenue"]) for row in daily])
    index = np.arange(len(daily))
    weekdays = np.array([row["date"].weekday() for row in daily])
    fit = OLS(revenue, _design(index, weekdays)).fit()

    last = daily[-1]["date"]
    future_dates = [last + dt.timedelta(days=n) for n in range(1, days + 1)]
    future = _design(np.arange(len(daily), len(daily) + days), np.array([d.weekday() for d in future_dates]))
    frame = fit.get_prediction(future).summary_frame(alpha=FORECAST_ALPHA)
    return {
        "method": "OLS: linear trend + weekday dummies; 95% prediction interval",
        "reason": None,
        "days": [
            {
                "date": day,
                "predicted_revenue": money(max(0.0, mean)),
                "lower": money(max(0.0, lower)),
                "upper": money(max(0.0, upper)),
            }
            for day, mean, lower, upper in zip(
                future_dates, frame["mean"], frame["obs_ci_lower"], frame["obs_ci_upper"], strict=True
            )
        ],
    }


def revenue_anomalies(daily: list[dict], threshold: float) -> list[dict]:
    """Days whose revenue lies more than ``threshold`` standard deviations from the range's mean.

    z = (revenue − mean) / σ with σ the population standard deviation of daily revenue over the range
    (days without sales count as 0). When σ is 0 no day stands out, so there are none.
    ``type`` is 'high' above the mean and 'low' below; ``severity`` is 'moderate' for |z| ≤ 3.5 and
    'severe' beyond (3.5 σ is past what even a long, well-behaved series shows by chance).
    """
    revenue = np.array([float(row["revenue"]) for row in daily])
    if revenue.size == 0:
        return []
    std = revenue.std()
    if std == 0:
        return []
    z_scores = (revenue - revenue.mean()) / std
    return [
        {
            "date": row["date"],
            "revenue": row["revenue"],
            "z_score": rounded(z),
            "type": "high" if z > 0 else "low",
            "severity": "severe" if abs(z) > SEVERE_Z else "moderate",
        }
        for row, z in zip(daily, z_scores, strict=True)
        if abs(z) > threshold
    ]


def device_analysis(*, daily: list[dict], hourly: list[dict], threshold: float) -> dict:
    """The whole analysis of one device over a range, from its daily series and hourly pattern."""
    revenue_trend = linear_trend([row["revenue"] for row in daily])
    volume_trend = linear_trend([row["units"] for row in daily])
    peak_days, low_days = extreme_days(daily)
    return {
        "volume": {
            "daily": daily,
            **volume_analysis(daily),
            "hourly_pattern": hourly,
        },
        "trends": {
            "revenue_trend": revenue_trend,
            "volume_trend": volume_trend,
            "trend_direction": trend_direction(revenue_trend),
            "day_of_week": day_of_week_pattern(daily),
            "peak_days": peak_days,
            "low_days": low_days,
            "forecast": revenue_forecast(daily),
        },
        "anomalies": {"threshold": threshold, "days": revenue_anomalies(daily, threshold)},
    }
