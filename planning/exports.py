"""The plan as the driver and the office take it away: numbered stops with a directions link and the
reason for each, the machines to look at, the pre-kit (what to bag for each machine, and the warehouse's
totals) as CSV and as PDF.

Pure functions over a ``RoutePlan`` (``planning.plans``): they never read the database, so the API, the
pages and the files show the same figures.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from django.template.defaultfilters import pluralize
from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from cvd_portal.spreadsheets import spreadsheet_text, without_illegal_characters

from .plans import Machine, MachineDecision, RoutePlan, SlotLoad
from .routing import Point

NOT_SELLING = "not selling"
SILENT = "silent"
PREKIT_CSV_HEADERS = ["Stop", "Asset", "Location", "Position", "Product", "Load"]
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def geo_uri(point: Point, label: str) -> str:
    """A ``geo:`` URI (RFC 5870) that opens the phone's maps app at ``point`` with a pin named ``label``.

    The ``?q=lat,lon(label)`` query is what Android's and most map apps' handlers read for the pin.
    """
    where = f"{point.latitude},{point.longitude}"
    return f"geo:{where}?q={where}({quote(label, safe='')})"


@dataclass(frozen=True)
class PlanStop:
    """A stop of the plan as the driver reads it: its number in driving order, from 1."""

    number: int
    decision: MachineDecision
    reason: str

    @property
    def machine(self) -> Machine:
        return self.decision.machine

    @property
    def geo_uri(self) -> str | None:
        point = self.machine.point
        return geo_uri(point, self.machine.asset) if point is not None else None

    @property
    def loaded_slots(self) -> list[SlotLoad]:
        """The slots that get units, in the planogram's order: what goes in the machine's bag."""
        return [load for load in self.decision.loads if load.load]

    @property
    def slots_to_fill(self) -> list[SlotLoad]:
        """The slots that get units or are below capacity now (the two numbers a driver compares); a
        full slot that gets nothing is left out."""
        return [load for load in self.decision.loads if load.load or load.units_to_par]


def stop_reason(decision: MachineDecision, next_service_day: dt.date) -> str:
    """Why the machine is on the plan, in the planner's terms: must-visit, or what waiting would lose."""
    if decision.must_visit:
        sold_out = decision.sold_out_slots
        return f"Must visit: {sold_out} slot{pluralize(sold_out)} sold out."
    waiting_until = date_format(next_service_day, "D j M")
    return (
        f"Worth ${decision.value}: waiting until {waiting_until} would leave about "
        f"{decision.lost_units_if_waiting:.1f} units unsold."
    )


def plan_stops(plan: RoutePlan) -> list[PlanStop]:
    return [
        PlanStop(number=number, decision=decision, reason=stop_reason(decision, plan.next_service_day))
        for number, decision in enumerate(plan.stops, start=1)
    ]


def attention_status(machine: Machine) -> str:
    """``silent`` (no data arrives) or ``not selling`` (data arrives, sales do not); silent wins, as in
    ``planning.health``."""
    return SILENT if machine.silent else NOT_SELLING


@dataclass(frozen=True)
class WarehouseLine:
    product_id: int
    name: str
    units: int


def warehouse_lines(plan: RoutePlan) -> list[WarehouseLine]:
    """The plan's warehouse totals with the products' names, by name: what to pick for the whole day."""
    names = {load.slot.product_id: load.slot.product_name for stop in plan.stops for load in stop.loads}
    lines = [WarehouseLine(product, names[product], units) for product, units in plan.warehouse_totals.items()]
    return sorted(lines, key=lambda line: (line.name, line.product_id))


def prekit_filename(route, plan: RoutePlan, extension: str) -> str:
    return f"prekit_route-{route.number}_{plan.day.isoformat()}.{extension}"


def prekit_csv_bytes(plan: RoutePlan) -> bytes:
    """One row a loaded slot, stop by stop: ``PREKIT_CSV_HEADERS``; UTF-8 with a BOM (Excel reads it as such),
    and the names people typed written as text, never as formulas (``cvd_portal.spreadsheets``)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(PREKIT_CSV_HEADERS)
    for stop in plan_stops(plan):
        for load in stop.loaded_slots:
            writer.writerow(
                [
                    stop.number,
                    spreadsheet_text(stop.machine.asset),
                    spreadsheet_text(stop.machine.location_name),
                    load.slot.label,
                    spreadsheet_text(load.slot.product_name),
                    load.load,
                ]
            )
    return buffer.getvalue().encode("utf-8-sig")


def _pdf_text(text: str) -> str:
    # Paragraph markup needs &, < and > escaped; control characters would print as stray glyphs.
    return escape(without_illegal_characters(text))


def _pdf_table(rows, widths, *, total: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 10),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
    ]
    if total:
        style += [
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
        ]
    table.setStyle(TableStyle(style))
    return table


def prekit_pdf_bytes(route, plan: RoutePlan, *, printed_at: dt.datetime) -> bytes:
    """A portrait-letter PDF: a section a stop (the bag's label: stop number, asset, location; then position,
    product and load of each slot that gets units), then the warehouse's totals by product."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    title = f"Pre-kit · route {route} · {date_format(plan.day, 'D j M Y')}"
    document = SimpleDocTemplate(buffer, pagesize=letter, title=title, topMargin=0.6 * inch, bottomMargin=0.6 * inch)
    stops = plan_stops(plan)
    story = [
        Paragraph(_pdf_text(title), styles["Title"]),
        Paragraph(f"{len(stops)} stop{pluralize(len(stops))} · printed {printed_at:%d %b %Y %H:%M}", styles["Normal"]),
        Spacer(1, 0.2 * inch),
    ]
    for stop in stops:
        label = f"Stop {stop.number} · {stop.machine.asset} · {stop.machine.location_name or 'No location'}"
        rows = [["Position", "Product", "Load"]]
        rows += [
            [load.slot.label, Paragraph(_pdf_text(load.slot.product_name), body), f"{load.load:,}"]
            for load in stop.loaded_slots
        ]
        rows.append(["", "Total", f"{stop.decision.load_units:,}"])
        section = [
            Paragraph(_pdf_text(label), styles["Heading2"]),
            _pdf_table(rows, [0.9 * inch, 4.6 * inch, 1.0 * inch], total=True),
        ]
        # A bag's label and list start on one page; a list longer than a page breaks with its header repeated.
        story.append(KeepTogether(section))
    lines = warehouse_lines(plan)
    rows = [["Product", "Units"]]
    rows += [[Paragraph(_pdf_text(line.name), body), f"{line.units:,}"] for line in lines]
    rows.append(["Total", f"{sum(line.units for line in lines):,}"])
    story += [
        Paragraph("Warehouse totals", styles["Heading2"]),
        _pdf_table(rows, [5.5 * inch, 1.0 * inch], total=True),
    ]
    document.build(story)
    return buffer.getvalue()
