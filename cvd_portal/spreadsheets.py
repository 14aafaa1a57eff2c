"""Text in exported spreadsheets (CSV, XLSX): the rules every export applies to names people typed.

Used by the admin's exports (``devices.resources.PortalResource``) and the asset-sales export
(``analytics.exports``), so a name is written the same way in every file the portal produces.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# Spreadsheets run a cell that starts with one of these as a formula (tab and carriage return too, as
# OWASP lists them: some programs strip them and then see the formula).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading apostrophe when a spreadsheet would run it as a formula.

    A device or product name is typed by people outside the back office (e.g. imported from a supplier);
    a name like ``=HYPERLINK(...)`` in an opened CSV would run as a formula (CSV/formula injection).
    The apostrophe makes Excel and LibreOffice show it as text.
    """
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


def formula_restored(text: str) -> str:
    """``text`` as it was before ``neutralise_formula``: a file the portal exported imports back unchanged."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES) else text


def without_illegal_characters(text: str) -> str:
    """``text`` without the control characters XML cannot hold (NUL, vertical tab, form feed, ...).

    openpyxl refuses them (IllegalCharacterError), so one stray character in an imported name would make
    the whole XLSX export fail; a PDF would print them as stray glyphs.
    """
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def spreadsheet_text(text: str) -> str:
    """A text cell as any export writes it: without illegal characters, a formula lookalike neutralised."""
    return neutralise_formula(without_illegal_characters(text))
