"""The sales history: vends per device and day, then the hour, second and slot of each vend."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from demo.fleet.draws import allocate, sample_within_groups
from demo.fleet.machines import SlotTable
from demo.fleet.venues import BUSY_DAY_LEVEL, HOURLY_DEMAND, VENUE_DAILY_VENDS, VENUES, WEEKDAY_DEMAND, demand_weights

# Device histories: a few went silent in the last weeks, a few were installed within the window.
SILENT_DEVICE_SHARE = 0.04
NEW_DEVICE_SHARE = 0.03
SILENT_DAYS = (15, 28)
NEW_DEVICE_AGE_DAYS = (7, 25)
# Trend classes: growth over the whole window is exp(±0.3..0.8) for growing/declining devices.
TREND_SHARES = {"growing": 0.25, "declining": 0.25, "steady": 0.50}
# Anomalies strike only busy days: spikes (events) multiply the day, dips (jams, outages) almost empty it.
ANOMALY_DAY_CHANCE = 0.012
SPIKE_FACTOR = (3.0, 5.0)
DIP_FACTOR = (0.0, 0.05)
DAILY_NOISE_SIGMA = 0.15
DEVICE_LEVEL_SIGMA = 0.45
DOUBLE_VEND_SHARE = 0.03


@dataclass(frozen=True)
class SaleTable:
    """Every vend as parallel arrays, by day, then device, then time; ``sold_at`` is in Unix seconds.

    A vend costs ``units`` times its slot's ``vend_cents``, so the table does not repeat the price.
    ``expected_daily_units[device, day]`` and ``product_share[device, product]`` are what the draws
    came from, without the day's noise and anomalies: the demand any forecast could know at best (the
    forecast benchmark's oracle).
    """

    slot: np.ndarray
    units: np.ndarray
    sold_at: np.ndarray
    expected_daily_units: np.ndarray
    product_share: np.ndarray


def plan_sales(
    rng: np.random.Generator, products, slots: SlotTable, venue_of_device, first_day: date, days: int, zone
) -> SaleTable:
    """Vends per device and day from venue, weekday, trend, noise and anomalies; then hour, second and slot of each."""
    n_devices = len(venue_of_device)
    dates = [first_day + timedelta(days=t) for t in range(days)]
    weekday = np.array([d.weekday() for d in dates])
    # Unix second of each local hour of each day, so DST days keep sales on the local clock.
    hour_start = np.array(
        [[int(datetime.combine(d, time(h), tzinfo=zone).timestamp()) for h in range(24)] for d in dates],
        dtype=np.int64,
    )

    weekday_demand = np.array([WEEKDAY_DEMAND[v] for v in VENUES])[venue_of_device][:, weekday]
    busy = weekday_demand >= BUSY_DAY_LEVEL
    level = np.array([VENUE_DAILY_VENDS[v] for v in VENUES], dtype=float)[venue_of_device]
    level *= rng.lognormal(-(DEVICE_LEVEL_SIGMA**2) / 2, DEVICE_LEVEL_SIGMA, n_devices)
    # Normalised to a weekly mean of 1, so ``level`` stays the device's average vends per day.
    weekday_factor = weekday_demand / np.array([np.mean(WEEKDAY_DEMAND[v]) for v in VENUES])[venue_of_device][:, None]

    trend_class = allocate(rng, n_devices, TREND_SHARES)
    growth = np.select(
        [trend_class == 0, trend_class == 1],
        [rng.uniform(0.3, 0.8, n_devices), -rng.uniform(0.3, 0.8, n_devices)],
        rng.normal(0.0, 0.1, n_devices),
    )
    phase = np.linspace(-0.5, 0.5, days) if days > 1 else np.zeros(1)
    trend = np.exp(growth[:, None] * phase[None, :])
    noise = rng.lognormal(-(DAILY_NOISE_SIGMA**2) / 2, DAILY_NOISE_SIGMA, (n_devices, days))

    active = _active_days(rng, n_devices, days)
    eligible = busy & active
    spikes = eligible & (rng.random((n_devices, days)) < ANOMALY_DAY_CHANCE)
    dips = eligible & ~spikes & (rng.random((n_devices, days)) < ANOMALY_DAY_CHANCE)
    # Small fleets over short windows might draw none, yet every demo should show both kinds.
    for anomalies in (spikes, dips):
        free = np.flatnonzero(eligible & ~spikes & ~dips)
        if not anomalies.any() and len(free):
            anomalies.flat[rng.choice(free)] = True
    anomaly = np.where(spikes, rng.uniform(*SPIKE_FACTOR, (n_devices, days)), 1.0)
    anomaly *= np.where(dips, rng.uniform(*DIP_FACTOR, (n_devices, days)), 1.0)

    sellable = np.flatnonzero(
        (slots.product >= 0) & (slots.capacity > 0) & np.array([p.sells for p in products])[slots.product]
    )
    sellable_device = slots.device[sellable]
    has_sellable = np.isin(np.arange(n_devices), sellable_device)
    expected = level[:, None] * weekday_factor * trend * noise * anomaly * active * has_sellable[:, None]
    vends = rng.poisson(expected)

    cell = np.repeat(np.arange(n_devices * days, dtype=np.int64), vends.ravel())
    device, day = np.divmod(cell, days)
    weekend = weekday[day] >= 5
    hour_groups = venue_of_device[device] * 2 + weekend
    hourly = np.array([HOURLY_DEMAND[v][w] for v in VENUES for w in (0, 1)], dtype=float)
    hour = sample_within_groups(rng, hour_groups, hourly.ravel(), np.arange(0, hourly.size + 1, 24)) - hour_groups * 24

    demand_by_venue = np.array([demand_weights(products, v) for v in VENUES])
    slot_weights = demand_by_venue[venue_of_device[sellable_device], slots.product[sellable]]
    # Same product, different spiral: placement and machine quirks spread sales unevenly between facings.
    slot_weights = slot_weights * rng.lognormal(0.0, 0.3, len(sellable))
    starts = np.searchsorted(sellable_device, np.arange(n_devices + 1))
    slot = sellable[sample_within_groups(rng, device, slot_weights, starts)]

    units = np.where(rng.random(len(cell)) < DOUBLE_VEND_SHARE, 2, 1)
    knowable = level[:, None] * weekday_factor * trend * active * has_sellable[:, None] * (1 + DOUBLE_VEND_SHARE)
    product_share = np.zeros((n_devices, len(products)))
    np.add.at(product_share, (sellable_device, slots.product[sellable]), slot_weights)
    product_share /= np.maximum(product_share.sum(axis=1, keepdims=True), 1e-12)
    sold_at = hour_start[day, hour] + rng.integers(0, 3600, len(cell))
    # Rows come as telemetry delivers them, one batch per device and day; this order also keeps the device-first
    # indexes' inserts local, loading about a third faster than strict time order.
    order = np.lexsort((sold_at, device, day))
    return SaleTable(
        slot=slot[order],
        units=units[order],
        sold_at=sold_at[order],
        expected_daily_units=knowable,
        product_share=product_share,
    )


def _active_days(rng: np.random.Generator, n_devices: int, days: int) -> np.ndarray:
    """Which days each device could sell: silent devices stopped some weeks ago, new ones started within the window."""
    active = np.ones((n_devices, days), dtype=bool)
    if n_devices < 4:
        return active
    order = rng.permutation(n_devices)
    silent = order[: max(1, round(SILENT_DEVICE_SHARE * n_devices))]
    new = order[len(silent) : len(silent) + max(1, round(NEW_DEVICE_SHARE * n_devices))]
    # Keep at least a week of sales before the silence, so a silent device still has a history.
    longest = max(1, min(SILENT_DAYS[1], days - 7))
    for device, quiet in zip(silent, rng.integers(min(SILENT_DAYS[0], longest), longest + 1, len(silent)), strict=True):
        active[device, days - quiet :] = False
    oldest = max(1, min(NEW_DEVICE_AGE_DAYS[1], days - 1))
    for device, age in zip(new, rng.integers(min(NEW_DEVICE_AGE_DAYS[0], oldest), oldest + 1, len(new)), strict=True):
        active[device, : days - age] = False
    return active
