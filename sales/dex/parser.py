"""Read a DEX (EVA-DTS) audit file into plain data: the machine, its selections' counters and the read.

Pure Python, no Django. An audit is a list of segments, one a line, whose elements are separated by
``*``; it opens with ``DXS`` and closes with ``DXE``, and the transaction set inside runs from ``ST`` to
``SE`` with the ``G85`` checksum before ``SE``. The elements read here (EVA-DTS 6.x numbering):

- ``ID101`` machine serial number, ``ID102`` model, ``ID106`` asset number;
- ``ID401`` decimal places of every money value (2 when absent), ``ID402`` currency numeric code,
  ``ID403`` currency alphabetic code;
- ``ID501``/``ID502`` the machine's date and time when it was read;
- ``PA101`` selection, ``PA102`` price, ``PA103`` product; the ``PA2`` that follows its ``PA1``: ``PA201``
  paid vends and ``PA202`` their value since initialisation (never reset), ``PA203``/``PA204`` the same
  since the last read with reset;
- ``VA101``–``VA104`` all paid vends' value and count since initialisation and since reset;
- ``EA301`` reads with reset since initialisation, ``EA302``/``EA303`` date and time of this read,
  ``EA305``/``EA306`` of the previous one.

Real files are read tolerantly: LF, CRLF or CR line ends; anything before ``DXS`` or after ``DXE``;
no ``ST``, ``SE`` or ``G85``; zero-padded numbers; trailing ``*``; blank lines. What cannot be trusted
is reported as a warning (a checksum that does not match, a segment count that is off); what cannot be
read raises ``DexParseError`` naming the 1-based line of the file.

``G85`` is CRC-16/ARC (polynomial 0x8005 reflected, initial value 0) over the bytes of the lines from
``ST`` (or, without ``ST``, from the segment after ``DXS``) up to the line before ``G85``, each line ended
by CRLF whatever the file's own line ends; written as four hexadecimal digits. All three real audits in
the project's sample set check out this way and no other (CRC-16/CCITT, X.25; LF; from ``DXS``).
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

DEFAULT_DECIMALS = 2
MAX_DECIMALS = 6
SEGMENT_ID = re.compile(r"[A-Z]{1,3}[0-9]{0,3}")
DIGITS = re.compile(r"[0-9]+")


class DexParseError(ValueError):
    """A file that is not a readable DEX audit; ``line`` is the 1-based line at fault."""

    def __init__(self, message: str, *, line: int):
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self):
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class DexIssue:
    """Something in the file a reader should know about, at a 1-based line (None: the file as a whole)."""

    message: str
    line: int | None = None

    def __str__(self):
        return self.message if self.line is None else f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class DexMachine:
    serial: str
    model: str
    asset: str


@dataclass(frozen=True)
class SelectionCounters:
    """A selection's paid-vend counters (``PA2``); values in the currency's minor units, None when not reported."""

    units_since_init: int | None = None
    value_since_init: int | None = None
    units_since_reset: int | None = None
    value_since_reset: int | None = None


@dataclass(frozen=True)
class DexSelection:
    """One ``PA1`` with its ``PA2``: a selection, its price in minor units and product name, and its counters."""

    selection: str
    price: int | None
    product: str
    counters: SelectionCounters
    line: int


@dataclass(frozen=True)
class DexVendTotals:
    """``VA1``: all paid vends of the machine, value in minor units."""

    value_since_init: int | None
    vends_since_init: int | None
    value_since_reset: int | None
    vends_since_reset: int | None


@dataclass(frozen=True)
class DexAudit:
    """What one audit says. Times are the machine's own clock, naive."""

    machine: DexMachine
    decimals: int
    currency: str
    selections: tuple[DexSelection, ...]
    vend_totals: DexVendTotals | None
    reads_with_reset: int | None
    read_at: dt.datetime | None
    previous_read_at: dt.datetime | None
    warnings: tuple[DexIssue, ...]
    read_at_line: int | None = None  # the line of the segment the read time came from

    def money(self, minor_units: int) -> Decimal:
        """A value of the audit (in minor units) as an amount of its currency."""
        return Decimal(minor_units).scaleb(-self.decimals)


