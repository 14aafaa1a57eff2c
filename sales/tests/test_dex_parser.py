import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sales.dex.parser import DexParseError, SelectionCounters, dex_crc16, parse_dex

from .dex_writer import WrittenSelection, dex_audit_file, dex_file, dex_segments

COLA = WrittenSelection("1", price=150, units_since_init=120, value_since_init=18000, product="COLA")
CHIPS = WrittenSelection(
    "2", price=100, units_since_init=40, value_since_init=4000, units_since_reset=7, value_since_reset=700
)
READ_AT = dt.datetime(2025, 4, 1, 10, 30)


def lines_of(data: bytes) -> list[str]:
    return data.decode("latin-1").splitlines()


def test_crc_is_crc16_arc():
    assert dex_crc16(b"123456789") == 0xBB3D  # the catalogued check value of CRC-16/ARC


def test_reads_machine_currency_selections_totals_and_read_time():
    audit = parse_dex(dex_audit_file(selections=[COLA, CHIPS], serial="SN-7", model="VM9", asset="A-12"))

    assert (audit.machine.serial, audit.machine.model, audit.machine.asset) == ("SN-7", "VM9", "A-12")
    assert (audit.decimals, audit.currency) == (2, "USD")
    assert [(s.selection, s.price, s.product) for s in audit.selections] == [("1", 150, "COLA"), ("2", 100, "")]
    assert audit.selections[0].counters == SelectionCounters(120, 18000, None, None)
    assert audit.selections[1].counters == SelectionCounters(40, 4000, 7, 700)
    assert (audit.vend_totals.value_since_init, audit.vend_totals.vends_since_init) == (22000, 160)
    assert (audit.read_at, audit.reads_with_reset) == (READ_AT, 1)
    assert audit.warnings == ()
    assert audit.money(18000) == Decimal("180.00")


@pytest.mark.parametrize("line_end", ["\r\n", "\n", "\r"])
def test_line_ends_do_not_matter(line_end):
    audit = parse_dex(dex_audit_file(selections=[COLA, CHIPS], line_end=line_end))

    assert audit == parse_dex(dex_audit_file(selections=[COLA, CHIPS]))
    assert audit.warnings == ()  # the checksum is over CRLF lines whatever the file uses


def test_junk_before_dxs_and_after_dxe_is_ignored():
    data = dex_file(dex_segments(selections=[COLA]), junk_before=["ATZ", "", "CONNECT 9600"], junk_after=["+++", "OK"])

    audit = parse_dex(data)

    assert audit.selections[0].counters.units_since_init == 120
    assert audit.warnings == ()


def test_missing_st_and_g85_is_a_warning_not_an_error():
    audit = parse_dex(dex_file(dex_segments(selections=[COLA]), with_st=False, with_g85=False))

    assert audit.selections[0].counters.units_since_init == 120
    assert [str(w) for w in audit.warnings] == ["no G85 checksum: the transfer could not be verified"]


def test_checksum_without_st_covers_the_segments_after_dxs():
    assert parse_dex(dex_file(dex_segments(selections=[COLA]), with_st=False)).warnings == ()


def test_checksum_mismatch_is_a_warning_naming_its_line():
    data = dex_file(dex_segments(selections=[COLA]), checksum="0000")
    g85_line = next(n for n, line in enumerate(lines_of(data), start=1) if line.startswith("G85"))

    audit = parse_dex(data)

    assert len(audit.warnings) == 1
    assert audit.warnings[0].line == g85_line
    assert "G85 checksum '0000' does not match" in str(audit.warnings[0])


def test_zero_padded_numbers_and_trailing_stars():
    audit = parse_dex(dex_file(dex_segments(selections=[CHIPS], zero_pad=8, trailing_star=True)))

    assert audit.selections[0].counters == SelectionCounters(40, 4000, 7, 700)
    assert "PA2*00000040*00004000*00000007*00000700*" in lines_of(
        dex_file(dex_segments(selections=[CHIPS], zero_pad=8, trailing_star=True))
    )
    assert audit.decimals == 2


def test_without_ea3_the_machine_clock_is_the_read_time():
    segments = [s for s in dex_segments(selections=[COLA]) if not s.startswith("EA3")]

    audit = parse_dex(dex_file(segments))

    assert audit.read_at == READ_AT
    assert "no read time in EA3" in str(audit.warnings[0])


def test_decimals_default_to_two_and_follow_id4():
    assert parse_dex(dex_audit_file(selections=[COLA], decimals=None)).decimals == 2
    audit = parse_dex(dex_audit_file(selections=[COLA], decimals=3))
    assert audit.money(18000) == Decimal("18.000")


def test_four_digit_year_and_seconds_in_dates():
    segments = [s for s in dex_segments(selections=[COLA]) if not s.startswith("EA3")] + ["EA3*4*20250401*103015"]

    assert parse_dex(dex_file(segments)).read_at == dt.datetime(2025, 4, 1, 10, 30, 15)


def malformed(replace: str, by: str) -> tuple[bytes, int]:
    """A good file with the segment starting ``replace`` swapped for ``by``; and that segment's line."""
    lines = lines_of(dex_audit_file(selections=[COLA, CHIPS]))
    number = next(n for n, line in enumerate(lines, start=1) if line.startswith(replace))
    lines[number - 1] = by
    return "\r\n".join(lines).encode(), number


