# SPDX-License-Identifier: EUPL-1.2
"""The batch's CSV for a mail merge: one row per letter, in the PDF's order."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Final

COLUMNS: Final = (
    "riferimento",
    "id_anagrafe",
    "nominativo",
    "indirizzo_1",
    "indirizzo_2",
    "lingua",
    "tipo",
    "scadenza_permesso",
    "termine",
)


@dataclass(frozen=True)
class Row:
    reference: str
    registry_id: str
    name: str
    address_lines: tuple[str, str]
    language: str
    kind: str
    expiry: date
    deadline: date


def write(rows: Iterable[Row], path: Path) -> int:
    """Dates as the office reads them (dd/mm/yyyy). UTF-8 with a byte-order mark and ";"
    between fields: without the mark, the spreadsheet and word processor an Italian office
    opens this with read it as Windows-1252 and garble every accented or non-Latin name, and
    with an Italian locale they expect ";" (the comma is the decimal separator)."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(
                (
                    row.reference,
                    row.registry_id,
                    row.name,
                    *row.address_lines,
                    row.language,
                    row.kind,
                    f"{row.expiry:%d/%m/%Y}",
                    f"{row.deadline:%d/%m/%Y}",
                )
            )
            count += 1
    return count
