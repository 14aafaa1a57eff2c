"""A small DEX (EVA-DTS) writer for tests: audits built from the standard's rules, with a correct G85.

Written independently of the parser: the checksum here is computed bit by bit from the CRC-16/ARC
definition (polynomial 0x8005, reflected, initial value 0), not with the parser's function.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class WrittenSelection:
    """A ``PA1``/``PA2`` pair; values in minor units; None leaves the element empty."""

    selection: str
    price: int = 150
    units_since_init: int | None = None
    value_since_init: int | None = None
    units_since_reset: int | None = None
    value_since_reset: int | None = None
    product: str = ""


def crc16_arc(data: bytes) -> int:
    """CRC-16/ARC straight from its definition: reflect the input, divide by 0x8005, reflect the remainder."""
    register = 0
    for byte in data:
        for bit in range(8):  # least significant bit first: the input is reflected
            incoming = (byte >> bit) & 1
            top = (register >> 15) & 1
            register = (register << 1) & 0xFFFF
            if top ^ incoming:
                register ^= 0x8005
    return int(f"{register:016b}"[::-1], 2)


def element(value: int | str | None, zero_pad: int = 0) -> str:
    if value is None:
        return ""
    return str(value).zfill(zero_pad) if isinstance(value, int) else value


def segment(*elements: int | str | None, zero_pad: int = 0, trailing_star: bool = False) -> str:
    texts = [element(value, zero_pad) for value in elements]
    while len(texts) > 1 and texts[-1] == "":
        texts.pop()
    return "*".join(texts) + ("*" if trailing_star else "")


def dex_segments(
    *,
    serial: str = "SN-1001",
    model: str = "VM500",
    asset: str = "",
    decimals: int | None = 2,
    currency: str = "USD",
    read_at: dt.datetime | None = dt.datetime(2025, 4, 1, 10, 30),
    reads_with_reset: int = 1,
    selections: Sequence[WrittenSelection] = (),
    zero_pad: int = 0,
    trailing_star: bool = False,
) -> list[str]:
    """The segments from ID1 to the last PA2, as a machine would list them."""

    def seg(*elements):
        return segment(*elements, zero_pad=zero_pad, trailing_star=trailing_star)

    segments = [seg("ID1", serial, model, "0", "", "", asset)]
    if decimals is not None:
        segments.append(seg("ID4", decimals, "1840", currency))
    if read_at is not None:
        segments.append(seg("ID5", f"{read_at:%y%m%d}", f"{read_at:%H%M}"))

    def total(name):
        return sum(getattr(selection, name) or 0 for selection in selections)

    segments.append(
        seg(
            "VA1",
            total("value_since_init"),
            total("units_since_init"),
            total("value_since_reset"),
            total("units_since_reset"),
        )
    )
    for selection in selections:
        segments.append(seg("PA1", selection.selection, selection.price, selection.product))
        segments.append(
            seg(
                "PA2",
                selection.units_since_init,
                selection.value_since_init,
                selection.units_since_reset,
                selection.value_since_reset,
            )
        )
    if read_at is not None:
        segments.append(seg("EA3", reads_with_reset, f"{read_at:%y%m%d}", f"{read_at:%H%M}"))
    return segments


def dex_file(
    segments: Sequence[str],
    *,
    line_end: str = "\r\n",
    with_st: bool = True,
    with_g85: bool = True,
    checksum: str | None = None,
    junk_before: Sequence[str] = (),
    junk_after: Sequence[str] = (),
) -> bytes:
    """A whole file: DXS, ST, the segments, G85 (its CRC over ST… with CRLF ends), SE, DXE."""
    transaction_set = (["ST*001*0001"] if with_st else []) + list(segments)
    if with_g85:
        crc = crc16_arc("".join(line + "\r\n" for line in transaction_set).encode("latin-1"))
        transaction_set.append(f"G85*{checksum or f'{crc:04X}'}")
    if with_st:
        transaction_set.append(f"SE*{len(transaction_set) + 1}*0001")
    lines = [*junk_before, "DXS*TEST000001*VA*V1/6*1", *transaction_set, "DXE*1*1", *junk_after]
    return "".join(line + line_end for line in lines).encode("latin-1")


def dex_audit_file(*, selections: Sequence[WrittenSelection], line_end: str = "\r\n", **identification) -> bytes:
    """The common case: a complete, well-formed audit."""
    return dex_file(dex_segments(selections=selections, **identification), line_end=line_end)