def dex_crc16(data: bytes) -> int:
    """CRC-16/ARC, the checksum ``G85`` carries."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True)
class _Segment:
    line: int
    elements: list[str]

    @property
    def id(self) -> str:
        return self.elements[0]

    def text(self, position: int) -> str:
        """Element ``position`` (1-based, as the standard numbers them), stripped; empty when absent."""
        return self.elements[position].strip() if position < len(self.elements) else ""

    def number(self, position: int) -> int | None:
        value = self.text(position)
        if not value:
            return None
        if not DIGITS.fullmatch(value):
            raise DexParseError(f"{self.id}{position:02d} is {value!r}, not a whole number", line=self.line)
        return int(value)

    def moment(self, date_position: int, time_position: int) -> dt.datetime | None:
        """A date (YYMMDD or YYYYMMDD) and an optional time (HHMM or HHMMSS); None without a date."""
        date, time = self.text(date_position), self.text(time_position)
        if not date:
            return None
        try:
            if not DIGITS.fullmatch(date + time) or len(date) not in (6, 8) or len(time) not in (0, 4, 6):
                raise ValueError
            # Any date the calendar has: a machine's clock left unset (1900, 9999) is not this parser's to
            # refuse, but the import's to judge (``cvd_portal.moments``), which dates such a read at its upload.
            year = int(date[:-4]) + (2000 if len(date) == 6 else 0)
            time = time.ljust(6, "0")
            return dt.datetime(year, int(date[-4:-2]), int(date[-2:]), int(time[:2]), int(time[2:4]), int(time[4:]))
        except ValueError:
            raise DexParseError(
                f"{self.id}{date_position:02d}/{self.id}{time_position:02d} ({date!r}, {time!r}) is not a date"
                " (YYMMDD or YYYYMMDD) and time (HHMM or HHMMSS)",
                line=self.line,
            ) from None


def parse_dex(data: bytes | str) -> DexAudit:
    """Read a DEX audit; raise ``DexParseError`` (with the line) for a file that cannot be read."""
    raw = data.encode() if isinstance(data, str) else data
    lines = raw.splitlines()
    segments = []
    for number, line in enumerate(lines, start=1):
        # Latin-1 reads any byte, so odd characters in a product name never stop an import.
        text = line.decode("latin-1").strip()
        if text:
            segments.append(_Segment(number, text.split("*")))

    start = next((index for index, segment in enumerate(segments) if segment.id == "DXS"), None)
    if start is None:
        first = segments[0].line if segments else 1
        raise DexParseError("no DXS segment: this is not a DEX audit", line=first)
    end = next((index for index in range(start + 1, len(segments)) if segments[index].id == "DXE"), None)
    if end is None:
        raise DexParseError(
            f"the audit opened by DXS at line {segments[start].line} has no DXE: the file is cut short",
            line=len(lines),
        )
    body = segments[start + 1 : end]
    for segment in body:
        if not SEGMENT_ID.fullmatch(segment.id):
            raise DexParseError(f"{segment.id[:20]!r} is not a DEX segment", line=segment.line)
        # Junk around the audit may hold anything; inside it a NUL is a corrupt read (and no text column takes one).
        if any("\x00" in element for element in segment.elements):
            raise DexParseError("a NUL byte inside the audit: the read is corrupt", line=segment.line)

    warnings = _transaction_set_warnings(lines, segments[start], body)
    return _audit(body, warnings)


def _audit(body: list[_Segment], warnings: list[DexIssue]) -> DexAudit:
    first = {}
    selections: dict[str, DexSelection] = {}
    open_selection = None  # the PA1 whose PA2 may follow
    for segment in body:
        if segment.id in ("ID1", "ID4", "ID5", "VA1", "EA3"):
            first.setdefault(segment.id, segment)
        elif segment.id == "PA1":
            open_selection = _selection(segment, selections)
            selections[open_selection.selection] = open_selection
        elif segment.id == "PA2":
            if open_selection is None and selections:
                last = list(selections.values())[-1]
                raise DexParseError(f"a second PA2 for the PA1 of line {last.line}", line=segment.line)
            if open_selection is None:
                raise DexParseError("PA2 without a PA1 before it", line=segment.line)
            open_selection = _with_counters(open_selection, segment, warnings)
            selections[open_selection.selection] = open_selection
            open_selection = None

    identification, currency, clock, vends, reads = (first.get(name) for name in ("ID1", "ID4", "ID5", "VA1", "EA3"))
    decimals = DEFAULT_DECIMALS
    if currency is not None and (given := currency.number(1)) is not None:
        if given > MAX_DECIMALS:
            raise DexParseError(f"ID401 says {given} decimal places; at most {MAX_DECIMALS}", line=currency.line)
        decimals = given

    read_at = reads.moment(2, 3) if reads is not None else None
    read_at_line = reads.line if read_at is not None else None
    if read_at is None and clock is not None and (read_at := clock.moment(1, 2)) is not None:
        warnings.append(DexIssue("no read time in EA3: the machine's clock (ID5) is taken", clock.line))
        read_at_line = clock.line

    return DexAudit(
        machine=DexMachine(
            serial=identification.text(1) if identification else "",
            model=identification.text(2) if identification else "",
            asset=identification.text(6) if identification else "",
        ),
        decimals=decimals,
        currency=(currency.text(3) or currency.text(2)) if currency else "",
        selections=tuple(selections.values()),
        vend_totals=DexVendTotals(vends.number(1), vends.number(2), vends.number(3), vends.number(4))
        if vends
        else None,
        reads_with_reset=reads.number(1) if reads else None,
        read_at=read_at,
        previous_read_at=reads.moment(5, 6) if reads else None,
        warnings=tuple(warnings),
        read_at_line=read_at_line,
    )


def _selection(segment: _Segment, selections: dict[str, DexSelection]) -> DexSelection:
    selection = segment.text(1)
    if not selection:
        raise DexParseError("PA101 (the selection) is empty", line=segment.line)
    if selection in selections:
        raise DexParseError(
            f"selection {selection!r} is listed twice (first at line {selections[selection].line})", line=segment.line
        )
    return DexSelection(selection, segment.number(2), segment.text(3), SelectionCounters(), segment.line)


def _with_counters(selection: DexSelection, segment: _Segment, warnings: list[DexIssue]) -> DexSelection:
    counters = SelectionCounters(segment.number(1), segment.number(2), segment.number(3), segment.number(4))
    if (
        counters.units_since_init is not None
        and counters.units_since_reset is not None
        and counters.units_since_reset > counters.units_since_init
    ):
        # Some machines (the Animo sample) put something else in PA203; the since-initialisation counts rule.
        warnings.append(
            DexIssue(
                f"selection {selection.selection!r}: PA203 ({counters.units_since_reset}) exceeds PA201"
                f" ({counters.units_since_init}); a non-standard PA2",
                segment.line,
            )
        )
    return DexSelection(selection.selection, selection.price, selection.product, counters, selection.line)


def _transaction_set_warnings(lines: list[bytes], header: _Segment, body: list[_Segment]) -> list[DexIssue]:
    """Check ``G85`` and ``SE`` when present; their absence or a mismatch is worth a warning, never a refusal."""
    warnings = []
    ids = [segment.id for segment in body]
    checksum = body[ids.index("G85")] if "G85" in ids else None
    if checksum is None:
        warnings.append(DexIssue("no G85 checksum: the transfer could not be verified"))
    else:
        opening = body[ids.index("ST")] if "ST" in ids else (body[0] if body else header)
        covered = b"".join(line + b"\r\n" for line in lines[opening.line - 1 : checksum.line - 1])
        computed = f"{dex_crc16(covered):04X}"
        if checksum.text(1).upper() != computed:
            warnings.append(
                DexIssue(
                    f"G85 checksum {checksum.text(1)!r} does not match the data's {computed}: the file may be damaged",
                    checksum.line,
                )
            )
    if "ST" in ids and "SE" in ids:
        trailer = body[ids.index("SE")]
        counted = ids.index("SE") - ids.index("ST") + 1
        if trailer.number(1) != counted:
            warnings.append(DexIssue(f"SE01 counts {trailer.text(1)} segments; ST to SE holds {counted}", trailer.line))
    return warnings
