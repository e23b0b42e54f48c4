# SPDX-License-Identifier: EUPL-1.2
"""The CSV rendering of a flow, for people who open flows in a spreadsheet.

One row per record; nested fields become dotted columns (`persona.codiceFiscale`), lists are
joined by ';', and `variazioni` stays JSON. The columns follow the record schema, in its order.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Any

from interscambio.core.flows.reader import FlowReader
from interscambio.core.flows.spec import schema_document


def _fields(spec: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The properties of an object-valued field (direct, nullable or by $ref), else None."""
    for option in [spec, *spec.get("anyOf", [])]:
        if "$ref" in option:
            option = defs[option["$ref"].rsplit("/", 1)[-1]]
        if "properties" in option:
            properties: dict[str, Any] = option["properties"]
            return properties
    return None


def columns(flow_type: str) -> list[str]:
    document = schema_document(f"{flow_type}-record")
    defs = document.get("$defs", {})
    out: list[str] = []
    for name, spec in document["properties"].items():
        inner = _fields(spec, defs)
        out += [f"{name}.{field}" for field in inner] if inner else [name]
    return out


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _value(record: dict[str, Any], column: str) -> Any:
    value: Any = record
    for part in column.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def render_csv(reader: FlowReader, out: IO[str]) -> int:
    """Write the flow's records as CSV; returns how many."""
    header = columns(reader.header.flow_type)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for record in reader:
        writer.writerow([_cell(_value(record.data, column)) for column in header])
        count += 1
    return count
