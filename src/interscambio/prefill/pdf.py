# SPDX-License-Identifier: EUPL-1.2
"""The application's data on one printable A4 page, labelled in Italian, for the help desk.

The notices' fpdf2 set-up and Debian's Noto fonts (notices/fonts.py); only the Latin face is
used, names being written as the registry romanizes them. The page never runs onto a second:
the family table's rows get shorter as the family grows.
"""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from interscambio.core import codes
from interscambio.notices import fonts
from interscambio.prefill.writers import italian_date

MARGIN: Final = 18.0
WIDTH: Final = 210.0 - 2 * MARGIN
BOTTOM: Final = 297.0 - MARGIN - 14  # room for the closing note
LABEL_WIDTH: Final = 55.0
ROW: Final = 6.5
FAMILY_COLUMNS: Final = (
    ("Cognome e nome", 48.0),
    ("Relazione", 30.0),
    ("Data di nascita", 28.0),
    ("Cittadinanza", 25.0),
    ("Codice fiscale", WIDTH - 131.0),
)


def _document() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    faces = fonts.faces()
    pdf.add_font(fonts.LATIN, "", str(faces[fonts.LATIN].path))
    pdf.add_font(fonts.LATIN, "B", str(faces[f"{fonts.LATIN}-bold"].path))
    pdf.set_text_shaping(True)
    pdf.set_title("Dati per la domanda di permesso di soggiorno")
    pdf.set_creator("interscambio")
    return pdf


def _heading(pdf: FPDF, words: str) -> None:
    pdf.ln(3)
    pdf.set_font(fonts.LATIN, "B", 11)
    pdf.cell(0, 7, words, border="B", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)


def _field(pdf: FPDF, label: str, value: str) -> None:
    pdf.set_font(fonts.LATIN, "", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.cell(LABEL_WIDTH, ROW, label)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(fonts.LATIN, "B", 10.5)
    pdf.cell(0, ROW, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _family(pdf: FPDF, members: list[dict[str, Any]]) -> None:
    if not members:
        _field(pdf, "Familiari conviventi", "nessuno")
        return
    height = min(ROW, (BOTTOM - pdf.get_y()) / (len(members) + 1))
    size = min(9.0, height / 0.55)  # points that fit the row: about 0.55 mm of row a point
    pdf.set_font(fonts.LATIN, "B", size)
    pdf.set_fill_color(235, 235, 235)
    for title, width in FAMILY_COLUMNS:
        pdf.cell(width, height, title, border=1, fill=True)
    pdf.ln(height)
    pdf.set_font(fonts.LATIN, "", size)
    for m in members:
        cells = (
            f"{m['cognome']} {m['nome']}",
            m["relazione"],
            italian_date(m["data_nascita"]),
            ", ".join(m["cittadinanze"]),
            m["codice_fiscale"],
        )
        for (_, width), words in zip(FAMILY_COLUMNS, cells, strict=True):
            pdf.cell(width, height, words, border=1)
        pdf.ln(height)


def to_pdf(data: dict[str, Any], reference: str = "") -> bytes:
    """One page; `reference` (the case) is printed in the closing note when given."""
    pdf = _document()
    pdf.add_page()
    pdf.set_font(fonts.LATIN, "B", 12)
    for line in settings.NOTICES_LETTERHEAD.splitlines():
        pdf.cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font(fonts.LATIN, "B", 14)
    pdf.cell(0, 8, "Dati per la domanda di permesso di soggiorno", new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)  # fmt: skip
    pdf.set_font(fonts.LATIN, "", 9)
    pdf.cell(0, 5, "Modulo 1 e modulo 209 del kit postale: dati precompilati dall'anagrafe",
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip

    who = data["richiedente"]
    _heading(pdf, "Richiedente")
    _field(pdf, "Cognome", who["cognome"])
    _field(pdf, "Nome", who["nome"])
    _field(pdf, "Sesso", codes.SEXES.get(who["sesso"], who["sesso"]))
    _field(pdf, "Data di nascita", italian_date(who["data_nascita"]))
    _field(pdf, "Luogo di nascita", who["luogo_nascita"])
    _field(pdf, "Cittadinanza", ", ".join(who["cittadinanze"]))
    _field(pdf, "Codice fiscale", who["codice_fiscale"])

    home = data["residenza"]
    _heading(pdf, "Residenza")
    _field(pdf, "Via / piazza", home["via"])
    _field(pdf, "Numero civico", home["civico"])
    inside = ", ".join(
        f"{label} {home[key]}"
        for label, key in (("scala", "scala"), ("piano", "piano"), ("int.", "interno"))
        if home[key]
    )
    if inside:
        _field(pdf, "Scala, piano, interno", inside)
    _field(pdf, "CAP", home["cap"])
    _field(pdf, "Comune", home["comune"])
    _field(pdf, "Provincia", home["provincia"])

    permit = data["permesso"]
    _heading(pdf, "Titolo di soggiorno attuale")
    _field(pdf, "Tipo", permit["tipo"])
    _field(pdf, "Numero", permit["numero"])
    _field(pdf, "Questura di rilascio", permit["questura"])
    _field(pdf, "Data di rilascio", italian_date(permit["data_rilascio"]))
    _field(pdf, "Data di scadenza", italian_date(permit["data_scadenza"]))

    _heading(pdf, "Familiari conviventi")
    _family(pdf, data["familiari"])

    pdf.set_xy(MARGIN, BOTTOM + 2)
    pdf.set_font(fonts.LATIN, "", 8)
    note = (
        f"Estratto dall'anagrafe del Comune di {settings.NODE_NAME} il "
        f"{italian_date(data['data_estrazione'])}"
        + (f" per la pratica {reference}" if reference else "")
        + ". Dati da verificare con l'interessato prima dell'invio; il titolo di soggiorno è "
        "quello noto all'anagrafe."
    )
    pdf.multi_cell(WIDTH, 4, note)
    return bytes(pdf.output())
