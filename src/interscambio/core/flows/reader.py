# SPDX-License-Identifier: EUPL-1.2
"""Reading a flow line by line, checking each against its schema and the header's promises.

A flow that cannot be read as a whole (not UTF-8, not JSON, wrong header, truncated) raises
FlowError; a readable flow yields its records, each with the problems found in it, so that a
receipt can list every rejected record and why.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from jsonschema.exceptions import ValidationError

from interscambio.core import codes
from interscambio.core.extracts.reader import RowError
from interscambio.core.flows.spec import FLOW_TYPES, FORMAT_VERSION, Header, validator
from interscambio.core.identity.codice_fiscale import validation_error


class FlowError(Exception):
    """The flow as a whole cannot be accepted; the message says where and why."""


# A bad record is reported exactly like a bad extract row: "line N [id], field: message".
FlowProblem = RowError


@dataclass
class FlowRecord:
    line: int
    data: dict[str, Any]
    problems: list[FlowProblem] = field(default_factory=list)


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
    if not isinstance(data, dict):
        raise FlowError(f"line {number}: must be a JSON object")
    return data


class FlowReader:
    """Reads the header at once; iterating yields every record with its problems.

    After iteration `sha256` is the hex digest of the exact bytes read."""

    def __init__(self, stream: IO[bytes], expected_receiver: str | None = None) -> None:
        self._stream = stream
        self._sha = hashlib.sha256()
        first = self._next_line()
        if first is None:
            raise FlowError("the flow is empty: not even a header line")
        self.header = self._header(_json_line(first, 1), expected_receiver)
        self._records = validator(f"{self.header.flow_type}-record")
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
        if data.get("tipo") not in FLOW_TYPES:
            raise FlowError(
                f"line 1, tipo: unknown flow type {data.get('tipo')!r} "
                f"(known: {', '.join(FLOW_TYPES)})"
            )
        errors = sorted(validator("flow-header").iter_errors(data), key=lambda e: e.path)
        if errors:
            raise FlowError(
                "line 1, the header: " + "; ".join(f"{_path(e)}: {e.message}" for e in errors)
            )
        header = Header.from_json(data)
        if header.period.end < header.period.start:
            raise FlowError("line 1, periodo: 'al' is before 'dal'")
        if expected_receiver is not None and header.receiver != expected_receiver:
            raise FlowError(
                f"line 1, destinatario: the flow is addressed to {header.receiver!r}, "
                f"this node is {expected_receiver!r}"
            )
        return header

    def __iter__(self) -> Iterator[FlowRecord]:
        seen: dict[str, int] = {}
        count = 0
        number = 1
        while (raw := self._next_line()) is not None:
            number += 1
            if not raw.strip():
                continue
            count += 1
            data = _json_line(raw, number)
            yield FlowRecord(number, data, self._problems(number, data, seen))
        self.sha256 = self._sha.hexdigest()
        if count != self.header.record_count:
            raise FlowError(
                f"the header announces {self.header.record_count} records and the flow holds "
                f"{count}: it is truncated or padded"
            )

    def _problems(self, line: int, data: dict[str, Any], seen: dict[str, int]) -> list[FlowProblem]:
        record_id = str(data.get("idRecord", ""))
        problems = [
            FlowProblem(line, record_id, _path(e), e.message)
            for e in self._records.iter_errors(data)
        ]
        problems += [FlowProblem(line, record_id, f, m) for f, m in _unknown_codes(data)]
        for path, code in _codes(data):
            if code and (error := validation_error(code)):
                problems.append(FlowProblem(line, record_id, path, f"{code}: {error}"))
        if record_id:
            first = seen.setdefault(record_id, line)
            if first != line:
                problems.append(
                    FlowProblem(line, record_id, "idRecord", f"duplicate (first on line {first})")
                )
        return problems


def _unknown_codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Reason codes outside the tables of core/codes.py, as (field, message)."""
    if "tipoEvento" in data:
        table = codes.EVENT_KINDS.get(str(data["tipoEvento"]), {})
        field, value = "codiceMotivo", data.get("codiceMotivo")
    else:
        table, field, value = codes.PERMIT_REASONS, "motivo", data.get("motivo")
    if table and isinstance(value, str) and value not in table:
        return [(field, f"unknown code {value!r} (allowed: {', '.join(table)})")]
    return []


def _codes(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The codici fiscali a record carries, with their paths."""
    found = []
    for holder in ("persona", "titolare"):
        person = data.get(holder)
        if isinstance(person, dict) and isinstance(person.get("codiceFiscale"), str):
            found.append((f"{holder}.codiceFiscale", person["codiceFiscale"]))
    return found


def read_flow(path: Path, expected_receiver: str | None = None) -> FlowReader:
    """Open a flow file; close it by exhausting the reader or with the file's own lifetime."""
    return FlowReader(path.open("rb"), expected_receiver)
