# SPDX-License-Identifier: EUPL-1.2
"""A finding: what one rule concluded about one person or permit, before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from interscambio.reconciliation.kinds import KINDS


def key_of(kind: str, subject: str) -> str:
    """A discrepancy's key: its kind and what it is about (store.py)."""
    return f"{kind}:{subject}"


@dataclass
class Finding:
    kind: str
    subject: str  # with the kind, names what it is about: an id anagrafe, a permit, a CUI
    summary: str
    rule: str
    registry_id: str = ""
    permit_number: str = ""
    holder_cui: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    flow_id: int | None = None
    record_id: str = ""
    severity: str = ""
    due_date: date | None = None
    # Set when the rule already acted (a renewal recorded): stored as resolved, with this outcome.
    outcome: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown discrepancy kind {self.kind!r}")
        self.severity = self.severity or KINDS[self.kind].severity

    @property
    def key(self) -> str:
        return key_of(self.kind, self.subject)
