"""Formulas more than one report shows, written once."""

import math
from fractions import Fraction

PERCENT_CHANGE_PLACES = 2


def percent_change(current, previous) -> float | None:
    """How far ``current`` moved from ``previous``, in percent of ``previous``: (current − previous) / |previous| × 100.

    Rounded half away from zero to ``PERCENT_CHANGE_PLACES`` places. None when there is nothing to
    compare with: ``previous`` is zero or None, or ``current`` is None. Takes ints, Decimals or floats,
    worked out exactly (as fractions) so the rounding never depends on how the inputs were stored.
    """
    if current is None or previous is None or previous == 0:
        return None
    scale = 10**PERCENT_CHANGE_PLACES
    change = (Fraction(current) - Fraction(previous)) / abs(Fraction(previous)) * 100 * scale
    rounded = math.floor(abs(change) + Fraction(1, 2)) / scale
    return -rounded if change < 0 and rounded else rounded
