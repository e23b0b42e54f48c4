# SPDX-License-Identifier: EUPL-1.2
"""The synthetic city as the linker's input: linkage/left.csv, right.csv and truth.csv."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from interscambio.core.synth import CityConfig, build
from interscambio.core.synth.cli import main as synth_main
from interscambio.core.synth.linkfiles import LINKAGE_COLUMNS, write_linkage_files
from tests.synth_city import City, rows

CONFIG = CityConfig(residents=1_500, seed=3, months=24)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("city")
    assert synth_main(
        ["--out", str(root), "--residents", "1500", "--seed", "3", "--quiet", "--linkage-files"]
    ) == 0  # fmt: skip
    return City(root)


def linkage(city: City, name: str) -> list[dict[str, str]]:
    return rows(city.root / "linkage" / f"{name}.csv")


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_the_two_sides_have_exactly_the_linker_columns(city: City) -> None:
    for name in ("left", "right"):
        assert header(city.root / "linkage" / f"{name}.csv") == list(LINKAGE_COLUMNS)
    assert header(city.root / "linkage" / "truth.csv") == ["id_left", "id_right"]


def test_each_side_has_a_row_per_source_row(city: City) -> None:
    left, right, truth = (linkage(city, name) for name in ("left", "right", "truth"))
    assert [row["id"] for row in left] == [row["id_anagrafe"] for row in city.residents]
    assert [row["id"] for row in right] == [row["numero_permesso"] for row in city.permits]
    assert len(truth) == len(city.links) > 0


def test_every_truth_pair_names_a_registry_person_and_a_permit(city: City) -> None:
    left = {row["id"] for row in linkage(city, "left")}
    right = {row["id"] for row in linkage(city, "right")}
    truth = [(row["id_left"], row["id_right"]) for row in linkage(city, "truth")]
    assert truth == [(link["id_anagrafe"], link["numero_permesso"]) for link in city.links]
    assert all(a in left and b in right for a, b in truth)


def test_the_identity_is_copied_and_the_citizenship_is_the_first(city: City) -> None:
    for person, row in zip(city.residents, linkage(city, "left"), strict=True):
        for column in ("codice_fiscale", "cognome", "nome", "sesso", "data_nascita"):
            assert row[column] == person[column]
        assert row["cittadinanza"] == person["cittadinanze"].split(";")[0]
        assert re.fullmatch(r"[A-Z]{3}", row["cittadinanza"])
    for permit, row in zip(city.permits, linkage(city, "right"), strict=True):
        for column in ("codice_fiscale", "cognome", "nome", "luogo_nascita", "cittadinanza"):
            assert row[column] == permit[column]
        assert row["indirizzo"] == permit["domicilio_indirizzo"]


def test_registry_addresses_are_rendered_from_the_gazetteer(city: City) -> None:
    streets = {s["codice_via"]: f"{s['dug']} {s['denominazione']}" for s in city.streets}
    seen = {"esponente": 0, "scala": 0, "piano": 0, "interno": 0}
    for person, row in zip(city.residents, linkage(city, "left"), strict=True):
        expected = f"{streets[person['codice_via']]} {person['civico']}"
        if person["esponente"]:
            expected += f"/{person['esponente']}"
        parts = [("scala", "scala"), ("piano", "piano"), ("interno", "int.")]
        expected += "".join(f", {label} {person[c]}" for c, label in parts if person[c])
        assert row["indirizzo"] == expected
        for column in seen:
            seen[column] += bool(person[column])
    assert all(seen.values()), seen


def test_the_same_city_gives_the_same_files(city: City, tmp_path: Path) -> None:
    build(CONFIG, tmp_path, workers=1)
    assert write_linkage_files(tmp_path) == {
        "left": len(city.residents),
        "right": len(city.permits),
        "truth": len(city.links),
    }
    for name in ("left", "right", "truth"):
        path = Path("linkage") / f"{name}.csv"
        assert (tmp_path / path).read_bytes() == (city.root / path).read_bytes()


def test_without_the_option_no_linkage_files_are_written(tmp_path: Path) -> None:
    assert synth_main(["--out", str(tmp_path), "--residents", "1000", "--quiet"]) == 0
    assert not (tmp_path / "linkage").exists()
