"""Signals planograms sends to the apps above it, which it may not import (an import-linter contract).

``stock_changed``: a committed transaction changed what the inventory metrics read (slots' stock,
or sales). The metrics app answers by queueing its incremental run, which finds the stale devices.
"""

from django.db import transaction
from django.dispatch import Signal

stock_changed = Signal()


def stock_changed_on_commit() -> None:
    """Send ``stock_changed`` once the current transaction commits.

    ``robust``: a receiver that fails (a broker that is down) is logged and left to the 15-minute
    schedule, never raised to a caller whose writes have already committed.
    """
    transaction.on_commit(lambda: stock_changed.send(sender=stock_changed), robust=True)
