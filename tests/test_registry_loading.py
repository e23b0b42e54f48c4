# SPDX-License-Identifier: EUPL-1.2
"""Loading the registry's extracts: every bad row is named, and a bad file loads nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from interscambio.core.extracts import EVENTS, RESIDENTS, STREETS, ExtractError
from interscambio.node.loading import LoadError, LoadRefused
from interscambio.registry.loading import load_registry, load_streets
from interscambio.registry.models import Citizenship, Family, RegistryEvent, Resident, Street
from tests import rows

pytestmark = pytest.mark.django_db


def wrong_check_letter(code: str) -> str:
    return code[:15] + ("A" if code[15] != "A" else "B")


def nothing_loaded() -> bool:
    return not (
        Resident.objects.exists()
        or Family.objects.exists()
        or Citizenship.objects.exists()
        or RegistryEvent.objects.exists()
    )


BAD_RESIDENTS = [
    (
        "bad codice fiscale",
        {"codice_fiscale": wrong_check_letter(str(rows.resident(2)["codice_fiscale"]))},
        "codice_fiscale",
        "wrong check letter",
    ),
    ("truncated codice fiscale", {"codice_fiscale": "ZHRMNA80E57"}, "codice_fiscale", "invalid"),
    ("impossible date", {"data_nascita": "1990-02-30"}, "data_nascita", "impossible date"),
    ("date in another format", {"data_nascita": "17/05/1990"}, "data_nascita", "YYYY-MM-DD"),
    ("unknown street", {"codice_via": "99999"}, "codice_via", "unknown street code '99999'"),
    ("civic number off the street", {"civico": 301}, "civico", "outside the street's 1-300"),
    ("unknown citizenship", {"cittadinanze": "MAR;XYZ"}, "cittadinanze", "'XYZ'"),
    ("empty surname", {"cognome": ""}, "cognome", "required, but empty"),
    ("unknown status", {"stato": "emigrato"}, "stato", "unknown code 'emigrato'"),
    (
        "cancelled without a date",
        {"stato": "cancellato", "motivo_cancellazione": "5"},
        "data_cancellazione",
        "required when stato is 'cancellato'",
    ),
    ("registered before birth", {"data_iscrizione": "1970-01-01"}, "data_iscrizione", "before"),
    ("unknown stay title kind", {"titolo_tipo": "0"}, "titolo_tipo", "unknown code '0'"),
]


@pytest.mark.parametrize(
    ("changes", "column", "message"),
    [case[1:] for case in BAD_RESIDENTS],
    ids=[case[0] for case in BAD_RESIDENTS],
)
def test_a_bad_row_refuses_the_whole_file(
    tmp_path: Path, gazetteer: Path, changes: dict[str, object], column: str, message: str
) -> None:
    path = rows.write(
        tmp_path / "anagrafe.csv",
        RESIDENTS,
        [rows.resident(1), rows.resident(2, **changes), rows.resident(3)],
    )
    with pytest.raises(LoadRefused) as refused:
        load_registry(path)
    errors = refused.value.checks[0].errors
    assert [(e.line, e.record, e.field) for e in errors] == [(3, "P000002", column)]
    assert message in errors[0].message
    assert nothing_loaded()


def test_a_duplicate_id_is_refused_naming_both_lines(tmp_path: Path, gazetteer: Path) -> None:
    path = rows.write(
        tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1), rows.resident(2), rows.resident(1)]
    )
    with pytest.raises(LoadRefused) as refused:
        load_registry(path)
    (error,) = refused.value.checks[0].errors
    assert (error.line, error.field) == (4, "id_anagrafe")
    assert "duplicate id_anagrafe (first on line 2)" in error.message
    assert nothing_loaded()


def test_a_file_with_the_wrong_columns_is_refused(tmp_path: Path, gazetteer: Path) -> None:
    path = tmp_path / "anagrafe.csv"
    rows.write(path, RESIDENTS, [rows.resident(1)])
    text = path.read_text(encoding="utf-8").replace("codice_fiscale,", "cf,", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ExtractError, match="missing columns: codice_fiscale; unexpected columns: cf"
    ):
        load_registry(path)
    assert nothing_loaded()


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(
    tmp_path: Path, gazetteer: Path
) -> None:
    path = tmp_path / "anagrafe.csv"
    rows.write(path, RESIDENTS, [rows.resident(1), rows.resident(2, nome="AMINA")])
    data = path.read_bytes().replace(b"AMINA,F", "AMÈNA,F".encode("latin-1"))
    path.write_bytes(data)
    with pytest.raises(ExtractError, match=r"line 2 is not UTF-8 \(byte 0xC8"):
        load_registry(path)
    assert nothing_loaded()


def test_a_row_with_missing_cells_is_named(tmp_path: Path, gazetteer: Path) -> None:
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    with path.open("a", encoding="utf-8") as out:
        out.write("P000009,ABC\n")
    with pytest.raises(LoadRefused) as refused:
        load_registry(path)
    (error,) = refused.value.checks[0].errors
    assert error.line == 3
    assert "2 cells where the header has 30" in error.message


def test_an_event_of_an_unknown_person_refuses_residents_too(
    tmp_path: Path, gazetteer: Path
) -> None:
    people = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    events = rows.write(
        tmp_path / "eventi.csv", EVENTS, [rows.event(1, person=1), rows.event(2, person=7)]
    )
    with pytest.raises(LoadRefused) as refused:
        load_registry(people, events)
    (error,) = refused.value.checks[1].errors
    assert (error.line, error.record, error.field) == (3, "E0000002", "id_anagrafe")
    assert "no valid person 'P000007'" in error.message
    assert nothing_loaded()


def test_an_event_reason_must_belong_to_its_kind(tmp_path: Path, gazetteer: Path) -> None:
    people = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    events = rows.write(
        tmp_path / "eventi.csv", EVENTS, [rows.event(1, tipo="cancellazione", codice_motivo="12")]
    )
    with pytest.raises(LoadRefused) as refused:
        load_registry(people, events)
    (error,) = refused.value.checks[1].errors
    assert error.field == "codice_motivo"
    assert "unknown reason '12' for a cancellazione" in error.message


def test_the_registry_needs_a_gazetteer_first(tmp_path: Path) -> None:
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    with pytest.raises(LoadError, match="streets load"):
        load_registry(path)


def test_a_valid_file_loads_residents_families_citizenships_and_events(
    tmp_path: Path, gazetteer: Path
) -> None:
    head = rows.resident(1, cittadinanze="MAR;FRA")
    child = rows.resident(2, id_famiglia="F000001", relazione_parentela="3", titolo_tipo="")
    people = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [head, child])
    moved = '{"indirizzo": ["VIA NIZZA 3", "CORSO GIULIO CESARE 12/B"]}'
    events = rows.write(
        tmp_path / "eventi.csv",
        EVENTS,
        [
            rows.event(1, person=1),
            rows.event(2, person=1, tipo="variazione", codice_motivo="indirizzo", dettagli=moved),
        ],
    )
    report = load_registry(people, events)
    assert report.created == {"residents": 2, "events": 2}
    amina = Resident.objects.get(registry_id="P000001")
    assert amina.family.members.count() == 2
    assert list(amina.citizenships.values_list("country", flat=True)) == ["MAR", "FRA"]
    assert amina.address == "CORSO GIULIO CESARE 12/B, piano 2, int. 5"
    assert amina.title_number == "TO0000001"
    assert str(amina.title_expiry_date) == "2026-02-28"
    change = RegistryEvent.objects.get(event_id="E0000002")
    assert change.changes == {"indirizzo": ["VIA NIZZA 3", "CORSO GIULIO CESARE 12/B"]}
    assert change.resident == amina


def test_loading_again_updates_instead_of_duplicating(tmp_path: Path, gazetteer: Path) -> None:
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1), rows.resident(2)])
    load_registry(path)
    rows.write(
        path,
        RESIDENTS,
        [rows.resident(1, cittadinanze="ITA;MAR"), rows.resident(2), rows.resident(3)],
    )
    report = load_registry(path)
    assert (report.created, report.updated) == ({"residents": 1}, {"residents": 2})
    assert Resident.objects.count() == 3
    naturalized = Resident.objects.get(registry_id="P000001")
    assert list(naturalized.citizenships.values_list("country", flat=True)) == ["ITA", "MAR"]


def test_skip_invalid_loads_the_rest_and_names_what_it_skipped(
    tmp_path: Path, gazetteer: Path
) -> None:
    path = rows.write(
        tmp_path / "anagrafe.csv",
        RESIDENTS,
        [rows.resident(1), rows.resident(2, data_nascita="2001-13-01"), rows.resident(3)],
    )
    report = load_registry(path, skip_invalid=True)
    assert report.skipped == 1
    assert set(Resident.objects.values_list("registry_id", flat=True)) == {"P000001", "P000003"}
    (error,) = report.checks[0].errors
    assert str(error) == "line 3 [P000002], data_nascita: impossible date: '2001-13-01'"


def test_a_failure_while_writing_leaves_the_database_as_it_was(
    tmp_path: Path, gazetteer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    people = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    events = rows.write(tmp_path / "eventi.csv", EVENTS, [rows.event(1, person=1)])

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("interscambio.registry.loading._write_events", disk_full)
    with pytest.raises(OSError, match="disk full"):
        load_registry(people, events)
    assert nothing_loaded()


def test_streets_with_an_inverted_range_are_refused(tmp_path: Path, db: None) -> None:
    path = rows.write(
        tmp_path / "stradario.csv", STREETS, [rows.street(civico_min=50, civico_max=10)]
    )
    with pytest.raises(LoadRefused) as refused:
        load_streets(path)
    (error,) = refused.value.checks[0].errors
    assert (error.line, error.record, error.field) == (2, "00101", "civico_max")
    assert not Street.objects.exists()


def test_the_command_prints_each_error_and_fails(
    tmp_path: Path, gazetteer: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1, sesso="X", civico=0)])
    with pytest.raises(CommandError, match=r"2 errors in 1 row of .* nothing was loaded"):
        call_command("registry", "load", str(path), "--quiet")
    printed = capsys.readouterr().err
    assert "anagrafe.csv: line 2 [P000001], sesso: unknown code 'X'" in printed
    assert "anagrafe.csv: line 2 [P000001], civico: 0 is outside 1..9999" in printed
    assert nothing_loaded()


def test_the_command_with_skip_invalid_says_what_it_skipped(
    tmp_path: Path, gazetteer: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = rows.write(
        tmp_path / "anagrafe.csv",
        RESIDENTS,
        [rows.resident(1), rows.resident(2, sesso="X")],
    )
    errors_csv = tmp_path / "errors.csv"
    call_command(
        "registry", "load", str(path), "--quiet", "--skip-invalid", "--errors-csv", str(errors_csv)
    )
    out = capsys.readouterr()
    assert "residents: 1 new, 0 updated" in out.out
    assert "Skipped 1 invalid row:" in out.err
    assert "line 3 [P000002], sesso: unknown code 'X'" in out.err
    assert (
        errors_csv.read_text(encoding="utf-8")
        .splitlines()[1]
        .startswith("anagrafe.csv,3,P000002,sesso,")
    )


def test_a_questura_node_refuses_to_load_the_registry(
    tmp_path: Path, gazetteer: Path, settings: object
) -> None:
    settings.NODE_ROLE = "questura"  # type: ignore[attr-defined]
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1)])
    with pytest.raises(CommandError, match="belongs on a comune node"):
        call_command("registry", "load", str(path), "--quiet")
    assert nothing_loaded()


def planner_rows(table: str) -> float | None:
    """What the query planner believes a table holds (None: it was never analyzed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            (tuples,) = cursor.fetchone()
            return None if tuples < 0 else float(tuples)
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return None
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        found = cursor.fetchone()
        return None if found is None else float(found[0].split()[0])


def test_a_load_tells_the_planner_what_it_wrote(tmp_path: Path, gazetteer: Path) -> None:
    # Without statistics PostgreSQL planned the verification API's lookup by codice fiscale
    # as a scan of every EU citizenship of the city, on every call (benchmarks/api_load.py).
    people = [rows.resident(n, cittadinanze="MAR;FRA") for n in range(1, 31)]
    load_registry(rows.write(tmp_path / "anagrafe.csv", RESIDENTS, people))
    assert planner_rows("registry_resident") == 30
    assert planner_rows("registry_citizenship") == 60
