# SPDX-License-Identifier: EUPL-1.2
"""The flow wire format v1: writing, reading back, and every kind of bad flow refused clearly."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from interscambio.core.flows import FlowError, Header, Period, read_flow, write_flow
from interscambio.core.flows.spec import schema_document
from interscambio.core.flows.tabular import columns, render_csv
from interscambio.core.identity.codice_fiscale import encode

CF = encode("EL AMRANI", "YOUSSEF", "M", date(1988, 3, 14), "Z330")


def header(count: int, flow_type: str = "anagrafe", **changes: Any) -> Header:
    values: dict[str, Any] = {
        "flow_type": flow_type,
        "sender": "001272" if flow_type == "anagrafe" else "TO",
        "receiver": "TO" if flow_type == "anagrafe" else "001272",
        "period": Period(date(2026, 10, 1), date(2026, 10, 15)),
        "sequence": 3,
        "generated": datetime(2026, 10, 16, 2, 0, tzinfo=UTC),
        "record_count": count,
        "previous_hash": "ab" * 32,
    }
    values.update(changes)
    return Header(**values)


def registry_record(n: int, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "idRecord": f"E{n:06d}",
        "tipoEvento": "variazione",
        "codiceMotivo": "indirizzo",
        "dataEvento": "2026-10-07",
        "persona": {
            "idAnagrafe": f"{n:010d}",
            "codiceFiscale": CF,
            "cognome": "EL AMRANI",
            "nome": "YOUSSEF",
            "sesso": "M",
            "dataNascita": "1988-03-14",
            "luogoNascita": "MAROCCO",
            "codiceLuogoNascita": "Z330",
            "cittadinanze": ["MAR"],
        },
        "indirizzo": {"codiceVia": "01230", "denominazioneVia": "VIA NIZZA", "civico": 45,
                      "esponente": "B", "scala": None, "piano": "2", "interno": "7"},
        "indirizzoPrecedente": {"codiceVia": "00560", "denominazioneVia": "CORSO GIULIO CESARE",
                                "civico": 112},
        "titoloSoggiorno": {"tipo": "1", "numero": "I0001000003", "questura": "TO",
                            "dataRilascio": "2025-05-02", "dataScadenza": "2027-05-02",
                            "dataRinnovo": None},
        "variazioni": {"indirizzo": ["CORSO GIULIO CESARE 112", "VIA NIZZA 45/B"]},
    }  # fmt: skip
    record.update(changes)
    return record


def permit_record(n: int) -> dict[str, Any]:
    return {
        "idRecord": f"I{n:08d}:rilascio",
        "evento": "rilascio",
        "numeroPermesso": f"I{n:08d}",
        "tipo": "PS",
        "motivo": "lavoro_subordinato",
        "canale": "kit_postale",
        "dataDomanda": "2026-07-01",
        "dataRilascio": "2026-10-03",
        "dataConsegna": None,
        "dataScadenza": "2028-10-03",
        "numeroPermessoPrecedente": None,
        "titolare": {"cui": "0012345678", "codiceFiscale": None, "cognome": "ZHANG",
                     "nome": "WEI", "sesso": "M", "dataNascita": "1990-02-28",
                     "luogoNascita": "CINA", "cittadinanza": "CHN"},
        "domicilio": {"indirizzo": "C.SO VERCELLI 12", "comune": "TORINO",
                      "codiceComune": "001272"},
    }  # fmt: skip


def written(tmp_path: Path, records: list[dict[str, Any]], **changes: Any) -> Path:
    path = tmp_path / "flow.ndjson"
    flow_type = "permessi" if records and "evento" in records[0] else "anagrafe"
    write_flow(path, header(len(records), flow_type, **changes), records)
    return path


def problems(path: Path, receiver: str | None = None) -> list[str]:
    reader = read_flow(path, receiver)
    return [str(p) for record in reader for p in record.problems]


def test_a_flow_reads_back_as_written_with_the_same_hash(tmp_path: Path) -> None:
    records = [registry_record(n) for n in range(50)]
    path = tmp_path / "flow.ndjson"
    digest = write_flow(path, header(50), records)
    reader = read_flow(path, "TO")
    assert reader.header == header(50)
    # Read back as typed records, every optional field is there: absent ones (here the previous
    # address's esponente, scala, piano, interno) as null.
    absent = dict.fromkeys(("esponente", "scala", "piano", "interno"))
    expected = [
        {**r, "indirizzoPrecedente": {**r["indirizzoPrecedente"], **absent}} for r in records
    ]
    assert [r.data for r in reader] == expected
    assert reader.sha256 == digest
    assert write_flow(tmp_path / "again.ndjson", header(50), records) == digest


def test_both_flow_types_are_valid_against_the_published_schemas(tmp_path: Path) -> None:
    for record, name in ((registry_record(1), "anagrafe"), (permit_record(1), "permessi")):
        Draft202012Validator(schema_document(f"{name}-record")).validate(record)
        path = written(tmp_path, [record])
        assert problems(path) == []
    first = json.loads((tmp_path / "flow.ndjson").read_text(encoding="utf-8").splitlines()[0])
    Draft202012Validator(schema_document("flow-header")).validate(first)


def test_the_writer_refuses_a_count_that_does_not_add_up(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="announces 2 records, 1 were written"):
        write_flow(tmp_path / "f.ndjson", header(2), [registry_record(1)])
    assert list(tmp_path.iterdir()) == []


def test_an_empty_flow_is_valid(tmp_path: Path) -> None:
    reader = read_flow(written(tmp_path, []))
    assert list(reader) == []


@pytest.mark.parametrize(
    ("mangle", "message"),
    [
        (lambda b: b[: len(b) // 2], "not JSON"),  # cut in the middle of a line
        (lambda b: b.rsplit(b"\n", 2)[0] + b"\n", "announces 3 records and the flow holds 2"),
        (lambda b: b"this is not json\n", "line 1: not JSON"),
        (lambda b: b.replace(b'"versione":"1"', b'"versione":"9"', 1), "format version '9'"),
        (lambda b: b.replace(b'"tipo":"anagrafe"', b'"tipo":"nascite"', 1), "unknown flow type"),
        (lambda b: b.replace(b"MAROCCO", b"MAROCCO\xe8", 1), r"not UTF-8 \(byte 0xE8\)"),
        (lambda b: b"", "empty"),
        (lambda b: b.replace(b'"sequenza":3', b'"sequenza":0', 1), "sequenza"),
        (lambda b: b.replace(b'"al":"2026-10-15"', b'"al":"2026-09-15"', 1), "'al' is before"),
    ],
    ids=["truncated-line", "missing-records", "not-json", "version", "type", "utf8", "empty",
         "sequence", "period"],
)  # fmt: skip
def test_a_flow_that_cannot_be_read_is_refused_whole(tmp_path: Path, mangle, message) -> None:  # type: ignore[no-untyped-def]
    path = written(tmp_path, [registry_record(n) for n in range(3)])
    path.write_bytes(mangle(path.read_bytes()))
    with pytest.raises(FlowError, match=message):
        list(read_flow(path))


def test_a_flow_for_another_node_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="addressed to 'TO', this node is 'BO'"):
        read_flow(written(tmp_path, [registry_record(1)]), "BO")


def test_a_byte_order_mark_is_accepted_and_hashed(tmp_path: Path) -> None:
    path = written(tmp_path, [registry_record(1)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    reader = read_flow(path)
    assert len(list(reader)) == 1
    assert reader.sha256 != write_flow(tmp_path / "plain", header(1), [registry_record(1)])


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (registry_record(1, dataEvento="2026-02-30"), "line 3 [E000001], dataEvento:"),
        (registry_record(1, codiceMotivo="99"), "codiceMotivo: unknown code '99'"),
        (registry_record(1, persona={**registry_record(1)["persona"],
                                     "codiceFiscale": CF[:15] + ("A" if CF[15] != "A" else "B")}),
         "persona.codiceFiscale: " ),
        (registry_record(1, indirizzo={"codiceVia": "01230", "civico": 4}),
         "indirizzo.denominazioneVia: 'denominazioneVia' is a required property"),
        (registry_record(1, ospite=True), "Additional properties are not allowed"),
    ],
    ids=["impossible-date", "unknown-reason", "check-letter", "missing-field", "extra-field"],
)  # fmt: skip
def test_each_bad_record_is_named_with_its_line_id_and_field(  # type: ignore[no-untyped-def]
    tmp_path: Path, record, expected
) -> None:
    path = written(tmp_path, [registry_record(0), record])
    found = problems(path)
    assert len(found) >= 1
    assert any(expected in p for p in found), found
    assert all(p.startswith("line 3 [") or p.startswith("line 2 [") for p in found)


def test_duplicate_record_ids_are_named(tmp_path: Path) -> None:
    path = written(tmp_path, [registry_record(1), registry_record(2), registry_record(1)])
    assert problems(path) == ["line 4 [E000001], idRecord: duplicate (first on line 2)"]


def test_the_csv_rendering_has_a_column_per_leaf_field(tmp_path: Path) -> None:
    path = written(tmp_path, [permit_record(1), permit_record(2)])
    out = io.StringIO()
    assert render_csv(read_flow(path), out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == columns("permessi")
    assert rows[1]["numeroPermesso"] == "I00000002"
    assert rows[0]["titolare.cittadinanza"] == "CHN"
    assert rows[0]["titolare.codiceFiscale"] == ""
    registry = written(tmp_path, [registry_record(1)])
    out = io.StringIO()
    render_csv(read_flow(registry), out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert row["indirizzoPrecedente.denominazioneVia"] == "CORSO GIULIO CESARE"
    assert row["persona.cittadinanze"] == "MAR"
    assert json.loads(row["variazioni"])["indirizzo"][1] == "VIA NIZZA 45/B"
