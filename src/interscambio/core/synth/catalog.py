# SPDX-License-Identifier: EUPL-1.2
"""The city's street gazetteer and the name pools, read once from the files in data/."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import accumulate
from typing import Final

# Foreign residents are denser in the northern and central districts (Aurora, Barriera di
# Milano, San Salvario): relative weights per circoscrizione.
DISTRICT_WEIGHTS: Final[dict[int, float]] = {
    1: 1.0,
    2: 0.6,
    3: 0.8,
    4: 1.0,
    5: 1.3,
    6: 2.4,
    7: 2.0,
    8: 1.2,
}


@dataclass(frozen=True)
class Street:
    code: str
    dug: str
    name: str
    civic_max: int
    district: int
    cap: str

    @property
    def label(self) -> str:
        return f"{self.dug} {self.name}"


@dataclass(frozen=True)
class NamePool:
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    streets: tuple[Street, ...]
    street_weights: tuple[float, ...]  # cumulative, for random.choices
    pools: dict[str, NamePool]
    variants: dict[str, tuple[str, ...]]
    by_code: dict[str, Street]

    def street(self, code: str) -> Street:
        return self.by_code[code]


def _data(name: str) -> str:
    return resources.files("interscambio.core.synth").joinpath("data", name).read_text("utf-8")


def _streets() -> tuple[Street, ...]:
    rows = list(csv.DictReader(_data("streets.csv").splitlines()))
    # Codes follow the alphabetical order, spaced so that new streets can fit between.
    return tuple(
        Street(
            code=f"{(index + 1) * 10:05d}",
            dug=row["dug"],
            name=row["denominazione"],
            civic_max=int(row["civico_max"]),
            district=int(row["circoscrizione"]),
            cap=row["cap"],
        )
        for index, row in enumerate(rows)
    )


@cache
def catalog() -> Catalog:
    streets = _streets()
    weights = [DISTRICT_WEIGHTS.get(s.district, 1.0) * math.sqrt(s.civic_max) for s in streets]
    names = json.loads(_data("names.json"))
    pools = {
        style: NamePool(tuple(pool["male"]), tuple(pool["female"]), tuple(pool["surnames"]))
        for style, pool in names["styles"].items()
    }
    variants = {token: tuple(alts) for token, alts in names["variants"].items()}
    by_code = {s.code: s for s in streets}
    return Catalog(streets, tuple(accumulate(weights)), pools, variants, by_code)
