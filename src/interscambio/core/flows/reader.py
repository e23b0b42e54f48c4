# SPDX-License-Identifier: EUPL-1.2
"""Reading a flow line by line, checking each against its schema and the header's promises.

A flow that cannot be read as a whole (not UTF-8, not JSON, wrong header, truncated) raises
FlowError; a readable flow yields its records, each with the problems found in it, so that a
receipt can list every rejected record and why.

Each record line is decoded straight into its typed struct (records.py), which checks it against
the schema at C speed. Only a line the struct refuses goes through the JSON Schema validator,
the reference, which names every problem with its field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import msgspec
from jsonschema.exceptions import ValidationError

from interscambio.core import codes
from interscambio.core.extracts.reader import RowError
from interscambio.core.flows.records import Record, RegistryRecord, decoder, to_dict
from interscambio.core.flows.spec import FLOW_TYPES, FORMAT_VERSION, Header, validator
from interscambio.core.identity.codice_fiscale import validation_error


class FlowError(Exception):
    """The flow as a whole cannot be accepted; the message says where and why."""


# A bad record is reported exactly like a bad extract row: "line N [id], field: message".
FlowProblem = RowError


@dataclass(slots=True)
class FlowRecord:
    """One record line: its struct, or None when it could not be decoded, and its problems."""

    line: int
    record_id: str
    record: Record | None
    problems: list[FlowProblem] = field(default_factory=list)
    # The line as a plain JSON object, kept only for a record that could not be decoded.
    decoded: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def data(self) -> dict[str, Any]:
        """The record as a JSON object; every optional field is there, null when absent."""
        if self.record is not None:
            return to_dict(self.record)
        return self.decoded if self.decoded is not None else {}


def _path(error: ValidationError) -> str:
    parts = [str(p) for p in error.absolute_path]
    required = error.validator_value
    if (
        error.validator == "required"
        and isinstance(error.instance, dict)
        and isinstance(required, list)
    ):
        missing = next((m for m in required if m not in error.instance), "")
        parts.append(str(missing))
    return ".".join(parts) or "*"


def _json_line(raw: bytes, number: int) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FlowError(f"line {number}: not UTF-8 (byte 0x{raw[exc.start]:02X})") from None
    if number == 1:
        text = text.removeprefix("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FlowError(f"line {number}: not JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise FlowError(f"line {number}: JSON nested too deeply to be a flow line") from None
    except ValueError:  # Python's limit on the digits of a number (4,300)
        raise FlowError(f"line {number}: JSON with a number too long to be read") from None
    if not isinstance(data, dict):
        raise FlowError(f"line {number}: must be a JSON object")
    return data


class FlowReader:
    """Reads the header at once; iterating yields every record with its problems.

    After iteration `sha256` is the hex digest of the exact bytes read. With `duplicates`
    False the reader does not look for an idRecord repeated in the flow, which takes memory
    in proportion to the flow: the import leaves that check to the database."""

    def __init__(
        self,
        stream: IO[bytes],
        expected_receiver: str | None = None,
        *,
        duplicates: bool = True,
    ) -> None:
        self._stream = stream
        self._duplicates = duplicates
        self._sha = hashlib.sha256()
        first = self._next_line()
        if first is None:
            raise FlowError("the flow is empty: not even a header line")
        self.header = self._header(_json_line(first, 1), expected_receiver)
        self.sha256 = ""

    def _next_line(self) -> bytes | None:
        raw = self._stream.readline()
        if not raw:
            return None
        self._sha.update(raw)
        return raw

    def _header(self, data: dict[str, Any], expected_receiver: str | None) -> Header:
        version = data.get("versione")
        if version != FORMAT_VERSION:
            raise FlowError(
                f"line 1: format version {version!r} is not supported (this node reads "
                f"{FORMAT_VERSION!r})"
            )
        if not isinstance(data.get("tipo"), str) or data["tipo"] not in FLOW_TYPES:
            raise FlowError(
                f"line 1, tipo: unknown flow type {data.get('tipo')!r} "
                f"(known: {', '.join(FLOW_TYPES)})"
            )
        errors = sorted(validator("flow-header").iter_errors(data), key=lambda e: e.path)
        if errors:
            raise FlowError(
                "line 1, the header: " + "; ".join(f"{_path(e)}: {e.message}" for e in errors)
            )
        try:
            header = Header.from_json(data)
        except ValueError as error:  # the schema checks the pattern, not the calendar
            raise FlowError(
                f"line 1, generato: {data['generato']!r} is not a date and time ({error})"
            ) from None
        if header.period.end < header.period.start:
            raise FlowError("line 1, periodo: 'al' is before 'dal'")
        if expected_receiver is not None and header.receiver != expected_receiver:
            raise FlowError(
                f"line 1, destinatario: the flow is addressed to {header.receiver!r}, "
                f"this node is {expected_receiver!r}"
            )
        return header

    def __iter__(self) -> Iterator[FlowRecord]:
        flow_type = self.header.flow_type
        decode = decoder(flow_type).decode
        seen: dict[str, int] | None = {} if self._duplicates else None
        count = 0
        number = 1
        while (raw := self._next_line()) is not None:
            number += 1
            try:
                record = decode(raw)
            except (msgspec.DecodeError, UnicodeDecodeError) as refusal:
                if not raw.strip():
                    continue
                count += 1
                yield _refused(flow_type, number, raw, refusal, seen)
                continue
            count += 1
            record_id = record.id_record
            yield FlowRecord(
                number, record_id, record, _more_problems(number, record_id, _facts(record), seen)
            )
        self.sha256 = self._sha.hexdigest()
        if count != self.header.record_count:
            raise FlowError(
                f"the header announces {self.header.record_count} records and the flow holds "
                f"{count}: it is truncated or padded"
            )


# What the checks beyond the schema look at: (reason field, reason code, the code table or
# None, [(path, codice fiscale)]).
_Facts = tuple[str, object, dict[str, str] | None, list[tuple[str, str]]]


def _facts(record: Record) -> _Facts:
    if isinstance(record, RegistryRecord):
        table = codes.EVENT_KINDS[record.tipo_evento]
        fiscal = [("persona.codiceFiscale", record.persona.codice_fiscale)]
        return "codiceMotivo", record.codice_motivo, table, fiscal
    code = record.titolare.codice_fiscale
    fiscal = [("titolare.codiceFiscale", code)] if code is not None else []
    return "motivo", record.motivo, codes.PERMIT_REASONS, fiscal


def _facts_of_dict(data: dict[str, Any]) -> _Facts:
    """The same facts from a record that could not be decoded, as far as they can be found."""
    if "tipoEvento" in data:
        table = codes.EVENT_KINDS.get(str(data["tipoEvento"]))
        field, value = "codiceMotivo", data.get("codiceMotivo")
    else:
        table, field, value = codes.PERMIT_REASONS, "motivo", data.get("motivo")
    fiscal = []
    for holder in ("persona", "titolare"):
        person = data.get(holder)
        if isinstance(person, dict) and isinstance(person.get("codiceFiscale"), str):
            fiscal.append((f"{holder}.codiceFiscale", person["codiceFiscale"]))
    return field, value, table, fiscal


def _more_problems(
    line: int, record_id: str, facts: _Facts, seen: dict[str, int] | None
) -> list[FlowProblem]:
    """The checks beyond the schema: the reason code against its table, the codice fiscale's
    check character, idRecord unique in the flow (unless `seen` is None)."""
    field, value, table, fiscal = facts
    problems = []
    if table and isinstance(value, str) and value not in table:
        problems.append(
            FlowProblem(
                line, record_id, field, f"unknown code {value!r} (allowed: {', '.join(table)})"
            )
        )
    for path, code in fiscal:
        if code and (error := validation_error(code)):
            problems.append(FlowProblem(line, record_id, path, f"{code}: {error}"))
    if record_id and seen is not None:
        first = seen.setdefault(record_id, line)
        if first != line:
            problems.append(duplicate(line, record_id, first))
    return problems


def duplicate(line: int, record_id: str, first: int) -> FlowProblem:
    """The problem of a record whose idRecord an earlier line of the flow already has."""
    return FlowProblem(line, record_id, "idRecord", f"duplicate (first on line {first})")


def _schema_problems(flow_type: str, line: int, data: dict[str, Any]) -> list[FlowProblem]:
    record_id = str(data.get("idRecord", ""))
    return [
        FlowProblem(line, record_id, _path(e), e.message)
        for e in validator(f"{flow_type}-record").iter_errors(data)
    ]


def check_with_schema(
    flow_type: str, line: int, data: dict[str, Any], seen: dict[str, int] | None
) -> list[FlowProblem]:
    """Every problem of a JSON-decoded record by the JSON Schema alone, then the checks beyond it.

    The reference check, and the whole of the reader's check before the typed structs, some
    twenty times slower (benchmarks/flow_reader.py). The reader uses its parts to explain the
    records the structs refuse."""
    record_id = str(data.get("idRecord", ""))
    return _schema_problems(flow_type, line, data) + _more_problems(
        line, record_id, _facts_of_dict(data), seen
    )


def _refused(
    flow_type: str, line: int, raw: bytes, refusal: Exception, seen: dict[str, int] | None
) -> FlowRecord:
    """A record line its struct refused: what the schema says about it, or failing that (a
    refusal of the struct alone, such as 45.0 for a whole number) what msgspec said."""
    data = _json_line(raw, line)
    record_id = str(data.get("idRecord", ""))
    problems = _schema_problems(flow_type, line, data) or [
        FlowProblem(line, record_id, *_msgspec_problem(refusal))
    ]
    problems += _more_problems(line, record_id, _facts_of_dict(data), seen)
    return FlowRecord(line, record_id, None, problems, data)


def _msgspec_problem(refusal: Exception) -> tuple[str, str]:
    """(field, message) from msgspec's `Expected `int`, got `float` - at `$.indirizzo.civico``."""
    message, at, where = str(refusal).rpartition(" - at `")
    if not at:
        return "*", str(refusal)
    path = where.rstrip("`").removeprefix("$").replace("[", ".").replace("]", "").strip(".")
    return path or "*", message


def read_flow(path: Path, expected_receiver: str | None = None) -> FlowReader:
    """Open a flow file; close it by exhausting the reader or with the file's own lifetime."""
    return FlowReader(path.open("rb"), expected_receiver)
