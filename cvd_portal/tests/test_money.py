"""Parsing a cash amount: one rule for the API, the admin import and DEX audits, checked against integer cents."""

from decimal import Decimal

import pytest
from django.db import DataError, transaction
from hypothesis import given
from hypothesis import strategies as st

from cvd_portal.money import CASH_AMOUNT_MAX_DIGITS, MAX_CASH_AMOUNT, MONEY_DECIMAL_PLACES, cash_amount_parse

# The reference: the cap of a DECIMAL(10, 2) column, counted in whole cents.
MAX_CENTS = 99_999_999_99
cents = st.integers(min_value=0, max_value=MAX_CENTS)


def from_cents(count: int) -> Decimal:
    return Decimal(f"{count // 100}.{count % 100:02d}")


def refused(value, message, **options):
    with pytest.raises(ValueError, match=message):
        cash_amount_parse(value, **options)


def test_the_cap_is_the_largest_amount_of_a_cash_amount_field():
    assert (CASH_AMOUNT_MAX_DIGITS, MONEY_DECIMAL_PLACES) == (10, 2)
    assert MAX_CASH_AMOUNT == Decimal("99999999.99") == from_cents(MAX_CENTS)


@given(count=cents)
def test_an_amount_with_at_most_two_places_is_read_exactly(count):
    text = f"{count // 100}.{count % 100:02d}"

    for written in (text, f" {text} ", f"{text}000", f"{count}e-2", from_cents(count)):
        amount = cash_amount_parse(written)
        assert amount == from_cents(count)
        assert amount.as_tuple().exponent == -2


@given(units=st.integers(min_value=0, max_value=MAX_CENTS // 100))
def test_a_whole_number_is_read_as_that_many_units_of_money(units):
    assert cash_amount_parse(units) == cash_amount_parse(str(units)) == Decimal(units * 100).scaleb(-2)


@given(count=cents)
def test_a_float_is_read_by_its_shortest_decimal_form(count):
    assert cash_amount_parse(count / 100) == from_cents(count)


@given(count=cents, thousandth=st.integers(min_value=1, max_value=9))
def test_more_than_two_places_are_refused_unless_rounded_half_up(count, thousandth):
    mills = count * 10 + thousandth
    written = f"{mills // 1000}.{mills % 1000:03d}"
    rounded = (mills + 5) // 10  # halves up, in integers

    refused(written, "no more than 2 decimal places")
    if rounded <= MAX_CENTS:
        assert cash_amount_parse(written, round_half_up=True) == from_cents(rounded)
    else:
        refused(written, r"less than or equal to 99999999\.99", round_half_up=True)


@given(amount=st.decimals(max_value=Decimal("-0.000001"), allow_nan=False, allow_infinity=False))
def test_a_negative_amount_is_refused(amount):
    refused(amount, "greater than or equal to 0")
    refused(str(amount), "greater than or equal to 0")


@pytest.mark.parametrize("written", ["-0", "-0.00", "0", "0e5"])
def test_zero_however_written_is_zero(written):
    amount = cash_amount_parse(written)
    assert str(amount) == "0.00"


@given(excess_cents=st.integers(min_value=1, max_value=10**30))
def test_an_amount_beyond_the_cap_is_refused(excess_cents):
    refused(from_cents(MAX_CENTS + excess_cents), r"less than or equal to 99999999\.99")


@pytest.mark.parametrize("written", ["1e8", "1e999999999", "9" * 400, 1e300, 10**40, "100000000.001"])
def test_an_amount_beyond_the_cap_is_refused_whatever_its_exponent(written):
    refused(written, r"less than or equal to 99999999\.99", round_half_up=True)
    refused(written, r"less than or equal to 99999999\.99|no more than 2 decimal places")


def test_an_int_too_long_to_write_as_text_is_refused_as_beyond_the_cap():
    refused(10**5000, r"less than or equal to 99999999\.99")


@pytest.mark.parametrize("written", ["1e99999999999999999999", "-1E-99999999999999999999", ".5e+99999999999999999999"])
def test_an_exponent_beyond_any_decimal_is_refused_with_a_clear_message(written):
    refused(written, "The exponent is out of range.")


@pytest.mark.parametrize("written", ["NaN", "nan", "sNaN", "-NaN", "Infinity", "-inf", float("nan"), float("inf")])
def test_nan_and_infinity_are_refused_with_a_clear_message(written):
    refused(written, "A finite number is required, not NaN or infinity.")


@pytest.mark.parametrize("written", ["", "lots", "1,50", "$1", "1.5.0", "0x10", None, True, [1], {"amount": 1}])
def test_what_is_not_a_number_is_refused_with_a_clear_message(written):
    refused(written, "A number is required.")


@given(
    value=st.one_of(
        st.text(),
        st.integers(),
        st.floats(),
        st.decimals(),
        st.from_regex(r"\A-?[0-9]{0,12}(\.[0-9]{0,5})?([eE][+-]?[0-9]{1,12})?\Z"),
    ),
    round_half_up=st.booleans(),
)
def test_any_input_gives_an_amount_in_range_or_a_value_error(value, round_half_up):
    try:
        amount = cash_amount_parse(value, round_half_up=round_half_up)
    except ValueError:
        return
    assert Decimal(0) <= amount <= from_cents(MAX_CENTS)
    assert amount.as_tuple().exponent == -2
    assert not amount.is_signed()


@pytest.mark.django_db
def test_the_cap_is_the_largest_amount_the_sales_cash_amount_column_holds():
    from sales.tests.factories import SaleFactory

    sale = SaleFactory(cash_amount=cash_amount_parse(str(MAX_CASH_AMOUNT)))
    sale.refresh_from_db()
    assert sale.cash_amount == from_cents(MAX_CENTS)

    with pytest.raises(DataError), transaction.atomic():
        SaleFactory(cash_amount=from_cents(MAX_CENTS + 1))
