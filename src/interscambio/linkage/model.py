# SPDX-License-Identifier: EUPL-1.2
"""The Fellegi-Sunter model: how much each level of each comparison says for or against a match.

For each comparison and level, m is the probability of that level between two records of the
same person and u between two records of different people; a pair's match weight is the log2
of the prior odds plus, for each comparison, log2(m / u) of its level, and its score the
probability 2^w / (1 + 2^w). The prior and u are per stage of the blocking (blocking.py): the
pairs that only share a birth date and a place are a different crowd from those that share
both names, and the different people among them differ in different fields; m, how one
person's two records differ, is the same whichever rule found them. Parameters come from the
data itself (training.py), nothing is set by hand; a trained model is saved as a versioned
JSON file and can be reused.

Agreement on a name counts for more when the name is rare: at the top level the u of a name is
its frequency in the two files (term frequency), so two Smiths agree less than two Zapatas.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from interscambio.linkage.blocking import STAGES
from interscambio.linkage.compare import COMPARISONS, NULL

FORMAT: Final = "interscambio-linkage-model"
VERSION: Final = 2
# No level is ever certain either way: probabilities are kept inside these bounds.
FLOOR: Final = 1e-6

Levels = dict[str, dict[int, float]]


@dataclass
class Model:
    # stage -> the share of matches among its candidate pairs
    priors: dict[int, float]
    m: Levels
    # stage -> comparison -> level -> u
    u: dict[int, Levels]
    # u of each comparison's top level over random pairs, the base of the TF adjustment.
    u_random_top: dict[str, float] = field(default_factory=dict)
    trained_on: dict[str, Any] = field(default_factory=dict)

    def weight(self, name: str, level: int, stage: int) -> float:
        if level == NULL:
            return 0.0
        m = max(self.m[name].get(level, FLOOR), FLOOR)
        u = max(self.u[stage][name].get(level, FLOOR), FLOOR)
        return math.log2(m / u)

    def prior_weight(self, stage: int) -> float:
        prior = min(max(self.priors[stage], FLOOR), 1 - FLOOR)
        return math.log2(prior / (1 - prior))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "stages": {
                str(stage): {
                    "prior": self.priors[stage],
                    "u": {
                        c.name: {str(k): v for k, v in sorted(self.u[stage][c.name].items())}
                        for c in COMPARISONS
                    },
                }
                for stage in STAGES
            },
            "comparisons": {
                c.name: {
                    "levels": {str(k): v for k, v in c.levels.items()},
                    "m": {str(k): v for k, v in sorted(self.m[c.name].items())},
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
        comparisons, stages = data["comparisons"], data.get("stages", {})
        missing = [c.name for c in COMPARISONS if c.name not in comparisons]
        missing += [f"stage {s}" for s in STAGES if str(s) not in stages]
        if missing:
            raise ValueError(f"{path}: the model has no parameters for {', '.join(missing)}")

        def levels(values: dict[str, Any]) -> dict[int, float]:
            return {int(k): float(v) for k, v in values.items()}

        return cls(
            priors={s: float(stages[str(s)]["prior"]) for s in STAGES},
            m={n: levels(c["m"]) for n, c in comparisons.items()},
            u={s: {n: levels(values) for n, values in stages[str(s)]["u"].items()} for s in STAGES},
            u_random_top={
                n: float(c["u_random_top"]) for n, c in comparisons.items() if "u_random_top" in c
            },
            trained_on=data.get("trained_on", {}),
        )

    def _stage_sql(self, stage: int) -> str:
        terms = [repr(self.prior_weight(stage))]
        for c in COMPARISONS:
            tf = c.tf is not None and c.name in self.u_random_top
            cases = [
                f"WHEN {level} THEN {self.weight(c.name, level, stage)!r}"
                for level in c.levels
                if not (tf and level == c.top)
            ]
            if tf:
                # log2(m / u) + log2(u_random / tf): the top level as rare as its value.
                base = self.weight(c.name, c.top, stage) + math.log2(
                    max(self.u_random_top[c.name], FLOOR)
                )
                cases.insert(0, f"WHEN {c.top} THEN {base!r} - log2(greatest({c.tf}, {FLOOR}))")
            terms.append(f"(CASE {c.name} {' '.join(cases)} ELSE 0 END)")
        return " + ".join(terms)

    def weight_sql(self) -> str:
        """The match weight of a pair as an SQL expression over its stage, level and TF
        columns."""
        stages = " ".join(f"WHEN {s} THEN {self._stage_sql(s)}" for s in STAGES)
        return f"(CASE stage {stages} END)"
