# SPDX-License-Identifier: EUPL-1.2
"""A synthetic province: several small Comuni, each its own synthetic city, and one Questura
holding the permits of them all.

Each city comes from the generator with its own seed; its ids are made the Comune's own (the
generator numbers every city the same way) and its "Turin" becomes the Comune's code and name,
so that the Questura's permit file says where each holder is domiciled.
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from interscambio.core.synth import CityConfig, build
from interscambio.core.synth.origins import CITY_ISTAT

# Ids the generator writes with the shard number 0001 after an optional letter.
_SHARD = re.compile(r"^([A-Z]?)0001(\d+)$")
_IDS = {
    "anagrafe.csv": ("id_anagrafe", "id_famiglia", "titolo_numero"),
    "eventi.csv": ("id_evento", "id_anagrafe"),
    "permessi.csv": ("numero_permesso", "numero_permesso_precedente", "cui"),
}


@dataclass(frozen=True)
class ComuneExtracts:
    """A synthetic Comune as its source systems give it: the extracts the hub loads."""

    code: str
    name: str
    folder: Path  # stradario.csv, anagrafe.csv, eventi.csv


def codes(count: int) -> list[str]:
    """ISTAT-shaped codes no Comune has (the generator's own province codes are real ones)."""
    return [f"001{401 + n:03d}" for n in range(count)]


def _own(value: str, number: int) -> str:
    match = _SHARD.match(value)
    return f"{match[1]}{number:04d}{match[2]}" if match else value


def _rewrite(
    source: Path, number: int, code: str, name: str
) -> tuple[list[str], list[dict[str, str]]]:
    with source.open(encoding="utf-8", newline="") as stream:
        reader = csv.DictReader(stream)
        fields, rows = list(reader.fieldnames or ()), list(reader)
    for row in rows:
        for column in _IDS.get(source.name, ()):
            row[column] = _own(row[column], number)
        if row.get("domicilio_codice_comune") == CITY_ISTAT:
            row["domicilio_codice_comune"], row["domicilio_comune"] = code, name
    return fields, rows


def _write(target: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    with target.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fields)
        writer.writeheader()
        writer.writerows(rows)


def build_comune(
    folder: Path, number: int, code: str, name: str, residents: int = 1000
) -> tuple[ComuneExtracts, list[str], list[dict[str, str]]]:
    """The Comune's own synthetic city under `folder`, and its holders' permits (header, rows).

    `number` makes its ids its own and seeds its city; `residents` is at least 1,000, the
    generator's smallest city."""
    city = folder / "cities" / code
    build(CityConfig(residents=residents, seed=1000 + number, months=3), city, workers=1)
    comune = ComuneExtracts(code, name, folder / "comuni" / code)
    comune.folder.mkdir(parents=True)
    shutil.copy(city / "comune" / "stradario.csv", comune.folder / "stradario.csv")
    for extract in ("anagrafe.csv", "eventi.csv"):
        _write(comune.folder / extract, *_rewrite(city / "comune" / extract, number, code, name))
    return comune, *_rewrite(city / "questura" / "permessi.csv", number, code, name)


def build_province(
    folder: Path, count: int, residents: int = 1000
) -> tuple[list[ComuneExtracts], Path]:
    """`count` Comuni and the Questura's permit file for all of them."""
    comuni, permits = [], folder / "questura" / "permessi.csv"
    permits.parent.mkdir(parents=True)
    permit_fields: list[str] = []
    permit_rows: list[dict[str, str]] = []
    for number, code in enumerate(codes(count), start=1):
        comune, permit_fields, rows = build_comune(
            folder, number, code, f"COMUNE {number:02d}", residents
        )
        permit_rows += rows
        comuni.append(comune)
    _write(permits, permit_fields, permit_rows)
    return comuni, permits
