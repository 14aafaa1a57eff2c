"""Money is a Decimal of two places everywhere in the portal.

A cash amount (what a sale took) is declared once here: ``sales.models.Sale.cash_amount`` is a
``DecimalField(max_digits=CASH_AMOUNT_MAX_DIGITS, decimal_places=MONEY_DECIMAL_PLACES)``, and
``MAX_CASH_AMOUNT``, the largest amount that field holds, follows from the same two numbers. Every
way a sale arrives (the bulk API, the admin import, DEX audits) parses its amount with
``cash_amount_parse``.
"""

import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

MONEY_DECIMAL_PLACES = 2
CASH_AMOUNT_MAX_DIGITS = 10

CENT = Decimal(1).scaleb(-MONEY_DECIMAL_PLACES)
MAX_CASH_AMOUNT = Decimal(10) ** (CASH_AMOUNT_MAX_DIGITS - MONEY_DECIMAL_PLACES) - CENT  # 99,999,999.99

_NUMBER_SYNTAX = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)
# Enough precision for any amount up to the cap; used explicitly so no thread's context changes the result.
_CASH_CONTEXT = Context(prec=CASH_AMOUNT_MAX_DIGITS + 2, traps=[InvalidOperation])


def money(value) -> Decimal:
    """``value`` (Decimal, int or float) as a Decimal of two places, halves rounded up as a till does.

    Floats go through their shortest decimal form, so 2.675 is 2.68, not the 2.67 its binary
    expansion would round to.
    """
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def cash_amount_parse(value, *, round_half_up: bool = False) -> Decimal:
    """A cash amount from a string, an int, a float or a Decimal, as a Decimal of two places.

    It is a finite number from 0 to ``MAX_CASH_AMOUNT``, with at most two decimal places (``"1.500"``
    is 1.50); ``round_half_up`` rounds further places instead, halves up as a till does (DEX audits
    may count in thousandths). Anything else raises ``ValueError`` with a message fit to show: not a
    number, NaN or infinity, negative, too many places, beyond the cap (also an exponent such as
    ``1e999999999``, refused before any arithmetic could overflow), an exponent out of any range.
    Floats go through their shortest decimal form, as in ``money``.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ValueError("A number is required.")
    text = str(value).strip() if isinstance(value, str | float) else ""
    try:
        # Ints directly: Python refuses to write an int of over 4,300 digits as text.
        amount = Decimal(value) if isinstance(value, int | Decimal) else Decimal(text)
    except ArithmeticError:
        # A number whose exponent not even Decimal can hold (1e99999999999999999999), or not a number.
        raise ValueError(
            "The exponent is out of range." if _NUMBER_SYNTAX.fullmatch(text) else "A number is required."
        ) from None
    if not amount.is_finite():
        raise ValueError("A finite number is required, not NaN or infinity.")
    if amount < 0:
        raise ValueError("Ensure this value is greater than or equal to 0.")
    # Compared before rounding: comparisons are exact whatever the exponent, rounding is not.
    too_large = f"Ensure this value is less than or equal to {MAX_CASH_AMOUNT}."
    if amount > MAX_CASH_AMOUNT + CENT:
        raise ValueError(too_large)
    cents = amount.quantize(CENT, rounding=ROUND_HALF_UP, context=_CASH_CONTEXT)
    if cents != amount and not round_half_up:
        raise ValueError(f"Ensure that there are no more than {MONEY_DECIMAL_PLACES} decimal places.")
    if cents > MAX_CASH_AMOUNT:
        raise ValueError(too_large)
    return cents.copy_abs()  # -0 is 0
