# SPDX-License-Identifier: EUPL-1.2
"""The typed flow records accept exactly what the published schemas accept, write the same bytes
as the writer's dicts, and the reader built on them reports what the schema-only reader did."""

from __future__ import annotations

import copy
import io
import json
import string
from datetime import date
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from interscambio.core.codes import CHANGE_REASONS
from interscambio.core.flows import FlowError, FlowReader, FlowWriter
from interscambio.core.flows.reader import check_with_schema
from interscambio.core.flows.records import (
    Domicilio,
    Indirizzo,
    PermitRecord,
    Persona,
    RegistryRecord,
    Titolare,
    TitoloSoggiorno,
    decoder,
    encode_line,
    to_dict,
)
from interscambio.core.flows.spec import schema_document
from tests.test_flow_format import CF, header, permit_record, registry_record

FLOW_TYPES = ("anagrafe", "permessi")
SCHEMAS = {t: schema_document(f"{t}-record") for t in FLOW_TYPES}
VALIDATORS = {
    t: Draft202012Validator(s, format_checker=Draft202012Validator.FORMAT_CHECKER)
    for t, s in SCHEMAS.items()
}


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def msgspec_accepts(flow_type: str, data: Any) -> bool:
    try:
        decoder(flow_type).decode(dumps(data))
    except msgspec.ValidationError:
        return False
    return True


def schema_accepts(flow_type: str, data: Any) -> bool:
    return VALIDATORS[flow_type].is_valid(data)


