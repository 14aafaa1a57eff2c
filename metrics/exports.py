"""The pick list as a PDF: what a driver prints or keeps on the phone before loading the van."""

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def pick_list_pdf_bytes(route, devices, lines, total, *, printed_at) -> bytes:
    """A portrait-letter PDF: the route, the devices it covers, then product, category and units to par."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    title = f"Pick list · route {route}"
    document = SimpleDocTemplate(buffer, pagesize=letter, title=title, topMargin=0.6 * inch, bottomMargin=0.6 * inch)
    rows = [["Product", "Category", "Units to par"]]
    # Paragraphs wrap a long product name inside its column; their markup needs &, < and > escaped.
    name = styles["BodyText"]
    rows += [[Paragraph(escape(line["name"]), name), line["category"], f"{line['units_to_par']:,}"] for line in lines]
    rows.append(["Total", "", f"{total:,}"])
    table = Table(rows, colWidths=[3.6 * inch, 1.8 * inch, 1.1 * inch], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e6e6e6")),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.HexColor("#bbbbbb")),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, colors.black),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
            ]
        )
    )
    assets = ", ".join(device.asset for device in devices) or "none"
    story = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(f"Devices: {escape(assets)}", styles["Normal"]),
        Paragraph(f"Printed {printed_at:%d %b %Y %H:%M}", styles["Normal"]),
        Spacer(1, 0.2 * inch),
        table,
    ]
    document.build(story)
    return buffer.getvalue()
