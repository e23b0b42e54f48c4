# SPDX-License-Identifier: EUPL-1.2
"""The linkage core run on a node's own records and the partner's: candidates, then a decision.

The two sides are written as the linker's CSV files (linkage/columns.py) in a temporary
folder, linked with every pair above the threshold kept (`resolve="none"`), and each right
record's candidates are decided here: one clear candidate is a match; two whose match weights
are within AMBIGUITY_BITS of each other need a person (manual review).

A model is trained on every run large enough to train one, and saved in the data folder; a
run too small to train on (a few records) uses the last saved model.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from django.conf import settings

from interscambio.linkage import COLUMNS, Model, Options, link

# Two candidates within 2^5 = 32 times each other's odds are not told apart automatically.
AMBIGUITY_BITS: Final = 5.0
# Below this many records on the right, a saved model is used rather than one trained on them.
MIN_TRAINING_RECORDS: Final = 500


@dataclass(frozen=True)
class Candidate:
    id_left: str
    score: float
    weight: float
    explanation: dict[str, Any]


@dataclass
class Decision:
    """For each right id: its match (a left id) or its rival candidates."""

    matches: dict[str, Candidate] = field(default_factory=dict)
    ambiguous: dict[str, list[Candidate]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def model_path(role: str) -> Path:
    return Path(settings.DATA_DIR) / "reconciliation" / f"linkage-model-{role}.json"


def _usable(path: Path) -> bool:
    """A saved model this version can read (one saved by another version is trained anew)."""
    if not path.exists():
        return False
    try:
        Model.load(path)
    except ValueError:
        return False
    return True


def _write(path: Path, rows: Iterable[Sequence[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def decide(
    left: Iterable[Sequence[object]],
    right: Iterable[Sequence[object]],
    *,
    role: str,
    threshold: float,
    excluded: frozenset[tuple[str, str]] = frozenset(),
) -> Decision:
    """Link `right` records to `left` ones; rows are in the order of linkage.COLUMNS.

    `excluded` holds (left id, right id) pairs an operator rejected: never proposed again.
    """
    decision = Decision()
    with tempfile.TemporaryDirectory(prefix="interscambio-reconcile-") as folder:
        left_csv, right_csv = Path(folder) / "left.csv", Path(folder) / "right.csv"
        n_left, n_right = _write(left_csv, left), _write(right_csv, right)
        decision.counts.update(linkage_left=n_left, linkage_right=n_right)
        if not n_left or not n_right:
            return decision
        saved = model_path(role)
        reuse = n_right < MIN_TRAINING_RECORDS and _usable(saved)
        if not reuse:
            saved.parent.mkdir(parents=True, exist_ok=True)
        result = link(
            left_csv,
            right_csv,
            Options(
                threshold=threshold,
                resolve="none",
                model=saved if reuse else None,
                save_model=None if reuse else saved,
            ),
        )
        by_right: dict[str, list[Candidate]] = {}
        for item in result.explanations():
            pair = (str(item["id_left"]), str(item["id_right"]))
            if pair in excluded:
                continue
            explanation = {
                k: v for k, v in item.items() if k not in {"id_left", "id_right", "score", "weight"}
            }
            by_right.setdefault(pair[1], []).append(
                Candidate(pair[0], float(item["score"]), float(item["weight"]), explanation)  # type: ignore[arg-type]
            )
        decision.seconds.update({f"linkage_{k}": v for k, v in result.seconds.items()})
        decision.counts["linkage_model_reused"] = int(reuse)
        result.con.close()
    for right_id, found in by_right.items():
        found.sort(key=lambda c: (-c.weight, c.id_left))
        if len(found) > 1 and found[0].weight - found[1].weight < AMBIGUITY_BITS:
            decision.ambiguous[right_id] = found[:5]
        else:
            decision.matches[right_id] = found[0]
    return decision
