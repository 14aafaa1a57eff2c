"""Writes to sales data and the rollups derived from it.

``rollups``: the daily, device-day and all-time rollups, rebuilt or added to. ``ingestion``:
raw sale rows resolved and recorded with their effect on stock.
"""

from sales.services.ingestion import (
    MAX_UNITS,
    SaleEntry,
    SaleRowsInvalid,
    SalesRecorded,
    sale_entries_already_recorded,
    sales_record,
    sales_rows_resolve,
)
from sales.services.rollups import (
    local_midnight,
    running_totals_refresh,
    sales_recorded,
    sales_rollups_add,
    sales_rollups_rebuild,
    sales_windows_refresh,
)

__all__ = [
    "MAX_UNITS",
    "SaleEntry",
    "SaleRowsInvalid",
    "SalesRecorded",
    "local_midnight",
    "running_totals_refresh",
    "sale_entries_already_recorded",
    "sales_record",
    "sales_recorded",
    "sales_rollups_add",
    "sales_rollups_rebuild",
    "sales_rows_resolve",
    "sales_windows_refresh",
]