def _object(spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The object schema behind a property (direct, by $ref, or in a nullable anyOf)."""
    for option in [spec, *spec.get("anyOf", [])]:
        if "$ref" in option:
            option = defs[option["$ref"].rsplit("/", 1)[-1]]
        if "properties" in option:
            return option
    return None


def filled(data: dict[str, Any], spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """`data` with its keys in the schema's order and every absent optional field as None."""
    out = {}
    for name, field in spec["properties"].items():
        value = data.get(name)
        inner = _object(field, defs)
        out[name] = filled(value, inner, defs) if inner and isinstance(value, dict) else value
    return out


def filled_record(flow_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return filled(data, SCHEMAS[flow_type], SCHEMAS[flow_type].get("$defs", {}))


# --- the structs mirror the schemas -------------------------------------------------------------


REGISTRY, PERMIT = SCHEMAS["anagrafe"], SCHEMAS["permessi"]
STRUCT_SCHEMAS: dict[type[msgspec.Struct], dict[str, Any]] = {
    RegistryRecord: REGISTRY,
    Persona: REGISTRY["properties"]["persona"],
    Indirizzo: REGISTRY["$defs"]["indirizzo"],
    TitoloSoggiorno: REGISTRY["properties"]["titoloSoggiorno"]["anyOf"][0],
    PermitRecord: PERMIT,
    Titolare: PERMIT["properties"]["titolare"],
    Domicilio: PERMIT["properties"]["domicilio"],
}


@pytest.mark.parametrize(
    ("struct", "schema"), STRUCT_SCHEMAS.items(), ids=[s.__name__ for s in STRUCT_SCHEMAS]
)
def test_each_struct_has_the_schema_fields_in_order_with_the_same_required_ones(
    struct: type[msgspec.Struct], schema: dict[str, Any]
) -> None:
    fields = msgspec.structs.fields(struct)
    assert [f.encode_name for f in fields] == list(schema["properties"])
    assert {f.encode_name for f in fields if f.required} == set(schema["required"])
    assert schema["additionalProperties"] is False
    assert struct.__struct_config__.forbid_unknown_fields
    assert struct.__struct_config__.frozen


def test_the_decoder_is_cached_per_flow_type() -> None:
    assert decoder("anagrafe") is decoder("anagrafe")
    assert decoder("permessi") is not decoder("anagrafe")
    with pytest.raises(ValueError, match="unknown flow type"):
        decoder("nascite")


# --- valid records, field by field --------------------------------------------------------------


def text(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(min_size=low, max_size=high)


def nullable_text(high: int) -> st.SearchStrategy[str | None]:
    return st.none() | st.text(max_size=high)


def chars(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=size, max_size=size)


# The patterns of the schemas, built piece by piece (much faster than st.from_regex).
UPPER, DIGITS, OMOCODE = string.ascii_uppercase, string.digits, string.digits + "LMNPQRSTUV"
CODICE_FISCALE = st.one_of(
    st.tuples(chars(UPPER, 6), chars(OMOCODE, 2), chars("ABCDEHLMPRST", 1), chars(OMOCODE, 2),
              chars(UPPER, 1), chars(OMOCODE, 3), chars(UPPER, 1)).map("".join),
    chars(DIGITS, 11),
)  # fmt: skip
COUNTRY = chars(UPPER, 3)
PLACE_CODE = st.tuples(chars(UPPER, 1), chars(DIGITS, 3)).map("".join)
DATES = st.dates().map(date.isoformat)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=5,
)

ADDRESS = st.fixed_dictionaries(
    {"codiceVia": text(1, 10), "denominazioneVia": text(1, 150), "civico": st.integers(1)},
    optional={name: nullable_text(5) for name in ("esponente", "scala", "piano", "interno")},
)
STAY_TITLE = st.fixed_dictionaries(
    {"tipo": text(1, 2)},
    optional={"numero": nullable_text(30), "questura": nullable_text(5),
              "dataRilascio": st.none() | DATES, "dataScadenza": st.none() | DATES,
              "dataRinnovo": st.none() | DATES},
)  # fmt: skip
PERSON = st.fixed_dictionaries(
    {
        "idAnagrafe": text(1, 20),
        "codiceFiscale": CODICE_FISCALE,
        "cognome": text(1, 100),
        "nome": text(1, 100),
        "sesso": st.sampled_from(["M", "F"]),
        "dataNascita": DATES,
        "luogoNascita": text(1, 100),
        "codiceLuogoNascita": PLACE_CODE,
        "cittadinanze": st.lists(COUNTRY, min_size=1, max_size=3),
    }
)
REGISTRY_RECORD = st.fixed_dictionaries(
    {
        "idRecord": text(1, 40),
        "tipoEvento": st.sampled_from(["iscrizione", "variazione", "cancellazione"]),
        "codiceMotivo": text(1, 20),
        "dataEvento": DATES,
        "persona": PERSON,
        "indirizzo": ADDRESS,
    },
    optional={
        "indirizzoPrecedente": st.none() | ADDRESS,
        "titoloSoggiorno": st.none() | STAY_TITLE,
        "variazioni": st.none() | st.dictionaries(st.text(max_size=20), JSON, max_size=3),
    },
)
HOLDER = st.fixed_dictionaries(
    {
        "cui": text(1, 20),
        "cognome": text(1, 100),
        "nome": text(1, 100),
        "sesso": st.sampled_from(["M", "F"]),
        "dataNascita": DATES,
        "cittadinanza": COUNTRY,
    },
    optional={"codiceFiscale": st.none() | CODICE_FISCALE, "luogoNascita": nullable_text(100)},
)
DOMICILE = st.fixed_dictionaries(
    {"indirizzo": text(1, 200), "comune": text(1, 100), "codiceComune": chars(DIGITS, 6)}
)
PERMIT_RECORD = st.fixed_dictionaries(
    {
        "idRecord": text(1, 40),
        "evento": st.sampled_from(["rilascio", "consegna"]),
        "numeroPermesso": text(1, 30),
        "tipo": st.sampled_from(["PS", "UELP", "CS"]),
        "motivo": text(1, 40),
        "canale": st.sampled_from(["kit_postale", "prenotafacile", "sportello"]),
        "dataDomanda": DATES,
        "dataRilascio": DATES,
        "titolare": HOLDER,
        "domicilio": DOMICILE,
    },
    optional={
        "dataConsegna": st.none() | DATES,
        "dataScadenza": st.none() | DATES,
        "numeroPermessoPrecedente": nullable_text(30),
    },
)
VALID = {"anagrafe": REGISTRY_RECORD, "permessi": PERMIT_RECORD}

# --- and mutated ones ---------------------------------------------------------------------------

# Values that are right in some places and wrong in others: wrong types, lengths either side of
# every limit, patterns nearly met, impossible dates, every enum's values, empty containers.
# Whole numbers written as floats (45.0) are left out: the schema takes them, the structs do not
# (test_a_whole_number_written_with_a_fraction_is_refused_by_the_structs_alone).
TRICKY: list[Any] = [
    None, True, False, 0, 1, -1, 45, 1.5, -0.5, "", "a", "45",
    "2026-02-30", "2026-02-28", "2024-02-29", "2025-02-29", "0000-01-01", "0001-01-01",
    "2026-1-01", "2026-01-01T00:00:00", "20260101", "2026-01-01\n", "2026-13-01",
    "MAR", "mar", "MARO", "MA", "MAR\n", "Z330", "z330", "Z33", "001272", "00127", "0012720",
    CF, CF[:15], CF.lower(), CF + "X", "12345678901", "1234567890", "M", "F", "X", "m",
    "iscrizione", "variazione", "cancellazione", "rilascio", "consegna", "PS", "UELP", "CS", "ps",
    "kit_postale", "prenotafacile", "sportello", "posta", "lavoro_subordinato",
    [], ["MAR"], ["MAR", "mar"], ["MAR", None], {}, {"a": 1}, [["MAR"]],
    *("x" * n for n in (2, 3, 5, 6, 10, 11, 20, 21, 30, 31, 40, 41, 100, 101, 150, 151, 200, 201)),
    *("ł" * n for n in (5, 6, 100, 101)), "😀😀", "😀😀😀", "中文名字",
]  # fmt: skip
UNKNOWN_KEYS = ["ospite", "codice_fiscale", "id_record", "idrecord", "IdRecord", ""]


def _places(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path of every value inside a JSON document, containers included."""
    found = [path] if path else []
    if isinstance(value, dict):
        for key, inner in value.items():
            found += _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found += _places(inner, (*path, index))
    return found


def _at(document: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def _tricky(draw: st.DrawFn) -> Any:
    """A tricky value of its own: TRICKY's lists and objects are shared, and a later mutation
    inside one would change TRICKY itself (once even putting a list inside itself)."""
    return copy.deepcopy(draw(st.sampled_from(TRICKY)))


@st.composite
def mutated(draw: st.DrawFn, flow_type: str) -> dict[str, Any]:
    record: dict[str, Any] = copy.deepcopy(draw(VALID[flow_type]))
    for _ in range(draw(st.integers(1, 2))):
        path = draw(st.sampled_from(_places(record)))
        parent, key = _at(record, path[:-1]), path[-1]
        kind = draw(st.sampled_from(["remove", "unknown", "replace", "replace"]))
        if kind == "remove":
            del parent[key]
        elif kind == "unknown":
            target = parent if isinstance(parent, dict) else record
            target[draw(st.sampled_from(UNKNOWN_KEYS))] = _tricky(draw)
        else:
            parent[key] = _tricky(draw)
    return record


def one_record_flow(flow_type: str, data: dict[str, Any]) -> bytes:
    return dumps(header(1, flow_type).to_json()) + b"\n" + dumps(data) + b"\n"


@pytest.mark.parametrize("flow_type", FLOW_TYPES)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_structs_accept_exactly_what_the_schema_accepts(
    flow_type: str, data: st.DataObject
) -> None:
    is_mutated = data.draw(st.booleans())
    record = data.draw(mutated(flow_type) if is_mutated else VALID[flow_type])
    accepted = schema_accepts(flow_type, record)
    assert accepted or is_mutated, "a strategy for valid records made an invalid one"
    event(f"schema accepts: {accepted}")
    assert msgspec_accepts(flow_type, record) == accepted, record
    # And the reader, whichever way it takes, reports what the schema-only check reports.
    (read,) = FlowReader(io.BytesIO(one_record_flow(flow_type, record)))
    assert read.problems == check_with_schema(flow_type, 2, record, {})
    assert (read.record is None) == (not accepted)


MISSING = object()
# Kind of mistake: (flow type, where, the value put there, what the reader says).
BAD_FIELDS: dict[str, tuple[str, str, Any, str]] = {
    "missing": ("anagrafe", "persona.codiceFiscale", MISSING,
                "persona.codiceFiscale: 'codiceFiscale' is a required property"),
    "unknown": ("anagrafe", "ospite", True,
                "*: Additional properties are not allowed ('ospite' was unexpected)"),
    "snake-name": ("anagrafe", "persona.codice_fiscale", CF, "persona: Additional properties"),
    "wrong-type": ("anagrafe", "indirizzo.civico", "45", "indirizzo.civico: '45' is not of type"),
    "bool": ("anagrafe", "indirizzo.civico", True, "indirizzo.civico: True is not of type"),
    "civico-0": ("anagrafe", "indirizzo.civico", 0, "indirizzo.civico: 0 is less than the minimum"),
    "too-long": ("anagrafe", "persona.cognome", "X" * 101, "persona.cognome: 'XXXX"),
    "pattern": ("anagrafe", "persona.cittadinanze", ["mar"],
                "persona.cittadinanze.0: 'mar' does not match"),
    "no-citizenship": ("anagrafe", "persona.cittadinanze", [],
                       "persona.cittadinanze: [] should be non-empty"),
    "impossible-date": ("anagrafe", "dataEvento", "2026-02-30",
                        "dataEvento: '2026-02-30' is not a 'date'"),
    "enum": ("anagrafe", "persona.sesso", "X", "persona.sesso: 'X' is not one of ['M', 'F']"),
    "null": ("anagrafe", "persona.nome", None, "persona.nome: None is not of type 'string'"),
    "nullable-date": ("anagrafe", "titoloSoggiorno.dataRinnovo", "2026-13-01",
                      "titoloSoggiorno: {'tipo': '1'"),
    "holder-country": ("permessi", "titolare.cittadinanza", "IT",
                       "titolare.cittadinanza: 'IT' does not match"),
    "comune-code": ("permessi", "domicilio.codiceComune", "1272",
                    "domicilio.codiceComune: '1272' does not match"),
    "channel": ("permessi", "canale", "posta", "canale: 'posta' is not one of"),
    "delivery-date": ("permessi", "dataConsegna", "2026-02-29",
                      "dataConsegna: '2026-02-29' is not a 'date'"),
    "null-object": ("permessi", "titolare", None, "titolare: None is not of type 'object'"),
}  # fmt: skip


@pytest.mark.parametrize(("flow_type", "where", "value", "expected"), BAD_FIELDS.values(),
                         ids=BAD_FIELDS.keys())  # fmt: skip
def test_each_kind_of_bad_field_is_refused_by_both_and_named_by_the_reader(
    flow_type: str, where: str, value: Any, expected: str
) -> None:
    record = registry_record(1) if flow_type == "anagrafe" else permit_record(1)
    *parents, name = where.split(".")
    parent = _at(record, tuple(parents))
    if value is MISSING:
        del parent[name]
    else:
        parent[name] = value
    assert not schema_accepts(flow_type, record)
    assert not msgspec_accepts(flow_type, record)
    (read,) = FlowReader(io.BytesIO(one_record_flow(flow_type, record)))
    assert read.record is None
    assert read.data == record
    found = [str(p) for p in read.problems]
    prefix = f"line 2 [{record['idRecord']}], "
    assert any(p.startswith(prefix + expected) for p in found), found


# --- the reader ---------------------------------------------------------------------------------


def reference(flow: bytes, flow_type: str) -> list[list[str]]:
    """Each record's problems as the schema-only reader found them."""
    seen: dict[str, int] = {}
    found = []
    for number, line in enumerate(flow.splitlines(), start=1):
        if number > 1 and line.strip():
            problems = check_with_schema(flow_type, number, json.loads(line), seen)
            found.append([str(p) for p in problems])
    return found


def test_the_reader_reports_the_same_problems_as_the_schema_only_check() -> None:
    bad_check_letter = CF[:15] + ("A" if CF[15] != "A" else "B")
    person = {**registry_record(3)["persona"], "codiceFiscale": bad_check_letter}
    records = [
        registry_record(0),
        registry_record(1, dataEvento="2026-02-30"),
        registry_record(2, codiceMotivo="99"),
        registry_record(3, persona=person),
        registry_record(4, indirizzo={"codiceVia": "01230", "civico": 4}),
        registry_record(5, ospite=True),
        registry_record(6, dataEvento="2026-02-30", codiceMotivo="99", ospite=True),
        registry_record(1),
        registry_record(7, tipoEvento="nascita"),
    ]
    flow = (
        dumps(header(len(records)).to_json()) + b"\n" + b"".join(dumps(r) + b"\n" for r in records)
    )
    read = list(FlowReader(io.BytesIO(flow)))
    assert [[str(p) for p in r.problems] for r in read] == reference(flow, "anagrafe")
    assert [r.record_id for r in read] == [r["idRecord"] for r in records]
    decoded = [r.record is not None for r in read]
    assert decoded == [True, False, True, True, False, False, False, True, False]
    duplicate = "line 9 [E000001], idRecord: duplicate (first on line 3)"
    assert [str(p) for p in read[7].problems] == [duplicate]
    assert [str(p) for p in read[6].problems] == [
        "line 8 [E000006], *: Additional properties are not allowed ('ospite' was unexpected)",
        "line 8 [E000006], dataEvento: '2026-02-30' is not a 'date'",
        f"line 8 [E000006], codiceMotivo: unknown code '99' (allowed: {', '.join(CHANGE_REASONS)})",
    ]


def test_a_whole_number_written_with_a_fraction_is_refused_by_the_structs_alone() -> None:
    # JSON Schema counts 45.0 as an integer; the structs want 45, as every writer of ours writes.
    record = registry_record(1)
    record["indirizzo"]["civico"] = 45.0
    assert schema_accepts("anagrafe", record)
    (read,) = FlowReader(io.BytesIO(one_record_flow("anagrafe", record)))
    assert [str(p) for p in read.problems] == [
        "line 2 [E000001], indirizzo.civico: Expected `int`, got `float`"
    ]


def test_json_that_only_python_reads_is_refused_by_the_structs_alone() -> None:
    # Python's json reads NaN and the schema lets `variazioni` hold anything; JSON has no NaN.
    line = dumps(registry_record(1, variazioni=None))
    line = line.replace(b'"variazioni":null', b'"variazioni":{"civico":[NaN,4]}')
    (read,) = FlowReader(io.BytesIO(dumps(header(1).to_json()) + b"\n" + line + b"\n"))
    assert read.record is None
    assert read.data["variazioni"]["civico"][1] == 4
    assert [(p.field, p.message[:17]) for p in read.problems] == [("*", "JSON is malformed")]


def test_blank_lines_are_ignored_and_a_record_must_be_an_object() -> None:
    head = dumps(header(2).to_json()) + b"\n"
    lines = [dumps(registry_record(n)) + b"\n" for n in (1, 2)]
    read = list(FlowReader(io.BytesIO(head + b"\n" + lines[0] + b"  \t\r\n" + lines[1] + b"\n")))
    assert [(r.line, r.record_id, r.problems) for r in read] == [
        (3, "E000001", []),
        (5, "E000002", []),
    ]
    with pytest.raises(FlowError, match="line 3: must be a JSON object"):
        list(FlowReader(io.BytesIO(head + lines[0] + b"[1, 2]\n")))
    with pytest.raises(FlowError, match=r"line 2: not JSON \(Expecting"):
        list(FlowReader(io.BytesIO(head + b'{"idRecord": \n' + lines[1])))


def test_a_decoded_record_gives_its_data_with_every_optional_field() -> None:
    record = permit_record(1)
    del record["dataConsegna"], record["titolare"]["codiceFiscale"]
    (read,) = FlowReader(io.BytesIO(one_record_flow("permessi", record)))
    assert isinstance(read.record, PermitRecord)
    assert read.record.titolare.codice_fiscale is None
    assert read.record.data_rilascio == date(2026, 10, 3)
    assert read.data == filled_record("permessi", record)
    assert read.data["dataConsegna"] is None


# --- encoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("flow_type", FLOW_TYPES)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_struct_encodes_to_the_bytes_of_its_dict(flow_type: str, data: st.DataObject) -> None:
    record = data.draw(VALID[flow_type])
    struct = decoder(flow_type).decode(dumps(record))
    wire = filled_record(flow_type, record)
    assert encode_line(struct) == dumps(wire) + b"\n"
    assert to_dict(struct) == wire
    assert list(to_dict(struct)) == list(wire)


def test_non_ascii_names_nulls_and_floats_encode_as_json_dumps_does() -> None:
    registry = registry_record(1)
    registry["persona"] |= {"cognome": "ŁUKASZEWICZ-MÜLLER", "nome": "Zoë 王小明"}
    registry["persona"]["luogoNascita"] = "北京"
    registry["variazioni"] = {"x": [1e16, 1e-7, -0.0, 2**70, 'ü\n"\\\u2028\x00'], "y": None}
    permit = permit_record(1)  # dataConsegna, numeroPermessoPrecedente, codiceFiscale null
    permit["titolare"] |= {"cognome": "张", "nome": "Łucja"}
    for flow_type, record in (("anagrafe", registry), ("permessi", permit)):
        struct = decoder(flow_type).decode(dumps(record))
        assert encode_line(struct) == dumps(filled_record(flow_type, record)) + b"\n"
    assert b'"dataConsegna":null' in encode_line(decoder("permessi").decode(dumps(permit)))


def test_the_writer_gives_the_same_flow_from_dicts_or_structs() -> None:
    records = [permit_record(n) for n in range(3)]
    records[1]["titolare"]["nome"] = "ÜMIT Ğ"
    flows = []
    for as_struct in (False, True):
        out = io.BytesIO()
        writer = FlowWriter(out, header(3, "permessi"))
        for record in records:
            writer.write(decoder("permessi").decode(dumps(record)) if as_struct else record)
        flows.append((writer.close(), out.getvalue()))
    assert flows[0] == flows[1]
