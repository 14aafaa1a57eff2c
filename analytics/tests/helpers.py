"""What the analytics tests share besides fixtures: the week their fleets sell in, and money as the API writes it."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

START = dt.date(2026, 3, 2)  # a Monday
END = dt.date(2026, 3, 8)  # the Sunday that ends its week


def day(offset: int, *, start: dt.date = START) -> dt.date:
    """The local day ``offset`` days after ``start``."""
    return start + dt.timedelta(days=offset)


def two_places(value) -> str:
    """``value`` as the API's JSON writes money: two places, halves rounded up, as text."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
