# SPDX-License-Identifier: EUPL-1.2
"""What a flow is made of: its header and the JSON Schemas of its lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from typing import Any, Final

from jsonschema import Draft202012Validator

FORMAT_VERSION: Final = "1"
# Flow type -> who sends it.
FLOW_TYPES: Final[dict[str, str]] = {"anagrafe": "comune", "permessi": "questura"}
MEDIA_TYPE: Final = "application/x-ndjson"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included


@dataclass(frozen=True)
class Header:
    flow_type: str
    sender: str
    receiver: str
    period: Period
    sequence: int
    generated: datetime  # UTC
    record_count: int
    previous_hash: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "versione": FORMAT_VERSION,
            "tipo": self.flow_type,
            "mittente": self.sender,
            "destinatario": self.receiver,
            "periodo": {"dal": self.period.start.isoformat(), "al": self.period.end.isoformat()},
            "sequenza": self.sequence,
            "generato": self.generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "numeroRecord": self.record_count,
            "hashPrecedente": self.previous_hash,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Header:
        """From a header already valid against its schema."""
        period = data["periodo"]
        return cls(
            flow_type=data["tipo"],
            sender=data["mittente"],
            receiver=data["destinatario"],
            period=Period(date.fromisoformat(period["dal"]), date.fromisoformat(period["al"])),
            sequence=data["sequenza"],
            generated=datetime.fromisoformat(data["generato"].replace("Z", "+00:00")),
            record_count=data["numeroRecord"],
            previous_hash=data["hashPrecedente"],
        )


def schema_document(name: str) -> dict[str, Any]:
    text = resources.files("interscambio.core.flows").joinpath(
        "schemas", f"{name}.v{FORMAT_VERSION}.schema.json"
    )
    document: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return document


@cache
def validator(name: str) -> Draft202012Validator:
    """`flow-header`, `anagrafe-record` or `permessi-record`, with date formats checked."""
    document = schema_document(name)
    return Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
