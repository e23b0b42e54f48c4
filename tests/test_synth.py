# SPDX-License-Identifier: EUPL-1.2
"""The synthetic city: valid extracts, a truth that adds up, determinism and its shape."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from interscambio.core.codes import EU_MEMBER_STATES
from interscambio.core.extracts import EVENTS, PERMITS, RESIDENTS, STREETS, read_extract
from interscambio.core.identity.codice_fiscale import fold_omocodia, is_provisional
from interscambio.core.synth import CityConfig, Noise, build
from interscambio.core.synth.cli import main as synth_main
from tests.synth_city import City

OTHER_EU = EU_MEMBER_STATES - {"ITA"}
CONFIG = CityConfig(residents=4_000, seed=7, months=24)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    root = tmp_path_factory.mktemp("city")
    build(CONFIG, root, workers=2)
    return City(root)


def linked_holders(city: City) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """{cui: (registry row, permit row)} for the holders the truth links to a person."""
    residents = {r["id_anagrafe"]: r for r in city.residents}
    permits = {p["numero_permesso"]: p for p in city.permits}
    return {
        permits[link["numero_permesso"]]["cui"]: (
            residents[link["id_anagrafe"]],
            permits[link["numero_permesso"]],
        )
        for link in city.links
    }


@pytest.mark.parametrize("schema", [STREETS, RESIDENTS, EVENTS, PERMITS], ids=lambda s: s.name)
def test_every_extract_reads_without_a_single_error(city: City, schema) -> None:  # type: ignore[no-untyped-def]
    folder = "questura" if schema is PERMITS else "comune"
    with read_extract(city.root / folder / schema.file_name, schema) as reader:
        errors = [str(e) for row in reader for e in row.errors]
    assert errors[:5] == []


def test_the_files_refer_to_each_other(city: City) -> None:
    streets = {s["codice_via"]: s for s in city.streets}
    ids = {r["id_anagrafe"] for r in city.residents}
    for resident in city.residents:
        street = streets[resident["codice_via"]]
        assert int(street["civico_min"]) <= int(resident["civico"]) <= int(street["civico_max"])
    assert {e["id_anagrafe"] for e in city.events} <= ids
    codes = [r["codice_fiscale"] for r in city.residents]
    assert len(set(codes)) == len(codes), "two registry persons share a codice fiscale"
    numbers = {p["numero_permesso"] for p in city.permits}
    assert {link["numero_permesso"] for link in city.links} <= numbers
    assert {link["id_anagrafe"] for link in city.links} <= ids
    for row in city.discrepancies:
        assert row["numero_permesso"] in numbers
        assert row["id_anagrafe"] in ids or row["kind"] == "titolare_non_iscritto"


def test_the_summary_counts_what_the_files_hold(city: City) -> None:
    counts = city.counts
    residents = [r for r in city.residents if r["stato"] == "residente"]
    assert counts["streets"] == len(city.streets) >= 300
    assert counts["registry_persons"] == len(city.residents)
    assert counts["registry_residents"] == len(residents)
    assert counts["registry_cancelled"] == len(city.residents) - len(residents)
    assert counts["registry_eu_residents"] == sum(
        r["cittadinanze"].split(";")[0] in OTHER_EU for r in residents
    )
    assert counts["registry_naturalized"] == sum(
        "ITA" in r["cittadinanze"].split(";") for r in residents
    )
    assert counts["registry_with_stay_title"] == sum(bool(r["titolo_tipo"]) for r in city.residents)
    assert counts["families"] == len({r["id_famiglia"] for r in city.residents})
    assert counts["registry_events"] == len(city.events)
    assert counts["events_by_kind"] == dict(Counter(e["tipo"] for e in city.events))
    assert counts["permits"] == len(city.permits)
    assert counts["permit_holders"] == len({p["cui"] for p in city.permits})
    assert counts["links"] == len(city.links)
    by_kind = Counter(d["kind"] for d in city.discrepancies)
    assert counts["discrepancies_by_kind"] == {
        k: by_kind[k] for k in counts["discrepancies_by_kind"]
    }
    assert counts["holders_not_in_registry"] == by_kind["titolare_non_iscritto"]
    assert counts["omocodes"] == sum(
        r["codice_fiscale"] != fold_omocodia(r["codice_fiscale"]) for r in city.residents
    )


def test_the_size_is_the_one_asked_for(city: City) -> None:
    residents = city.counts["registry_residents"]
    assert CONFIG.residents <= residents <= CONFIG.residents + 20


def test_every_kind_of_registry_event_and_discrepancy_occurs(city: City) -> None:
    reasons = Counter((e["tipo"], e["codice_motivo"]) for e in city.events)
    for expected in [
        ("iscrizione", "1"),  # births
        ("iscrizione", "4"),  # arrivals from abroad
        ("iscrizione", "3"),  # from another comune
        ("variazione", "indirizzo"),
        ("variazione", "titolo_soggiorno"),
        ("variazione", "cittadinanza"),
        ("cancellazione", "5"),  # emigration
        ("cancellazione", "7"),  # title not renewed, as far as the registry knows
    ]:
        assert reasons[expected] > 0, expected
    assert all(city.counts["discrepancies_by_kind"].values())


def test_families_share_an_address_and_names_follow_their_origin(city: City) -> None:
    addresses: dict[str, set[tuple[str, str]]] = defaultdict(set)
    sizes = Counter(r["id_famiglia"] for r in city.residents)
    for r in city.residents:
        if r["stato"] == "residente":
            addresses[r["id_famiglia"]].add((r["codice_via"], r["civico"]))
    assert all(len(places) == 1 for places in addresses.values())
    assert sum(size > 1 for size in sizes.values()) > len(sizes) / 3
    hispanic = [r for r in city.residents if r["cittadinanze"].split(";")[-1] in {"PER", "ECU"}]
    assert sum(" " in r["cognome"] for r in hispanic) > 0.9 * len(hispanic)
    assert len({r["cittadinanze"].split(";")[-1] for r in city.residents}) >= 30


def test_a_third_of_the_residents_are_eu_citizens_and_hold_no_permit(city: City) -> None:
    counts = city.counts
    share = counts["registry_eu_residents"] / counts["registry_residents"]
    assert 0.25 <= share <= 0.42
    eu_people = {r["id_anagrafe"] for r in city.residents if r["cittadinanze"][:3] in OTHER_EU}
    assert not any(link["id_anagrafe"] in eu_people for link in city.links)


def within(count: int, of: int, rate: float) -> bool:
    """The observed share is within four standard deviations of the configured rate."""
    tolerance = 4 * math.sqrt(rate * (1 - rate) / of) + 1 / of
    return abs(count / of - rate) <= tolerance


def test_noise_rates_are_within_the_configured_bounds(city: City) -> None:
    for kind, stat in city.summary["noise"].items():
        assert stat["of"] > 100, kind
        assert within(stat["count"], stat["of"], stat["rate"]), (kind, stat)


def test_the_noise_counted_is_the_noise_in_the_files(city: City) -> None:
    noise = city.summary["noise"]
    holders = linked_holders(city)
    missing = sum(p["codice_fiscale"] == "" for _, p in holders.values())
    provisional = sum(is_provisional(p["codice_fiscale"]) for _, p in holders.values())
    swapped = sum(r["data_nascita"] != p["data_nascita"] for r, p in holders.values())
    assert missing == noise["missing_cf"]["count"]
    assert provisional == noise["provisional_cf"]["count"]
    assert swapped == noise["date_swap"]["count"]
    assert len(holders) == noise["missing_cf"]["of"]
    unregistered = city.counts["holders_not_in_registry"]
    # Each in-city holder is either linked or unregistered.
    assert noise["unregistered"]["count"] == unregistered


def test_without_noise_the_questura_writes_what_the_registry_holds(tmp_path: Path) -> None:
    quiet = Noise(
        romanization=0, typo=0, name_order=0, missing_cf=0, provisional_cf=0, date_swap=0,
        unregistered=0,
    )  # fmt: skip
    build(CityConfig(residents=1_000, seed=3, months=12, noise=quiet), tmp_path, workers=1)
    city = City(tmp_path)
    for registry, permit in linked_holders(city).values():
        for field in ("codice_fiscale", "cognome", "nome", "sesso", "data_nascita"):
            assert registry[field] == permit[field], field
    assert city.counts["holders_not_in_registry"] == 0
    assert all(stat["count"] == 0 for kind, stat in city.summary["noise"].items()
               if getattr(quiet, kind) == 0)  # fmt: skip


def test_the_same_seed_gives_the_same_city_whatever_the_workers(city: City, tmp_path: Path) -> None:
    build(CONFIG, tmp_path, workers=1)
    assert City(tmp_path).files() == city.files()


def test_another_seed_gives_another_city(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    build(CityConfig(residents=1_000, seed=1), one, workers=1)
    build(CityConfig(residents=1_000, seed=2), two, workers=1)
    assert City(one).files() != City(two).files()


def test_the_command_line_checks_its_parameters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert synth_main(["--out", str(tmp_path), "--residents", "10"]) == 2
    assert "residents must be between 1,000" in capsys.readouterr().err
    assert synth_main(["--out", str(tmp_path), "--typo-rate", "1.5"]) == 2
    assert "typo must be between 0 and 1" in capsys.readouterr().err
    assert not (tmp_path / "comune").exists()
    a_file = tmp_path / "file"
    a_file.write_text("", encoding="utf-8")
    assert synth_main(["--out", str(a_file)]) == 2
    assert "is not a folder" in capsys.readouterr().err


def test_the_share_of_city_permit_holders_not_in_the_registry_is_the_configured_one(
    city: City,
) -> None:
    in_city = {p["cui"] for p in city.permits if p["domicilio_codice_comune"] == "001272"}
    linked = set(linked_holders(city))
    assert linked <= in_city
    unregistered = len(in_city - linked)
    assert unregistered == city.counts["holders_not_in_registry"]
    assert within(unregistered, len(in_city), CONFIG.noise.unregistered)
    elsewhere = {p["cui"] for p in city.permits} - in_city
    assert len(elsewhere) == city.counts["holders_other_comuni"] > 0
