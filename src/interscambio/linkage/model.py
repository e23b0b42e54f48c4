# SPDX-License-Identifier: EUPL-1.2
"""The Fellegi-Sunter model: how much each level of each comparison says for or against a match.

For each comparison and level, m is the probability of that level between two records of the
same person and u between two records of different people; a pair's match weight is the log2
of the prior odds plus, for each comparison, log2(m / u) of its level, and its score the
probability 2^w / (1 + 2^w). Parameters come from the data itself (training.py), nothing is
set by hand; a trained model is saved as a versioned JSON file and can be reused.

Agreement on a name counts for more when the name is rare: at the top level the u of a name is
its frequency in the two files (term frequency), so two Smiths agree less than two Zapatas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from interscambio.linkage.compare import COMPARISONS, NULL

FORMAT: Final = "interscambio-linkage-model"
VERSION: Final = 1
# No level is ever certain either way: probabilities are kept inside these bounds.
FLOOR: Final = 1e-6


@dataclass
class Model:
    prior: float
    m: dict[str, dict[int, float]]
    u: dict[str, dict[int, float]]
    # u of each comparison's top level over random pairs, the base of the TF adjustment.
    u_random_top: dict[str, float] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)

    def weight(self, name: str, level: int) -> float:
        if level == NULL:
            return 0.0
        m = max(self.m[name].get(level, FLOOR), FLOOR)
        u = max(self.u[name].get(level, FLOOR), FLOOR)
        return math.log2(m / u)

    @property
    def prior_weight(self) -> float:
        prior = min(max(self.prior, FLOOR), 1 - FLOOR)
        return math.log2(prior / (1 - prior))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "prior": self.prior,
            "comparisons": {
                c.name: {
                    "levels": {str(k): v for k, v in c.levels.items()},
                    "m": {str(k): v for k, v in sorted(self.m[c.name].items())},
                    "u": {str(k): v for k, v in sorted(self.u[c.name].items())},
                    **(
                        {"u_random_top": self.u_random_top[c.name]}
                        if c.name in self.u_random_top
                        else {}
                    ),
                }
                for c in COMPARISONS
            },
            "trained_on": self.trained_on,
        }

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")

    @classmethod
    def load(cls, path: Path) -> Model:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{path}: not a linkage model ({error})") from None
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError(
                f"{path}: not a {FORMAT} version {VERSION} file "
                f"(format {data.get('format')!r}, version {data.get('version')!r})"
            )
        comparisons = data["comparisons"]
        missing = [c.name for c in COMPARISONS if c.name not in comparisons]
        if missing:
            raise ValueError(f"{path}: the model has no parameters for {', '.join(missing)}")
        return cls(
            prior=float(data["prior"]),
            m={n: {int(k): float(v) for k, v in c["m"].items()} for n, c in comparisons.items()},
            u={n: {int(k): float(v) for k, v in c["u"].items()} for n, c in comparisons.items()},
            u_random_top={
                n: float(c["u_random_top"]) for n, c in comparisons.items() if "u_random_top" in c
            },
            trained_on=data.get("trained_on", {}),
        )

    def weight_sql(self) -> str:
        """The match weight of a pair as an SQL expression over its level (and TF) columns."""
        terms = [repr(self.prior_weight)]
        for c in COMPARISONS:
            cases = [
                f"WHEN {level} THEN {self.weight(c.name, level)!r}"
                for level in c.levels
                if not (c.tf and level == c.top and c.name in self.u_random_top)
            ]
            if c.tf and c.name in self.u_random_top:
                # log2(m / u) + log2(u_random / tf): the top level as rare as its value.
                base = self.weight(c.name, c.top) + math.log2(max(self.u_random_top[c.name], FLOOR))
                cases.insert(0, f"WHEN {c.top} THEN {base!r} - log2(greatest({c.tf}, {FLOOR}))")
            terms.append(f"(CASE {c.name} {' '.join(cases)} ELSE 0 END)")
        return " + ".join(terms)
