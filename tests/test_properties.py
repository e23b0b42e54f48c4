# SPDX-License-Identifier: EUPL-1.2
"""Whatever a partner or an operator hands the node, the parts that read it never crash: the
flow reader, the CSV loaders, the address parser and the codice fiscale comparison either
accept the input or refuse it with the project's own error, which names the line (or record)
and the field; a refused load leaves the database as it was.

Hypothesis runs derandomized (the same examples on every run, in CI too) and with few enough
examples that the whole file takes seconds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import string
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from interscambio.core.addresses.parse import address_key, parse_address
from interscambio.core.extracts import EVENTS, PERMITS, RESIDENTS, STREETS, ExtractSchema
from interscambio.core.extracts.reader import ExtractError
from interscambio.core.flows import FlowError, FlowReader
from interscambio.core.flows.reader import FlowRecord, check_with_schema
from interscambio.core.identity.codice_fiscale import (
    encode,
    fold_omocodia,
    omocode,
    provisional_check_digit,
    same_code,
    validation_error,
)
from interscambio.node.loading import LoadError, LoadRefused
from interscambio.permits.loading import load_permits
from interscambio.permits.models import Permit
from interscambio.registry.loading import load_registry, load_streets
from interscambio.registry.models import Citizenship, Family, RegistryEvent, Resident, Street
from tests import rows
from tests.test_flow_format import header, permit_record, registry_record

PROPERTIES = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# A database round trip per example: fewer of them.
LOADS = settings(PROPERTIES, max_examples=100)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)

# The flow reader


def flow_document(flow_type: str, count: int) -> list[Any]:
    make = registry_record if flow_type == "anagrafe" else permit_record
    return [header(count, flow_type).to_json(), *(make(n) for n in range(count))]


def as_bytes(lines: list[Any]) -> bytes:
    return b"".join(json.dumps(line, ensure_ascii=False).encode() + b"\n" for line in lines)


def leaf_paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, dict) and value:
        return [p for key, inner in value.items() for p in leaf_paths(inner, (*path, key))]
    return [path]


def replaced(document: Any, path: tuple[str, ...], value: Any, delete: bool) -> Any:
    if not path:
        return value
    copy = dict(document)
    if len(path) == 1 and delete:
        copy.pop(path[0], None)
    else:
        copy[path[0]] = replaced(copy.get(path[0], {}), path[1:], value, delete)
    return copy


@st.composite
def spoiled_flows(draw: st.DrawFn) -> bytes:
    """A valid flow of either type, spoiled in one of the ways a file goes wrong."""
    lines = flow_document(draw(st.sampled_from(["anagrafe", "permessi"])), draw(st.integers(0, 3)))
    how = draw(st.sampled_from(["truncated", "bytes", "field", "line", "repeated", "version"]))
    if how in ("field", "line", "repeated", "version"):
        at = draw(st.integers(0, len(lines) - 1))
        if how == "field":
            path = draw(st.sampled_from([*leaf_paths(lines[at]), ("unexpected",)]))
            lines[at] = replaced(lines[at], path, draw(JSON), draw(st.booleans()))
        elif how == "line":
            lines[at] = draw(JSON)
        elif how == "repeated":
            lines.insert(at, lines[at])
        else:
            lines[0] = {**lines[0], "versione": draw(JSON)}
        return as_bytes(lines)
    data = as_bytes(lines)
    if how == "truncated":
        return data[: draw(st.integers(0, len(data)))]
    spoiled = bytearray(data)
    for _ in range(draw(st.integers(1, 5))):
        spoiled[draw(st.integers(0, len(spoiled) - 1))] = draw(st.integers(0, 255))
    return bytes(spoiled)


def read(data: bytes) -> list[FlowRecord] | FlowError:
    try:
        return list(FlowReader(io.BytesIO(data)))
    except FlowError as refusal:
        return refusal


def assert_accepted_or_refused(data: bytes) -> None:
    outcome = read(data)
    event("refused" if isinstance(outcome, FlowError) else "read")
    if isinstance(outcome, FlowError):
        # A flow refused whole says where: a line, or the flow's record count.
        assert re.match(r"(line \d+\b|the flow is empty|the header announces)", str(outcome))
        return
    for item in outcome:
        assert item.line >= 2
        assert item.problems or item.record is not None
        for problem in item.problems:
            assert problem.line == item.line and problem.field and problem.message


@pytest.mark.parametrize("flow_type", ["anagrafe", "permessi"])
def test_an_unspoiled_flow_reads_without_problems(flow_type: str) -> None:
    items = read(as_bytes(flow_document(flow_type, 3)))
    assert not isinstance(items, FlowError)
    assert [i.problems for i in items] == [[], [], []]


@PROPERTIES
@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused(data: bytes) -> None:
    assert_accepted_or_refused(data)


@PROPERTIES
@given(spoiled_flows())
@example(b"[" * 100_000 + b"\n")  # deeper than Python's recursion limit
@example(b'{"versione": ' + b"1" * 5000 + b"}\n")  # more digits than int() takes
@example(as_bytes([header(1).to_json()]) + b'{"idRecord": ' + b"1" * 5000 + b"}\n")
@example(as_bytes([{**header(0).to_json(), "tipo": ["anagrafe"]}]))
@example(as_bytes([{**header(0).to_json(), "generato": "2026-02-30T00:00:00Z"}]))
@example(as_bytes([header(1).to_json()]) + b"[" * 100_000 + b"\n")
def test_a_spoiled_flow_is_read_or_refused_naming_line_and_field(data: bytes) -> None:
    assert_accepted_or_refused(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"[" * 100_000 + b"\n", "line 1: JSON nested too deeply"),
        (b'{"versione": ' + b"1" * 5000 + b"}\n", "line 1: JSON with a number too long"),
        (as_bytes([{**header(0).to_json(), "tipo": []}]), "line 1, tipo: unknown flow type"),
        (
            as_bytes([{**header(0).to_json(), "generato": "2026-02-30T00:00:00Z"}]),
            "line 1, generato: '2026-02-30T00:00:00Z' is not a date and time",
        ),
    ],
)
def test_what_once_crashed_the_reader_is_refused_with_its_line(data: bytes, message: str) -> None:
    refusal = read(data)
    assert isinstance(refusal, FlowError) and str(refusal).startswith(message)


@PROPERTIES
@given(st.sampled_from(["anagrafe", "permessi"]), st.data())
def test_the_schema_check_of_a_record_names_every_problem_and_never_raises(
    flow_type: str, data: st.DataObject
) -> None:
    record = flow_document(flow_type, 1)[1]
    path = data.draw(st.sampled_from(leaf_paths(record)))
    spoiled = replaced(record, path, data.draw(JSON), data.draw(st.booleans()))
    for problem in check_with_schema(flow_type, 2, spoiled, {}):
        assert problem.line == 2 and problem.field and problem.message


# The CSV loaders

BAD_CELLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["2026-02-30", "30/01/2026", "0000-01-01", "1879-12-31", "-1", "1e3", "12.5", "١٢",
         " ", "NULL", "\x00", "9" * 5000, "x" * ((1 << 20) + 1)]
    ),
    st.dates().map(lambda d: d.strftime("%d-%m-%Y")),
    st.integers().map(str),
)  # fmt: skip
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])


@st.composite
def spoiled_extracts(
    draw: st.DrawFn, schema: ExtractSchema, good: list[dict[str, object]]
) -> bytes:
    """A valid extract, spoiled: a cell, a column, a repeated row, the encoding."""
    columns = list(schema.header)
    table = [[str("" if row.get(c) is None else row.get(c, "")) for c in columns] for row in good]
    how = draw(st.sampled_from(["cell", "cell", "cell", "dropped", "extra", "repeated", "raw"]))
    if how == "cell":
        row, column = draw(st.integers(0, len(table) - 1)), draw(st.integers(0, len(columns) - 1))
        table[row][column] = draw(BAD_CELLS)
    elif how == "dropped":
        gone = draw(st.integers(0, len(columns) - 1))
        columns.pop(gone)
        for cells in table:
            cells.pop(gone)
    elif how == "extra":
        columns.append(draw(st.text(min_size=1, max_size=10)))
        for cells in table:
            cells.append(draw(st.text(max_size=10)))
    elif how == "repeated":
        table.append(list(table[0]))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    writer.writerows(table)
    text = out.getvalue()
    if how == "raw":
        text += draw(st.text(max_size=60))
    return text.encode(draw(ENCODINGS), errors="replace")


def database() -> dict[str, list[tuple[Any, ...]]]:
    models = (Street, Family, Resident, Citizenship, RegistryEvent, Permit)
    return {m.__name__: sorted(m.objects.values_list(), key=repr) for m in models}


def assert_loaded_or_refused_unchanged(load: Any, schemas: list[ExtractSchema]) -> None:
    before = database()
    try:
        load()
        event("loaded")
    except LoadRefused as refused:
        event("refused, row errors")
        names = {c.name for s in schemas for c in s.columns} | {"*"}
        errors = [e for check in refused.checks for e in check.errors]
        assert errors and all(e.line >= 2 and e.field in names and e.message for e in errors)
    except (ExtractError, LoadError) as refusal:
        event(f"refused whole: {type(refusal).__name__}")
        assert str(refusal)
    else:
        return
    assert database() == before


@LOADS
@given(spoiled_extracts(STREETS, [rows.street(), rows.street(codice_via="00102")]))
def test_a_spoiled_gazetteer_is_loaded_or_refused_leaving_the_database_as_it_was(
    tmp_path: Path, db: None, data: bytes
) -> None:
    path = tmp_path / "stradario.csv"
    path.write_bytes(data)
    assert_loaded_or_refused_unchanged(lambda: load_streets(path), [STREETS])


@LOADS
@given(
    spoiled_extracts(RESIDENTS, [rows.resident(1), rows.resident(2)]),
    spoiled_extracts(EVENTS, [rows.event(1, 1), rows.event(2, 2)]),
    st.booleans(),
)
def test_a_spoiled_registry_is_loaded_or_refused_leaving_the_database_as_it_was(
    gazetteer: Path, tmp_path: Path, residents: bytes, events: bytes, spoil_events: bool
) -> None:
    good = {
        "anagrafe": rows.write(tmp_path / "good-anagrafe.csv", RESIDENTS, [rows.resident(1)]),
        "eventi": rows.write(tmp_path / "good-eventi.csv", EVENTS, [rows.event(1, 1)]),
    }
    people, happenings = tmp_path / "anagrafe.csv", tmp_path / "eventi.csv"
    people.write_bytes(good["anagrafe"].read_bytes() if spoil_events else residents)
    happenings.write_bytes(events if spoil_events else good["eventi"].read_bytes())
    assert_loaded_or_refused_unchanged(
        lambda: load_registry(people, happenings), [RESIDENTS, EVENTS]
    )


@LOADS
@given(spoiled_extracts(PERMITS, [rows.permit(1), rows.permit(2, numero_permesso_precedente="")]))
def test_spoiled_permits_are_loaded_or_refused_leaving_the_database_as_it_was(
    tmp_path: Path, db: None, data: bytes
) -> None:
    path = tmp_path / "permessi.csv"
    path.write_bytes(data)
    assert_loaded_or_refused_unchanged(lambda: load_permits(path), [PERMITS])


def test_a_number_too_long_for_python_is_a_row_error_naming_its_column(
    gazetteer: Path, tmp_path: Path
) -> None:
    path = rows.write(tmp_path / "anagrafe.csv", RESIDENTS, [rows.resident(1, civico="9" * 5000)])
    with pytest.raises(LoadRefused) as refused:
        load_registry(path)
    [error] = refused.value.checks[0].errors
    assert (error.line, error.field) == (2, "civico")
    assert "5000 digits" in error.message and Resident.objects.count() == 0


# The address parser


def address_pieces(junk: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        WORDS,
        st.integers(0, 10**6).map(str),
        st.integers(0, 999).map(lambda n: f"{n}/B"),
        st.just("9" * 5000),
        junk,
    )


WORDS = st.sampled_from(
        ["VIA", "Via", "C.so", "Cso", "CORSO", "P.zza", "P.ZZA", "V.le", "viale", "S.", "SAN",
         "DELL'", "Sc.", "scala", "int.", "interno", "piano", "N.", "n°", "/", ",", "-", "bis",
         "ter", "B", "II", "c/o", "Garibaldi", "Giulio", "Cesare", "Vitt.", "Emanuele", "Nizza",
         "Regina", "Margherita", "(", ")", "'", "°", "²", "½"]
)  # fmt: skip
ADDRESSES = st.lists(address_pieces(st.text(max_size=6)), max_size=10).map(" ".join)
ASCII_ADDRESSES = st.lists(
    address_pieces(st.text(string.printable, max_size=6)).filter(str.isascii), max_size=10
).map(" ".join)


def numbers_in(text: str) -> set[int]:
    folded = unicodedata.normalize("NFKD", text)
    return {int(run) for run in re.findall(r"[0-9]+", folded) if len(run) < 4000}


@PROPERTIES
@given(ADDRESSES)
def test_the_civic_number_read_is_one_written_in_the_address(text: str) -> None:
    parsed = parse_address(text)
    assert parsed.civic is None or parsed.civic in numbers_in(text)


@PROPERTIES
@given(ASCII_ADDRESSES)
def test_the_address_key_ignores_case_and_spacing(text: str) -> None:
    key = address_key(text)
    assert address_key(text.lower()) == key
    assert address_key("  " + text.replace(" ", " \t ") + " ") == key


# The codice fiscale comparison

PLACES = st.sampled_from(["Z330", "Z210", "Z611", "Z100", "Z335", "Z336", "L219", "F205"])
CODES = st.builds(
    encode,
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ '", min_size=1, max_size=20),
    st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ ", min_size=1, max_size=20),
    st.sampled_from(["M", "F"]),
    st.dates(date(1900, 1, 1), date(2026, 12, 31)),
    PLACES,
)
PROVISIONAL = st.text("0123456789", min_size=10, max_size=10).map(
    lambda first: first + provisional_check_digit(first)
)
ANY_TEXT = st.one_of(st.text(max_size=20), CODES, PROVISIONAL)


@st.composite
def as_typed(draw: st.DrawFn, code: str) -> str:
    """The code as someone may type it: lower case here and there, spaces in between."""
    chars = [c.lower() if draw(st.booleans()) else c for c in code]
    for _ in range(draw(st.integers(0, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(st.sampled_from([" ", "\t"])))
    return "".join(chars)


@PROPERTIES
@given(CODES, st.integers(1, 7), st.data())
def test_an_omocode_typed_anyhow_is_the_same_code(
    code: str, level: int, data: st.DataObject
) -> None:
    variant = data.draw(as_typed(omocode(code, level)))
    assert same_code(code, variant) and same_code(variant, code)
    assert validation_error(omocode(code, level)) is None
    assert fold_omocodia(omocode(code, level)) == code


@PROPERTIES
@given(ANY_TEXT, ANY_TEXT)
def test_the_comparison_never_raises_and_is_symmetric(a: str, b: str) -> None:
    assert same_code(a, b) == same_code(b, a)
    assert same_code(a, a)


@PROPERTIES
@given(CODES, CODES)
def test_two_codes_with_different_letters_or_birth_are_different(a: str, b: str) -> None:
    assert same_code(a, b) == (a[:15] == b[:15])


@PROPERTIES
@given(st.text(max_size=30))
@example("1234567890" + provisional_check_digit("1234567890") + "\n")
def test_validation_gives_a_reason_or_none_and_never_raises(text: str) -> None:
    reason = validation_error(text)
    if reason is None:
        assert re.fullmatch(r"[0-9]{11}|[A-Z0-9]{16}", text)
    else:
        assert reason.strip()


DIGIT = "[0-9LMNPQRSTUV]"  # a digit, or the letter omocodia puts in its place
CODE_BODY = re.compile(f"[A-Z]{{6}}{DIGIT}{{2}}[ABCDEHLMPRST]{DIGIT}{{2}}[A-Z]{DIGIT}{{3}}")


@PROPERTIES
@given(st.text(max_size=20).filter(lambda t: not CODE_BODY.fullmatch(t[:15])))
def test_folding_a_malformed_code_is_a_clear_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not in the form of a codice fiscale"):
        fold_omocodia(text)