@pytest.mark.parametrize(
    ("read", "read_at"),
    [
        ("EA3*1*99991231*2359", dt.datetime(9999, 12, 31, 23, 59)),
        ("EA3*1*19000101*0000", dt.datetime(1900, 1, 1)),
        ("EA3*1*991231*235959", dt.datetime(2099, 12, 31, 23, 59, 59)),
    ],
)
def test_a_clock_far_off_is_read_as_it_says_for_the_import_to_judge(read, read_at):
    # An unset clock (1900, 9999) is no reason to refuse the counters: the import dates such a read at its upload.
    data, _ = malformed("EA3", read)

    assert parse_dex(data).read_at == read_at


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ("PA2*40", "PA2*4O*4000", "PA201 is '4O', not a whole number"),
        ("PA1*2", "PA1*1*100", "selection '1' is listed twice"),
        ("PA1*2", "PA1**100", "PA101 (the selection) is empty"),
        ("PA1*2", "PA2*1*150", "a second PA2 for the PA1 of line 7"),
        ("EA3", "EA3*1*251301*1030", "is not a date"),
        ("EA3", "EA3*1*20251301*1030", "is not a date"),
        ("EA3", "EA3*1*00000101*1030", "is not a date"),
        ("ID4", "ID4*9*1840*USD", "ID401 says 9 decimal places"),
        ("VA1", "VA1*22000*1.60", "VA102 is '1.60', not a whole number"),
        ("ID5", "<html>", "'<html>' is not a DEX segment"),
        ("ID1", "ID1*SN\x00-1", "a NUL byte inside the audit"),
    ],
)
def test_malformed_segment_is_refused_with_its_line(replace, by, message):
    data, line = malformed(replace, by)

    with pytest.raises(DexParseError) as refused:
        parse_dex(data)

    assert refused.value.line == line
    assert str(refused.value).startswith(f"line {line}: ")
    assert message in str(refused.value)


def test_pa2_without_pa1_is_refused_with_its_line():
    data = dex_file(["ID1*SN-1", "PA2*1*150"])

    with pytest.raises(DexParseError, match=r"^line 4: PA2 without a PA1 before it$"):
        parse_dex(data)


def test_file_without_dxs_is_refused_at_its_first_line():
    with pytest.raises(DexParseError, match=r"^line 2: no DXS segment"):
        parse_dex(b"\r\nhello\r\nworld\r\n")


def test_file_cut_short_is_refused_at_its_last_line():
    lines = lines_of(dex_audit_file(selections=[COLA]))[:-3]

    with pytest.raises(DexParseError, match=rf"^line {len(lines)}: the audit opened by DXS at line 1 has no DXE"):
        parse_dex("\n".join(lines))


@st.composite
def written_selections(draw, selection):
    """A selection whose since-reset counts never exceed its since-initialisation ones, as on a real machine."""
    counter = st.integers(min_value=0, max_value=99_999_999)
    units, value = draw(counter), draw(counter)
    since_reset = st.tuples(st.integers(0, units), st.integers(0, value))
    units_since_reset, value_since_reset = draw(st.one_of(st.just((None, None)), since_reset))
    units_since_init, value_since_init = draw(st.sampled_from([(units, value), (None, None)]))
    return WrittenSelection(
        selection,
        price=draw(st.integers(min_value=0, max_value=99_999)),
        units_since_init=units_since_init,
        value_since_init=value_since_init,
        units_since_reset=units_since_reset,
        value_since_reset=value_since_reset,
        product=draw(st.from_regex(r"[A-Z][A-Z ]{0,10}[A-Z]", fullmatch=True)),
    )


selections = st.lists(st.from_regex(r"[A-Z0-9]{1,4}", fullmatch=True), max_size=8, unique=True).flatmap(
    lambda names: st.tuples(*(written_selections(name) for name in names))
)


# Generating audits is slower than parsing them; a busy CI worker must not turn that into a failure.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    selections=selections,
    serial=st.from_regex(r"[A-Z0-9-]{1,12}", fullmatch=True),
    line_end=st.sampled_from(["\r\n", "\n"]),
    zero_pad=st.sampled_from([0, 8]),
)
def test_round_trip_writer_to_parser(selections, serial, line_end, zero_pad):
    data = dex_file(dex_segments(serial=serial, selections=selections, zero_pad=zero_pad), line_end=line_end)

    audit = parse_dex(data)

    assert audit.machine.serial == serial
    assert audit.warnings == ()
    assert [(s.selection, s.price, s.product) for s in audit.selections] == [
        (w.selection, w.price, w.product) for w in selections
    ]
    assert [s.counters for s in audit.selections] == [
        SelectionCounters(w.units_since_init, w.value_since_init, w.units_since_reset, w.value_since_reset)
        for w in selections
    ]


@settings(deadline=None)
@given(st.binary(max_size=400) | st.text(alphabet="DXSEPA12*\r\n G85é", max_size=400))
def test_any_input_parses_or_is_refused_with_a_line(data):
    try:
        parse_dex(data)
    except DexParseError as refused:
        assert refused.line >= 1
