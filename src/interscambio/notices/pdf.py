# SPDX-License-Identifier: EUPL-1.2
"""One PDF for a batch: a page per letter, in the resident's script, with an Italian copy.

fpdf2 shapes every line with HarfBuzz (uharfbuzz): Arabic and Urdu letters join and their
lines run right to left (fpdf2's bidi algorithm orders the Latin words and numbers inside
them), Bengali conjuncts form, Chinese is set from the CJK font. A letter always fits its
page: each block is measured first and the type made smaller until it does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from interscambio.notices import fonts
from interscambio.notices.languages import ITALIAN
from interscambio.notices.texts import Text, contacts, text

MM_PER_PT: Final = 25.4 / 72
MARGIN: Final = 20.0
PAGE_HEIGHT: Final = 297.0
BODY_PT: Final = 10.5
# Nastaliq climbs and descends far more than the other scripts: more room between its lines.
LEADING: Final = {"noto-nastaliq-urdu": 2.3, "noto-naskh-arabic": 1.75, "noto-sans-bengali": 1.6}
SCALES: Final = (1.0, 0.93, 0.86, 0.8, 0.74, 0.68)
# Chinese has no spaces and fpdf2 breaks lines only at spaces: a zero-width space between two
# ideographs lets a line break there instead of before the next Latin word.
_BETWEEN_IDEOGRAPHS: Final = re.compile(
    r"(?<=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])(?=[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef])"
)
RECIPIENT_X: Final = 110.0  # the window of a DL envelope, as Italian offices fold letters


@dataclass(frozen=True)
class Letter:
    """One page: the recipient as the registry writes them, and the text in their language."""

    reference: str
    name: str
    address_lines: tuple[str, ...]
    text: Text
    italian: Text | None  # the copy for the office and helpers; None for an Italian letter


@dataclass(frozen=True)
class Block:
    words: str
    family: str
    size: float
    align: Align
    gap: float = 1.5
    bold: bool = False


def letter_for(
    reference: str,
    name: str,
    address_lines: Sequence[str],
    language: str,
    kind: str,
    expiry: date,
    sent_on: date,
) -> Letter:
    own = text(language, kind, name, expiry, sent_on)
    italian = None if language == ITALIAN else text(ITALIAN, kind, name, expiry, sent_on)
    return Letter(reference, name, tuple(address_lines), own, italian)


def _document() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)  # measured instead: a letter never runs onto a second page
    for face in fonts.faces().values():
        style = "B" if face.family.endswith("-bold") else ""
        family = face.family.removesuffix("-bold")
        pdf.add_font(family, style, str(face.path), collection_font_number=face.number)
    pdf.set_fallback_fonts([fonts.LATIN], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.set_title(f"Avvisi ai residenti - {settings.NODE_NAME}")
    pdf.set_creator("interscambio")
    return pdf


def _blocks(letter: Letter, scale: float) -> list[Block]:
    own = letter.text
    family = fonts.family_for(own.language)
    side = Align.R if own.right_to_left else Align.L
    size = BODY_PT * scale

    def say(words: str, gap: float = 1.5, bold: bool = False) -> Block:
        if own.language == "zh":
            words = _BETWEEN_IDEOGRAPHS.sub("\u200b", words)
        return Block(words, family, size, side, gap, bold and family == fonts.LATIN)

    blocks = [say(own.subject, 3, bold=True), say(own.greeting)]
    blocks += [say(p) for p in own.paragraphs]
    blocks.append(say(own.ways_intro, 0.5))
    blocks += [say(f"{n}. {way}", 0.5) for n, way in enumerate(own.ways, 1)]
    blocks[-1] = say(blocks[-1].words)
    blocks.append(say(own.dwelling, 2, bold=True))
    blocks.append(say(own.contacts_label, 0.5))
    blocks += [Block(line, fonts.LATIN, size * 0.95, side, 0.2) for line in contacts()]
    blocks.append(say(own.closing, 1))
    blocks.append(Block(settings.NOTICES_OFFICE, fonts.LATIN, size, side, 4))
    if letter.italian is not None:
        small = size * 0.85
        blocks.append(say(own.italian_copy_label, 1))
        italian = letter.italian
        for words in (italian.subject, italian.paragraphs[0], italian.dwelling):
            blocks.append(Block(words, fonts.LATIN, small, Align.L, 1))
    return blocks


def _line_height(block: Block) -> float:
    return block.size * MM_PER_PT * LEADING.get(block.family, 1.45)


def _write(pdf: FPDF, block: Block, dry: bool) -> float:
    pdf.set_font(block.family, "B" if block.bold else "", block.size)
    if dry:
        height: float = pdf.multi_cell(
            0, _line_height(block), block.words, align=block.align, dry_run=True, output="HEIGHT"
        )
        return height + block.gap
    pdf.multi_cell(
        0,
        _line_height(block),
        block.words,
        align=block.align,
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.ln(block.gap)
    return 0.0


def _head(pdf: FPDF, letter: Letter, sent_on: date) -> None:
    pdf.set_font(fonts.LATIN, "B", 12)
    for line in settings.NOTICES_LETTERHEAD.splitlines():
        pdf.cell(0, 6, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(90, 90, 90)
    pdf.line(MARGIN, pdf.get_y() + 1, 210 - MARGIN, pdf.get_y() + 1)
    pdf.set_font(fonts.LATIN, "", 9)
    pdf.set_y(pdf.get_y() + 4)
    pdf.cell(0, 5, f"Rif. {letter.reference}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 5, f"{settings.NODE_NAME}, {sent_on:%d/%m/%Y}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(fonts.LATIN, "", 11)
    pdf.set_xy(RECIPIENT_X, 48)
    for line in (letter.name, *letter.address_lines):
        pdf.cell(0, 5.5, line, new_x=XPos.LEFT, new_y=YPos.NEXT)
    pdf.set_xy(MARGIN, 82)


def _page(pdf: FPDF, letter: Letter, sent_on: date) -> None:
    pdf.add_page()
    _head(pdf, letter, sent_on)
    room = PAGE_HEIGHT - MARGIN - pdf.get_y()
    chosen = SCALES[-1]
    for scale in SCALES:
        if sum(_write(pdf, b, dry=True) for b in _blocks(letter, scale)) <= room:
            chosen = scale
            break
    for block in _blocks(letter, chosen):
        _write(pdf, block, dry=False)


def write(letters: Iterable[Letter], sent_on: date, path: Path) -> int:
    """The batch's PDF at `path`, a page per letter; returns the pages written."""
    pdf = _document()
    for letter in letters:
        _page(pdf, letter, sent_on)
    pdf.output(str(path))
    return int(pdf.pages_count)
