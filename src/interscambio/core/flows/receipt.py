# SPDX-License-Identifier: EUPL-1.2
"""The receipt (ricevuta) a node returns for every flow it receives, applied or not.

A receipt names the flow by its sender, type, sequence and the SHA-256 of its bytes, says what
became of it (applied, refused, held for the operator) and why, and accounts for every record:
how many were valid and on which lines (as ranges, so that a receipt stays small whatever the
flow's size), how many were rejected and, for each, the line, field and reason. A flow with
more than LISTED rejected records has its lists cut at a line, said in the receipt; the counts
are always whole. It is signed like a flow, with a detached JWS over its exact bytes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Final

from interscambio.core.flows.reader import FlowProblem
from interscambio.core.flows.spec import FORMAT_VERSION, Header, Period, validator

APPLIED: Final = "applicato"
REFUSED: Final = "rifiutato"
HELD: Final = "sospeso"
OUTCOMES: Final = (APPLIED, REFUSED, HELD)
# Rejected records listed one by one; beyond them a receipt only counts.
LISTED: Final = 1000


@dataclass(frozen=True, slots=True)
class Lines:
    """Consecutive lines of a flow; a range may take in blank lines, which hold no record."""

    first: int
    last: int

    def __len__(self) -> int:
        return self.last - self.first + 1


def valid_lines(first: int, last: int, rejected: list[int]) -> list[Lines]:
    """The ranges of lines from `first` to `last` that are not among the `rejected` lines;
    none when `first` is 0 (a flow without records)."""
    if not first:
        return []
    ranges, start = [], first
    for line in sorted(set(rejected)):
        if line > last:
            break
        if line > start:
            ranges.append(Lines(start, line - 1))
        start = max(start, line + 1)
    if start <= last:
        ranges.append(Lines(start, last))
    return ranges


@dataclass(frozen=True)
class FlowRef:
    """Which flow a receipt answers; only the hash is known of a flow whose header is unreadable."""

    sha256: str
    flow_type: str | None = None
    sender: str | None = None
    receiver: str | None = None
    sequence: int | None = None
    period: Period | None = None

    @classmethod
    def of(cls, header: Header, sha256: str) -> FlowRef:
        return cls(
            sha256, header.flow_type, header.sender, header.receiver, header.sequence, header.period
        )


@dataclass(frozen=True)
class Receipt:
    flow: FlowRef
    outcome: str
    issued: datetime
    reason: str | None = None
    record_count: int = 0
    valid_count: int = 0
    valid: list[Lines] = field(default_factory=list)
    rejected_count: int = 0
    rejected: list[FlowProblem] = field(default_factory=list)
    # Set when there were too many rejected records to list: the lists stop at this line.
    listed_to: int | None = None

    def to_json(self) -> dict[str, Any]:
        period = self.flow.period
        return {
            "versione": FORMAT_VERSION,
            "tipo": "ricevuta",
            "flusso": {
                "tipo": self.flow.flow_type,
                "mittente": self.flow.sender,
                "destinatario": self.flow.receiver,
                "sequenza": self.flow.sequence,
                "periodo": (
                    {"dal": period.start.isoformat(), "al": period.end.isoformat()}
                    if period
                    else None
                ),
                "sha256": self.flow.sha256,
            },
            "esito": self.outcome,
            "motivo": self.reason,
            "emessa": self.issued.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "numeroRecord": self.record_count,
            "numeroValidi": self.valid_count,
            "numeroRifiutati": self.rejected_count,
            "recordValidi": [{"dallaRiga": r.first, "allaRiga": r.last} for r in self.valid],
            "recordRifiutati": [
                {"riga": p.line, "idRecord": p.record, "campo": p.field, "errore": p.message}
                for p in self.rejected
            ],
            "elencoFinoAllaRiga": self.listed_to,
        }

    def to_bytes(self) -> bytes:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Receipt:
        """Parse and check a receipt against its schema; ValueError says what is wrong."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"the receipt is not UTF-8 JSON: {error}") from None
        errors = list(validator("ricevuta").iter_errors(data))
        if errors:
            first = errors[0]
            where = ".".join(str(p) for p in first.absolute_path) or "*"
            raise ValueError(f"the receipt is not valid: {where}: {first.message}")
        ref, period = data["flusso"], data["flusso"]["periodo"]
        return cls(
            flow=FlowRef(
                sha256=ref["sha256"],
                flow_type=ref["tipo"],
                sender=ref["mittente"],
                receiver=ref["destinatario"],
                sequence=ref["sequenza"],
                period=(
                    Period(date.fromisoformat(period["dal"]), date.fromisoformat(period["al"]))
                    if period
                    else None
                ),
            ),
            outcome=data["esito"],
            reason=data["motivo"],
            issued=datetime.fromisoformat(data["emessa"].replace("Z", "+00:00")),
            record_count=data["numeroRecord"],
            valid_count=data["numeroValidi"],
            valid=[Lines(r["dallaRiga"], r["allaRiga"]) for r in data["recordValidi"]],
            rejected_count=data["numeroRifiutati"],
            rejected=[
                FlowProblem(r["riga"], r["idRecord"], r["campo"], r["errore"])
                for r in data["recordRifiutati"]
            ],
            listed_to=data["elencoFinoAllaRiga"],
        )

    def summary(self) -> str:
        """One line for a terminal or a log."""
        text = f"{self.outcome}: {self.valid_count} valid, {self.rejected_count} rejected"
        return f"{text} ({self.reason})" if self.reason else text
