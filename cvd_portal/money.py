"""Money is a Decimal of two places everywhere in the portal."""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(value) -> Decimal:
    """``value`` (Decimal, int or float) as a Decimal of two places, halves rounded up as a till does.

    Floats go through their shortest decimal form, so 2.675 is 2.68, not the 2.67 its binary
    expansion would round to.
    """
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
