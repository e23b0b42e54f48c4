# SPDX-License-Identifier: EUPL-1.2
"""The fast codice fiscale encoder against the reference, python-codicefiscale."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from codicefiscale import codicefiscale as reference

from interscambio.core.identity import codice_fiscale as cf
from interscambio.core.synth.catalog import catalog
from interscambio.core.synth.origins import CITY_BELFIORE, ORIGINS
from interscambio.core.synth.questura import provisional_code

SAMPLE = 5_000
PLACES = [o.belfiore for o in ORIGINS] + [CITY_BELFIORE, "F335", "C860"]
# Names that exercise the rules' edge cases: few consonants, accents, apostrophes, spaces.
EDGE_NAMES = ["O", "AI", "EU", "D'ANGELO", "NGUYÊN", "LÓPEZ DE LA CRUZ", "XU", "MOHAMED ALI"]


def people(seed: int, count: int) -> list[tuple[str, str, str, date, str]]:
    rng = random.Random(seed)
    pools = list(catalog().pools.values())
    out = []
    for _ in range(count):
        pool = rng.choice(pools)
        sex = rng.choice("MF")
        names = pool.male if sex == "M" else pool.female
        surname = rng.choice([*pool.surnames, *EDGE_NAMES])
        given = rng.choice([*names, *EDGE_NAMES])
        if rng.random() < 0.2:
            given = f"{given} {rng.choice(names)}"
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(95 * 365))
        out.append((surname, given, sex, born, rng.choice(PLACES)))
    return out


def reference_code(surname: str, given: str, sex: str, born: date, place: str) -> str:
    return str(reference.encode(surname, given, sex, born.isoformat(), place))


def test_fast_encoding_equals_the_reference_on_a_large_random_sample() -> None:
    mismatches = [
        (person, ours, theirs)
        for person in people(20261122, SAMPLE)
        if (ours := cf.encode(*person)) != (theirs := reference_code(*person))
    ]
    assert mismatches == []


@pytest.mark.parametrize("seed", range(5))
def test_every_omocode_level_is_one_the_reference_knows_and_folds_back(seed: int) -> None:
    for person in people(seed, 40):
        code = cf.encode(*person)
        known = set(reference.decode(code)["omocodes"])
        for level in range(1, 8):
            omocode = cf.omocode(code, level)
            assert omocode in known
            assert cf.is_valid(omocode)
            assert reference.is_valid(omocode)
            assert cf.fold_omocodia(omocode) == code


def test_all_the_references_omocodes_validate_and_fold_back() -> None:
    code = cf.encode("QUISPE MAMANI", "JUAN CARLOS", "M", date(1984, 7, 3), "Z611")
    omocodes = reference.decode(code)["omocodes"]
    assert len(omocodes) == 128
    assert all(cf.is_valid(o) and cf.fold_omocodia(o) == code for o in omocodes)


def test_a_wrong_check_letter_is_named() -> None:
    code = cf.encode("ZHANG", "WEI", "M", date(1990, 2, 28), "Z210")
    wrong = code[:15] + ("A" if code[15] != "A" else "B")
    assert not cf.is_valid(wrong)
    assert f"expected {code[15]}" in (cf.validation_error(wrong) or "")


def test_provisional_codes_carry_a_check_digit() -> None:
    rng = random.Random(3)
    for _ in range(200):
        code = provisional_code(rng)
        assert cf.is_provisional(code)
        broken = code[:10] + str((int(code[10]) + 1) % 10)
        assert not cf.is_provisional(broken)
