"""Machine health: which machines are *not selling* and which are *silent*, with their last sale.

- **Not selling**: data still arrives, but the machine's trailing run of days without a sale is
  improbable under its own forecast rate (``planning.forecast``: probability below the operator's
  ``not_selling_p_value``). A jammed coin mech, a dead card reader, a machine unplugged by a cleaner.
- **Silent**: no sale and no DEX read has arrived for longer than ``silent_after_hours`` plus the
  machine's usual gap between sales (a day ÷ its expected units a day). Telemetry is down, or the
  machine is gone; the office has to look before anyone loads it.

Neither kind is ever loaded by the planner; both are listed for the office.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Max

from sales.choices import DexImportStatus
from sales.models import DeviceProductSales, DexImport

from .forecast import DemandForecast


@dataclass(frozen=True)
class MachineHealth:
    device_id: int
    last_sale_at: dt.datetime | None
    last_dex_at: dt.datetime | None
    expected_units_a_day: float
    not_selling: bool
    silent: bool

    @property
    def needs_attention(self) -> bool:
        return self.not_selling or self.silent

    @property
    def status(self) -> str:
        if self.silent:
            return "silent"
        if self.not_selling:
            return "not selling"
        return "ok"


def last_data_times(device_ids) -> tuple[dict[int, dt.datetime], dict[int, dt.datetime]]:
    """The last sale and the last DEX read of each machine (two grouped queries)."""
    last_sale = dict(
        DeviceProductSales.objects.filter(device_id__in=device_ids)
        .values("device_id")
        .annotate(last=Max("last_sold_at"))
        .values_list("device_id", "last")
    )
    last_dex = dict(
        # A rejected or voided file is no sign of a working machine.
        DexImport.objects.filter(device_id__in=device_ids, read_at__isnull=False)
        .exclude(status__in=[DexImportStatus.REJECTED, DexImportStatus.VOIDED])
        .values("device_id")
        .annotate(last=Max("read_at"))
        .values_list("device_id", "last")
    )
    return last_sale, last_dex


def machines_health(
    forecast: DemandForecast, device_ids, *, now: dt.datetime, silent_after_hours: int, recent_units_a_day
) -> dict[int, MachineHealth]:
    """Each machine's health from its forecast (not selling) and its last data (silent).

    ``recent_units_a_day[device_id]`` is the machine's usual rate, which sets its usual gap between sales
    (the forecast of a machine already judged not selling is 0, which says nothing about its gap).
    """
    last_sale, last_dex = last_data_times(device_ids)
    not_selling = dict(zip(forecast.device_ids.tolist(), forecast.device_not_selling.tolist(), strict=True))
    health = {}
    for device_id in device_ids:
        rate = float(recent_units_a_day.get(device_id, 0.0))
        last = max((moment for moment in (last_sale.get(device_id), last_dex.get(device_id)) if moment), default=None)
        usual_gap_hours = 24.0 / rate if rate > 0 else np.inf
        silent = (
            last is not None
            and np.isfinite(usual_gap_hours)
            and (now - last) > dt.timedelta(hours=silent_after_hours + usual_gap_hours)
        )
        health[device_id] = MachineHealth(
            device_id=device_id,
            last_sale_at=last_sale.get(device_id),
            last_dex_at=last_dex.get(device_id),
            expected_units_a_day=rate,
            not_selling=bool(not_selling.get(device_id, False)) and not silent,
            silent=bool(silent),
        )
    return health
