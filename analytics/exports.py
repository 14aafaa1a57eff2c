"""Exports of the asset-sales device performance table: the report's device rows as CSV, XLSX or PDF bytes.

Pure functions: they take the rows ``asset_sales_report`` computed (ranked, with ``top_products``) and
never read the database, so every figure in a file is the figure the API shows.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cvd_portal.spreadsheets import neutralise_formula, without_illegal_characters

from .date_range import DateRange

TEXT, MONEY, INTEGER, SCORE = "text", "money", "integer", "score"
NO_TOP_PRODUCT = "N/A"


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: float  # PDF points; the spreadsheet widths follow the content


COLUMNS = (
    Column("Asset ID", TEXT, 60),
    Column("Location", TEXT, 104),
    Column("Device Type", TEXT, 66),
    Column("Total Revenue", MONEY, 60),
    Column("Daily Average", MONEY, 56),
    Column("Total Units", INTEGER, 46),
    Column("Transactions", INTEGER, 62),
    Column("Avg Transaction", MONEY, 62),
    Column("Performance Score", SCORE, 62),
    Column("Fleet Rank", INTEGER, 40),
    Column("Top Product", TEXT, 102),
)
HEADERS = [column.header for column in COLUMNS]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_rows(devices: list[dict]) -> list[list]:
    """One list of typed values per device, in the spec's column order and in the order given (fleet rank).

    'Avg Transaction' is ``avg_transaction_value`` (revenue / transactions): the spec's table fills that
    column with ``revenue_per_unit``, but the label is what the reader acts on, and revenue per unit is
    not an average transaction. 'Top Product' is the name of the device's best product, or "N/A".
    Text is '' for a missing value; money is Decimal, the score a float, counts ints.
    """
    return [
        [
            device["asset"],
            device["location_name"] or "",
            device["device_type"] or "",
            device["total_revenue"],
            device["daily_revenue"],
            device["total_units"],
            device["total_transactions"],
            device["avg_transaction_value"],
            device["performance_score"],
            device["fleet_rank"],
            top[0]["name"] if (top := device.get("top_products")) else NO_TOP_PRODUCT,
        ]
        for device in devices
    ]


def _csv_cell(value, kind: str) -> str:
    if kind == TEXT:
        return neutralise_formula(value)
    if kind == SCORE:
        return f"{value:.2f}"
    return str(value)


def to_csv(rows: list[list]) -> bytes:
    """The table as CSV: a header row, then ``rows``; quoted by the csv module; UTF-8 with a BOM.

    The BOM is there because Excel reads a CSV without one in the machine's legacy code page, which
    garbles accented location and product names; every other reader skips it. Text cells that a
    spreadsheet would run as a formula get a leading apostrophe (``neutralise_formula``).
    """
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(value, column.kind) for value, column in zip(row, COLUMNS, strict=True)])
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_cell(value, kind: str):
    if kind == TEXT:
        return without_illegal_characters(value)
    if kind == SCORE:
        return float(value)
    return value


def to_xlsx(rows: list[list]) -> bytes:
    """The table as an Excel workbook: bold frozen header, money as numbers formatted 0.00, fitted widths.

    Text cells are stored as strings even when they start with '=' (openpyxl would otherwise write a
    formula), so a name can never run in the workbook; control characters XML cannot hold are dropped.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Asset sales"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_cell(value, column.kind) for value, column in zip(row, COLUMNS, strict=True)])
    for index, column in enumerate(COLUMNS, start=1):
        letter_ = get_column_letter(index)
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if column.kind == TEXT:
                cell.data_type = "s"
            elif column.kind in (MONEY, SCORE):
                cell.number_format = "0.00"
        longest = max([len(column.header), *(len(_csv_cell(row[index - 1], column.kind)) for row in rows)])
        # A little room for the filter arrow and padding; very long names wrap off-screen rather than
        # making the sheet unreadable.
        sheet.column_dimensions[letter_].width = min(longest + 2, 50)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _pdf_cell(value, kind: str, style) -> Paragraph | str:
    if kind == TEXT:
        # Paragraphs wrap a long name inside its column; their markup needs &, < and > escaped.
        return Paragraph(escape(without_illegal_characters(value)), style)
    if kind == SCORE:
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"


def _page_number(canvas, document):
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.drawRightString(document.pagesize[0] - document.rightMargin, 0.4 * inch, f"Page {document.page}")
    canvas.restoreState()


def to_pdf(rows: list[list], *, start: dt.date, end: dt.date, filters: str) -> bytes:
    """The table as a landscape-letter PDF: the title "Asset sales", the period, ``filters`` (a sentence
    saying which devices were reported), then the table, its header repeated on every page, and page numbers.
    """
    styles = getSampleStyleSheet()
    cell_style = styles["BodyText"].clone("cell", fontSize=7.5, leading=9)
    header_style = cell_style.clone("header", fontName="Helvetica-Bold")
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(letter),
        leftMargin=0.5 * inch,
        rightMargin=0.5 * inch,
        topMargin=0.5 * inch,
        bottomMargin=0.6 * inch,
        title="Asset sales",
        subject=f"{start.isoformat()} to {end.isoformat()}",
    )
    data = [[Paragraph(escape(column.header), header_style) for column in COLUMNS]]
    data += [[_pdf_cell(v, c.kind, cell_style) for v, c in zip(row, COLUMNS, strict=True)] for row in rows]
    table = Table(data, colWidths=[column.width for column in COLUMNS], repeatRows=1)
    numeric = [i for i, column in enumerate(COLUMNS) if column.kind != TEXT]
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
                *[("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric],
            ]
        )
    )
    period = f"{start:%d %b %Y} – {end:%d %b %Y} ({DateRange(start, end).days} days)"
    story = [
        Paragraph("Asset sales", styles["Title"]),
        Paragraph(f"Period: {escape(period)}", styles["Normal"]),
        Paragraph(f"Devices: {escape(filters)}", styles["Normal"]),
        Spacer(1, 0.15 * inch),
        table,
    ]
    if not rows:
        story.append(Paragraph("No device matches these filters.", styles["Normal"]))
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()


# How the PDF names a filter's values; a filter not named here is named after its parameter.
FILTER_LABELS = {
    "location": "location ids",
    "venue_type": "venue types",
    "device_type": "device type ids",
    "route": "route ids",
    "device_ids": "device ids",
}
SEARCH_FILTERS = {"asset", "serial_number"}


def describe_filters(filters: dict) -> str:
    """A sentence naming the filters applied; ``filters`` as ``DeviceFilterSet`` cleaned them (unused ones empty)."""
    parts = []
    for name, value in filters.items():
        label = FILTER_LABELS.get(name, name.replace("_", " "))
        if value in (None, "", []):
            continue
        if name in SEARCH_FILTERS:
            parts.append(f'{label} containing "{value}"')
        elif isinstance(value, bool):
            parts.append(f"{label}: {'yes' if value else 'no'}")
        elif isinstance(value, list | tuple):
            parts.append(f"{label} {', '.join(str(item) for item in value)}")
        else:
            parts.append(f"{label} {value}")
    return "; ".join(parts) if parts else "all devices"


def export_filename(start: dt.date, end: dt.date, extension: str) -> str:
    """``asset-sales_<start>_<end>.<extension>``, dates in ISO form."""
    return f"asset-sales_{start.isoformat()}_{end.isoformat()}.{extension}"
