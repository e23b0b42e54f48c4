# SPDX-License-Identifier: EUPL-1.2
"""Reading a synthetic city back, for the tests that check it."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass
class City:
    root: Path

    @cached_property
    def streets(self) -> list[dict[str, str]]:
        return rows(self.root / "comune" / "stradario.csv")

    @cached_property
    def residents(self) -> list[dict[str, str]]:
        return rows(self.root / "comune" / "anagrafe.csv")

    @cached_property
    def events(self) -> list[dict[str, str]]:
        return rows(self.root / "comune" / "eventi.csv")

    @cached_property
    def permits(self) -> list[dict[str, str]]:
        return rows(self.root / "questura" / "permessi.csv")

    @cached_property
    def links(self) -> list[dict[str, str]]:
        return rows(self.root / "truth" / "links.csv")

    @cached_property
    def discrepancies(self) -> list[dict[str, str]]:
        return rows(self.root / "truth" / "discrepancies.csv")

    @cached_property
    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            (self.root / "truth" / "summary.json").read_text(encoding="utf-8")
        )
        return data

    @property
    def counts(self) -> dict[str, Any]:
        return dict(self.summary["counts"])

    def files(self) -> dict[str, bytes]:
        return {
            str(p.relative_to(self.root)): p.read_bytes()
            for p in sorted(self.root.rglob("*"))
            if p.is_file()
        }
