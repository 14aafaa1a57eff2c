"""Sales between consecutive reads, each number worked out by hand in the test."""

from itertools import pairwise

import pytest

from sales.dex.deltas import SelectionSold, audit_sales, counter_advance
from sales.dex.parser import DexSelection, SelectionCounters


def read(**counters_by_selection) -> tuple[DexSelection, ...]:
    """Selections as an audit lists them: ``s1=(units_init, value_init, units_reset, value_reset)``, price 150."""
    return tuple(
        DexSelection(name, 150, "", SelectionCounters(*counters), line)
        for line, (name, counters) in enumerate(counters_by_selection.items(), start=10)
    )


def base(selections: tuple[DexSelection, ...]) -> dict[str, SelectionCounters]:
    return {selection.selection: selection.counters for selection in selections}


def sold(previous, current):
    return {s.selection: (s.units, s.value) for s in audit_sales(previous=base(previous), selections=current).sold}


@pytest.mark.parametrize(
    ("before", "after", "advance"),
    [
        (120, 132, 12),
        (120, 120, 0),
        (999_990, 15, 25),  # a 6-digit counter: 10 to 1,000,000 then 15 more
        (99_998, 3, 5),  # a 5-digit counter
        (9_999_900, 1_500, 1_600),  # a 7-digit value counter: 100 to 10,000,000 then 1,500
        (500_000, 10, None),  # half the range in one read: a re-initialisation, not a rollover
        (9_990, 5, None),  # fewer than 5 digits: no machine counter is that small
        (95, 1, None),
    ],
)
def test_counter_advance(before, after, advance):
    assert counter_advance(before, after) == advance


def test_first_read_is_the_base_and_records_nothing():
    outcome = audit_sales(previous=None, selections=read(s1=(120, 18000, 5, 750)))

    assert (outcome.sold, outcome.reinitialised) == ((), False)


def test_consecutive_reads_sell_the_difference_since_initialisation():
    first = read(s1=(120, 18000), s2=(40, 4000), s3=(7, 700))
    second = read(s1=(132, 19800), s2=(40, 4000), s3=(10, 1000))
    third = read(s1=(133, 19950), s2=(45, 4500), s3=(10, 1000))

    assert sold(first, second) == {"s1": (12, 1800), "s3": (3, 300)}  # s2 sold nothing
    assert sold(second, third) == {"s1": (1, 150), "s2": (5, 500)}


def test_a_read_with_reset_changes_nothing_when_since_initialisation_counts_exist():
    # Read 1 with reset: since-reset back to 0. Read 2 sees 9 more since initialisation, 9 since reset.
    first = read(s1=(100, 15000, 30, 4500))
    second = read(s1=(109, 16350, 9, 1350))

    assert sold(first, second) == {"s1": (9, 1350)}
    assert audit_sales(previous=base(first), selections=second).sold[0].counted_from == "since initialisation"


def test_a_read_in_between_without_import_is_still_counted():
    # Someone read (and reset) the machine between our two imports; since-initialisation counts still add up.
    first = read(s1=(100, 15000, 30, 4500))
    second = read(s1=(140, 21000, 4, 600))  # 40 sold: 36 before the unimported read, 4 after

    assert sold(first, second) == {"s1": (40, 6000)}


def test_machines_reporting_only_since_reset_counts_sell_those_counts():
    first = read(s1=(None, None, 88, 34800), s2=(None, None, 0, 0))
    second = read(s1=(None, None, 12, 4800), s2=(None, None, 3, 750))

    outcome = audit_sales(previous=base(first), selections=second)

    assert {s.selection: (s.units, s.value) for s in outcome.sold} == {"s1": (12, 4800), "s2": (3, 750)}
    assert {s.counted_from for s in outcome.sold} == {"since reset"}


def test_counter_rollover_sells_across_the_wrap():
    first = read(s1=(999_990, 9_999_900), s2=(5_000, 750_000))
    second = read(s1=(15, 1_500), s2=(5_002, 750_300))

    outcome = audit_sales(previous=base(first), selections=second)

    # s1: 10 units to 1,000,000 then 15; value 100 to 10,000,000 then 1,500.
    assert outcome.sold == (
        SelectionSold("s1", 25, 1_600, "since initialisation"),
        SelectionSold("s2", 2, 300, "since initialisation"),
    )
    assert not outcome.reinitialised
    assert "selection s1: a counter rolled over" in outcome.notes


def test_reinitialisation_records_nothing_and_is_flagged():
    first = read(s1=(500, 75000), s2=(120, 18000))
    second = read(s1=(3, 450), s2=(121, 18150))  # s1 fell from 500 to 3: memory cleared

    outcome = audit_sales(previous=base(first), selections=second)

    assert outcome.reinitialised
    assert outcome.sold == ()  # not even s2: the whole read starts a new chain
    assert outcome.notes[0] == "counters were re-initialised"
    assert "selection s1: since initialisation 500 units (75000) fell to 3 (450)" in outcome.notes


def test_value_counter_falling_alone_is_a_reinitialisation():
    first = read(s1=(500, 75000))
    second = read(s1=(501, 150))

    assert audit_sales(previous=base(first), selections=second).reinitialised


def test_a_chain_of_reads_through_reset_rollover_and_reinitialisation():
    reads = [
        read(s1=(99_990, 99_998_500, 0, 0)),  # base
        read(s1=(99_995, 99_999_250, 5, 750)),  # 5 sold
        read(s1=(4, 600, 9, 1350)),  # 9 sold across the rollover of both counters (10^5 and 10^8 wide)
        read(s1=(2, 300, 2, 300)),  # re-initialised: nothing
        read(s1=(6, 900, 4, 600)),  # new chain: 4 sold
    ]
    outcomes = [audit_sales(previous=base(before), selections=after) for before, after in pairwise(reads)]

    assert [{s.selection: (s.units, s.value) for s in o.sold} for o in outcomes] == [
        {"s1": (5, 750)},
        {"s1": (9, 1350)},
        {},
        {"s1": (4, 600)},
    ]
    assert [o.reinitialised for o in outcomes] == [False, False, True, False]


def test_missing_value_counter_is_priced_at_the_selection_price():
    first = read(s1=(120, None))
    second = read(s1=(124, None))

    assert sold(first, second) == {"s1": (4, 600)}  # 4 × 150


def test_a_selection_first_seen_later():
    first = read(s1=(120, 18000))
    second = read(s1=(121, 18150), s2=(30, 4500), s3=(50, 7500, 2, 300))

    outcome = audit_sales(previous=base(first), selections=second)

    # s2 has only cumulative counts: its base. s3 also says what it sold since the last reset.
    assert {s.selection: (s.units, s.value) for s in outcome.sold} == {"s1": (1, 150), "s3": (2, 300)}
    assert "selection s2: first seen, the base of the next read" in outcome.notes
