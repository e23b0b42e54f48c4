# SPDX-License-Identifier: EUPL-1.2
"""The people of the synthetic city: families, identities and addresses.

Dates are proleptic ordinals (`date.toordinal()`) throughout the generator: plain integers
are cheap to add, compare and draw at random; they become ISO dates only when written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Final

from interscambio.core.synth.catalog import Catalog, NamePool
from interscambio.core.synth.origins import CITY_BELFIORE, CITY_NAME, ORIGINS, Origin

YEAR: Final = 365.25
ORIGIN_WEIGHTS: Final = tuple(accumulate(o.share for o in ORIGINS))
NON_EU_ORIGINS: Final = tuple(o for o in ORIGINS if not o.eu)
NON_EU_WEIGHTS: Final = tuple(accumulate(o.share for o in NON_EU_ORIGINS))

# (street code, civic number, suffix, staircase, floor, flat)
Address = tuple[str, int, str, str, str, str]


@dataclass(slots=True)
class Permit:
    number: str
    kind: str
    reason: str
    channel: str
    applied: int
    issued: int | None
    delivered: int | None
    expires: int | None
    previous: str
    application_number: str = ""
    registered_post: str = ""


@dataclass(slots=True)
class Person:
    pid: str
    surname: str
    given: str
    sex: str
    born: int
    place_name: str
    place_code: str
    origin: Origin
    relation: str
    registered: int
    registration_reason: str
    citizenships: list[str] = field(default_factory=list)
    cancelled: int | None = None
    cancellation_reason: str = ""
    naturalized: int | None = None  # when the person became Italian, if ever
    gone: int | None = None  # when the person actually left the city or died

    @property
    def resident(self) -> bool:
        return self.cancelled is None


def pick_origin(rng: random.Random, eu_allowed: bool = True) -> Origin:
    if eu_allowed:
        return rng.choices(ORIGINS, cum_weights=ORIGIN_WEIGHTS)[0]
    return rng.choices(NON_EU_ORIGINS, cum_weights=NON_EU_WEIGHTS)[0]


def pick_address(rng: random.Random, cat: Catalog) -> Address:
    street = rng.choices(cat.streets, cum_weights=cat.street_weights)[0]
    civic = rng.randint(1, street.civic_max)
    suffix = rng.choice("ABC") if rng.random() < 0.06 else ""
    staircase = rng.choice("ABCD") if rng.random() < 0.25 else ""
    floor = str(rng.randint(0, 7)) if rng.random() < 0.8 else ""
    flat = str(rng.randint(1, 40)) if rng.random() < 0.7 else ""
    return (street.code, civic, suffix, staircase, floor, flat)


def given_name(rng: random.Random, pool: NamePool, style: str, sex: str) -> str:
    names = pool.male if sex == "M" else pool.female
    first = rng.choice(names)
    if style != "chinese" and rng.random() < 0.18:
        second = rng.choice(names)
        if second != first:
            return f"{first} {second}"
    return first


def surname_for(rng: random.Random, pool: NamePool, style: str) -> str:
    if style == "hispanic":
        return f"{rng.choice(pool.surnames)} {rng.choice(pool.surnames)}"
    return rng.choice(pool.surnames)


def child_surname(style: str, father: str, mother: str) -> str:
    if style == "hispanic":
        return f"{father.split(' ')[0]} {mother.split(' ')[0]}"
    return father


def birth_place(origin: Origin, born_here: bool) -> tuple[str, str]:
    return (CITY_NAME, CITY_BELFIORE) if born_here else (origin.name, origin.belfiore)
