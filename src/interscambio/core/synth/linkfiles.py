# SPDX-License-Identifier: EUPL-1.2
"""A written synthetic city as the record linker's input: two CSV files and the truth.

`interscambio link LEFT.csv RIGHT.csv` reads two files with the same columns
(`LINKAGE_COLUMNS`); this module writes them from a city folder, the registry on the left and
the permits on the right, together with the pairs that are the same person:

    DIR/linkage/left.csv    one row per registry person (id = id_anagrafe)
    DIR/linkage/right.csv   one row per permit (id = numero_permesso), the holder as the
                            Questura recorded him or her
    DIR/linkage/truth.csv   id_left,id_right: which permit belongs to which registry person

The files are read and written row by row, so memory does not grow with the city; only the
street gazetteer (a few hundred streets) is held.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from interscambio.linkage.columns import COLUMNS as LINKAGE_COLUMNS

TRUTH_COLUMNS: Final = ("id_left", "id_right")
# The columns both offices name alike.
_IDENTITY: Final = ("codice_fiscale", "cognome", "nome", "sesso", "data_nascita", "luogo_nascita")


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _streets(path: Path) -> dict[str, str]:
    """{codice_via: "<dug> <denominazione>"} from the gazetteer."""
    return {row["codice_via"]: f"{row['dug']} {row['denominazione']}" for row in _rows(path)}


def registry_address(row: dict[str, str], streets: dict[str, str]) -> str:
    """The registry's address of a person as one line of text, the street named as the
    gazetteer names it: "VIA PAPACINO 3/B, scala C, piano 2, int. 14"."""
    number = row["civico"] + (f"/{row['esponente']}" if row["esponente"] else "")
    text = f"{streets[row['codice_via']]} {number}"
    for column, label in (("scala", "scala"), ("piano", "piano"), ("interno", "int.")):
        if row[column]:
            text += f", {label} {row[column]}"
    return text


def write_linkage_files(city: Path) -> dict[str, int]:
    """Write `city`/linkage/{left,right,truth}.csv from the city's extracts and truth.

    Returns the rows written to each file, by name (left, right, truth)."""
    out = city / "linkage"
    out.mkdir(exist_ok=True)
    streets = _streets(city / "comune" / "stradario.csv")
    counts = {"left": 0, "right": 0, "truth": 0}
    with (
        (out / "left.csv").open("w", encoding="utf-8", newline="") as left_file,
        (out / "right.csv").open("w", encoding="utf-8", newline="") as right_file,
        (out / "truth.csv").open("w", encoding="utf-8", newline="") as truth_file,
    ):
        left, right, truth = (
            csv.writer(handle, lineterminator="\n")
            for handle in (left_file, right_file, truth_file)
        )
        left.writerow(LINKAGE_COLUMNS)
        for person in _rows(city / "comune" / "anagrafe.csv"):
            left.writerow(
                (
                    person["id_anagrafe"],
                    *(person[column] for column in _IDENTITY),
                    person["cittadinanze"].split(";", 1)[0],
                    registry_address(person, streets),
                )
            )
            counts["left"] += 1
        right.writerow(LINKAGE_COLUMNS)
        for permit in _rows(city / "questura" / "permessi.csv"):
            right.writerow(
                (
                    permit["numero_permesso"],
                    *(permit[column] for column in _IDENTITY),
                    permit["cittadinanza"],
                    permit["domicilio_indirizzo"],
                )
            )
            counts["right"] += 1
        truth.writerow(TRUTH_COLUMNS)
        for link in _rows(city / "truth" / "links.csv"):
            truth.writerow((link["id_anagrafe"], link["numero_permesso"]))
            counts["truth"] += 1
    return counts
