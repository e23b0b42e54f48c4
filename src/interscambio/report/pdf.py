# SPDX-License-Identifier: EUPL-1.2
"""The report as an A4 PDF for the technical table: the figures as shown, tables and charts.

The notices' fonts (notices/fonts.py: Debian's Noto Sans) and fpdf2, as the pre-filled
application does; only the Latin face is needed, the report naming no one.
"""

from __future__ import annotations

import io
from typing import Any, Final

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from interscambio.notices import fonts
from interscambio.report.charts import charts
from interscambio.report.suppression import SMALL, THRESHOLD, WITHHELD

MARGIN: Final = 15.0
WIDTH: Final = 210.0 - 2 * MARGIN
NOT_APPLICABLE: Final = "Non applicabile a questo nodo."


def _document(shown: dict[str, Any]) -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    faces = fonts.faces()
    pdf.add_font(fonts.LATIN, "", str(faces[fonts.LATIN].path))
    pdf.add_font(fonts.LATIN, "B", str(faces[f"{fonts.LATIN}-bold"].path))
    pdf.set_title(f"Rapporto trimestrale {shown['quarter']}")
    pdf.set_creator("interscambio")
    pdf.add_page()
    return pdf


def _text(pdf: FPDF, words: str, size: float = 9, bold: bool = False) -> None:
    pdf.set_font(fonts.LATIN, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, words, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def _table(pdf: FPDF, table: dict[str, Any]) -> None:
    _text(pdf, table["title"], 9.5, bold=True)
    pdf.set_font(fonts.LATIN, "", 7.5)
    columns = table["columns"]
    first = 60.0 if len(columns) > 1 else 120.0
    rest = (WIDTH - first) / max(len(columns), 1) if len(columns) > 1 else 40.0
    widths = (first, *([rest] * len(columns)))
    heading = FontFace(emphasis="BOLD", fill_color=(230, 236, 242))
    with pdf.table(
        col_widths=widths, width=sum(widths), align="LEFT", headings_style=heading,
        line_height=4.2, text_align=("LEFT", *(["RIGHT"] * len(columns))),
    ) as drawn:  # fmt: skip
        drawn.row(["", *columns])
        for row in table["rows"]:
            drawn.row([row["label"], *(_cell(v) for v in row["cells"])])
    pdf.ln(3)


def write(shown: dict[str, Any]) -> bytes:
    pdf = _document(shown)
    _text(pdf, f"Rapporto trimestrale per il tavolo tecnico — {shown['quarter']}", 15, bold=True)
    _text(pdf, f"Nodo: {shown['node']}, dal {shown['from']} al {shown['to']}. "
               f"Generato il {shown['generated']}.")  # fmt: skip
    _text(pdf, f"Solo dati aggregati. Conteggi da 1 a {THRESHOLD - 1}: «{SMALL}»; totali e "
               f"mediane che li rivelerebbero: «{WITHHELD}».", 8)  # fmt: skip
    pdf.ln(2)
    pictures = charts(shown)
    for section in shown["sections"]:
        if pdf.will_page_break(40):
            pdf.add_page()
        _text(pdf, section["title"], 12, bold=True)
        if not section["applicable"]:
            _text(pdf, NOT_APPLICABLE)
            pdf.ln(2)
            continue
        for table in section["tables"]:
            _table(pdf, table)
        if section["note"]:
            _text(pdf, section["note"], 7.5)
        if section["key"] in pictures:
            if pdf.will_page_break(70):
                pdf.add_page()
            pdf.image(io.BytesIO(pictures[section["key"]]), w=WIDTH * 0.85)
        pdf.ln(3)
    return bytes(pdf.output())
