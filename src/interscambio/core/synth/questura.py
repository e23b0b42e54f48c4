# SPDX-License-Identifier: EUPL-1.2
"""The Questura's view of a person: the same human, written down by another office.

Names come from the passport or the clerk's ear (other romanizations, typos, surname and given
names swapped), codes may be missing or provisional, dates may have day and month swapped, and
the domicile is free text in whatever form the form was filled in.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date
from typing import Final

from interscambio.core.identity.codice_fiscale import provisional_check_digit
from interscambio.core.synth.catalog import Catalog
from interscambio.core.synth.context import Context
from interscambio.core.synth.origins import PROVINCE_COMUNI
from interscambio.core.synth.people import Address, Person

DUG_FORMS: Final[dict[str, tuple[str, ...]]] = {
    "VIA": ("VIA", "VIA", "V.", "Via"),
    "CORSO": ("CORSO", "C.SO", "C.so", "Corso"),
    "PIAZZA": ("PIAZZA", "P.ZZA", "P.za", "Piazza"),
    "LARGO": ("LARGO", "L.GO", "Largo"),
    "VIALE": ("VIALE", "V.LE", "Viale"),
    "STRADA": ("STRADA", "STR.", "Strada"),
    "PIAZZALE": ("PIAZZALE", "P.LE"),
}
_NEIGHBOURS: Final = "QWERTYUIOPASDFGHJKLZXCVBNM"


@dataclass(frozen=True)
class HolderView:
    surname: str
    given: str
    born: str  # ISO date, possibly with day and month swapped
    codice_fiscale: str  # "" when missing
    birth_place: str


def _romanize(rng: random.Random, text: str, variants: dict[str, tuple[str, ...]]) -> str:
    words = text.split(" ")
    options = [i for i, w in enumerate(words) if w in variants]
    index = rng.choice(options)
    words[index] = rng.choice(variants[words[index]])
    return " ".join(words)


def _typo(rng: random.Random, text: str) -> str:
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    if len(letters) < 3:
        return text + text[-1]
    i = rng.choice(letters[1:-1])
    operation = rng.randrange(4)
    if operation == 0 and text[i + 1].isalpha():  # transposition
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if operation == 1:  # omission
        return text[:i] + text[i + 1 :]
    if operation == 2:  # doubling
        return text[:i] + text[i] + text[i:]
    replacement = rng.choice([c for c in _NEIGHBOURS if c != text[i]])
    return text[:i] + replacement + text[i + 1 :]


def provisional_code(rng: random.Random) -> str:
    first10 = "".join(rng.choices(string.digits, k=10))
    return first10 + provisional_check_digit(first10)


def holder_view(ctx: Context, person: Person, code: str, registered: bool) -> HolderView:
    """How the Questura recorded `person`; noise is drawn (and counted) only for people in both
    offices, since only there is a difference observable."""
    rng, noise, tally = ctx.rng, ctx.noise, ctx.tally
    surname, given = person.surname, person.given
    born = date.fromordinal(person.born)
    if registered:
        variants = ctx.catalog.variants
        if any(w in variants for w in f"{surname} {given}".split(" ")) and tally.chance(
            rng, "romanization", noise.romanization
        ):
            if any(w in variants for w in surname.split(" ")) and (
                rng.random() < 0.5 or not any(w in variants for w in given.split(" "))
            ):
                surname = _romanize(rng, surname, variants)
            else:
                given = _romanize(rng, given, variants)
        if tally.chance(rng, "typo", noise.typo):
            if rng.random() < 0.5:
                surname = _typo(rng, surname)
            else:
                given = _typo(rng, given)
        if tally.chance(rng, "name_order", noise.name_order):
            surname, given = given, surname
        swappable = born.day <= 12 and born.day != born.month
        if swappable and tally.chance(rng, "date_swap", noise.date_swap):
            born = date(born.year, born.day, born.month)
        roll = rng.random()
        tally.noise_of["missing_cf"] += 1
        tally.noise_of["provisional_cf"] += 1
        if roll < noise.missing_cf:
            tally.noise_count["missing_cf"] += 1
            code = ""
        elif roll < noise.missing_cf + noise.provisional_cf:
            tally.noise_count["provisional_cf"] += 1
            code = provisional_code(rng)
    else:
        # Never registered: the Questura alone attributed a code, often a provisional one.
        roll = rng.random()
        code = "" if roll < 0.2 else provisional_code(rng) if roll < 0.5 else code
    return HolderView(surname, given, born.isoformat(), code, person.place_name)


def domicile_text(rng: random.Random, catalog: Catalog, address: Address) -> str:
    """The declared domicile as free text, the way applicants and clerks write it."""
    street_code, civic, suffix, staircase, _, flat = address
    street = catalog.street(street_code)
    dug = rng.choice(DUG_FORMS.get(street.dug, (street.dug,)))
    name = street.name.title() if dug[0].islower() or dug[1:2].islower() else street.name
    number = str(civic)
    if suffix:
        number += rng.choice(("/", " ", "")) + suffix
    text = f"{dug} {name}{rng.choice((' ', ', ', ' N. '))}{number}"
    if staircase and rng.random() < 0.5:
        text += f" SC. {staircase}"
    if flat and rng.random() < 0.4:
        text += rng.choice((" INT. ", " INT ", " INTERNO ")) + flat
    return text


def province_domicile(rng: random.Random) -> tuple[str, str, str]:
    """A domicile in another comune of the province: (text, comune, ISTAT code)."""
    comune, istat = rng.choice(PROVINCE_COMUNI)
    street = rng.choice(("VIA ROMA", "CORSO FRANCIA", "VIA TORINO", "PIAZZA MARTIRI", "VIA MILANO"))
    return f"{street} {rng.randint(1, 150)}", comune, istat
