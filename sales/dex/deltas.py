"""What each selection sold between two reads of the same machine, from the audits' counters.

Pure Python. A DEX audit gives counters, not sales; the sales since the previous read are worked out
per selection, in the currency's minor units:

- **Since initialisation** (``PA201``/``PA202``) is used when both reads carry it: it is never reset, so
  the difference is right even when someone read the machine in between without importing the audit.
- **Since reset** (``PA203``/``PA204``) otherwise: a machine that reports only these is reset at every
  read, so its counts are what it sold since the previous read.
- **Counter rollover.** A counter holds as many decimal digits as its display (the Crane sample's value
  counter wraps at 10^6), and a counter that passes its last value starts again at 0. So a counter that
  went down rolled over at ``10 ** digits(previous value)`` when that is plausible: the previous value had
  at least ``MIN_ROLLOVER_DIGITS`` digits and the wrapped distance is under a tenth of the counter's range
  (999,990 → 15 is 25 sold). Binary wraps (65,536) are not assumed: a value counter at 60,000 cents that
  drops would then pass as a rollover, when a re-initialisation is far likelier.
- **Re-initialisation.** A since-initialisation counter that went down any other way means the machine's
  memory was cleared (or its board swapped). The whole read then starts a new chain, is flagged for
  review, and records nothing: the counters say what sold since an unknown moment after the previous
  read, not since that read, and a swapped board's counters belong to another machine. Its counters are
  the base of the next read.
- **Baselines.** The first read of a machine (or of a chain) records nothing: its counters cover the
  machine's whole life. A selection first seen later counts from its since-reset counters when it has
  them, and is otherwise a baseline too.
- A value counter the audit leaves empty is priced at the selection's ``PA102`` price.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .parser import DexSelection, SelectionCounters

MIN_ROLLOVER_DIGITS = 5


@dataclass(frozen=True)
class SelectionSold:
    """What one selection sold since the previous read: units, value in minor units, and which counters said so."""

    selection: str
    units: int
    value: int
    counted_from: str


@dataclass(frozen=True)
class AuditSales:
    """The outcome for one audit: per selection what sold, whether the counters were re-initialised, and notes."""

    sold: tuple[SelectionSold, ...]
    reinitialised: bool
    notes: tuple[str, ...]


def counter_advance(before: int, after: int) -> int | None:
    """How far a cumulative counter moved from ``before`` to ``after``, across one rollover; None: it cannot have."""
    if after >= before:
        return after - before
    digits = len(str(before))
    modulus = 10**digits
    wrapped = modulus - before + after
    if digits >= MIN_ROLLOVER_DIGITS and wrapped < modulus // 10:
        return wrapped
    return None


def audit_sales(*, previous: Mapping[str, SelectionCounters] | None, selections: Sequence[DexSelection]) -> AuditSales:
    """Per selection, what sold between the ``previous`` read's counters (None: no previous read) and these."""
    if previous is None:
        return AuditSales(sold=(), reinitialised=False, notes=("first read of this machine: the base of the next",))
    sold, notes, fallen = [], [], []
    for selection in selections:
        before, now = previous.get(selection.selection), selection.counters
        if before is not None and before.units_since_init is not None and now.units_since_init is not None:
            units = counter_advance(before.units_since_init, now.units_since_init)
            if before.value_since_init is not None and now.value_since_init is not None:
                value = counter_advance(before.value_since_init, now.value_since_init)
            else:
                value = _priced(units, selection)
            if units is None or value is None:
                fallen.append(
                    f"selection {selection.selection}: since initialisation {before.units_since_init} units"
                    f" ({before.value_since_init}) fell to {now.units_since_init} ({now.value_since_init})"
                )
                continue
            if now.units_since_init < before.units_since_init or _fell(before.value_since_init, now.value_since_init):
                notes.append(f"selection {selection.selection}: a counter rolled over")
            counted_from = "since initialisation"
        elif now.units_since_reset is not None:
            units = now.units_since_reset
            value = now.value_since_reset if now.value_since_reset is not None else _priced(units, selection)
            counted_from = "since reset"
        else:
            notes.append(f"selection {selection.selection}: first seen, the base of the next read")
            continue
        if units:
            sold.append(SelectionSold(selection.selection, units, value or 0, counted_from))
    if fallen:
        return AuditSales(sold=(), reinitialised=True, notes=("counters were re-initialised", *fallen))
    return AuditSales(sold=tuple(sold), reinitialised=False, notes=tuple(notes))


def _fell(before: int | None, after: int | None) -> bool:
    return before is not None and after is not None and after < before


def _priced(units: int | None, selection: DexSelection) -> int | None:
    if units is None:
        return None
    return units * (selection.price or 0)
