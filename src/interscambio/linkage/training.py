# SPDX-License-Identifier: EUPL-1.2
"""Training the model from the two files themselves.

1. u over random pairs: almost all of them are two different people, so how often each level
   occurs among them is its u, and the top level's u is the base of the term frequencies.
2. m from free labels: pairs whose codici fiscali are the same code are the same person
   (practically always), so the levels of the other comparisons among them give their m; the
   codice fiscale's own m comes from the pairs that agree on names and birth date exactly.
   Files without codici fiscali start from a neutral guess instead.
3. Expectation-maximisation over the candidate pairs, grouped by their pattern of levels (a
   few thousand patterns for millions of pairs, so each iteration is a matter of
   milliseconds), refines m, u and the share of matches among the candidates, all at once,
   from those starting points. The candidates' non-matches are relatives and namesakes, not
   random strangers, and their u says how alike such near misses are: that is what the score
   must tell apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import duckdb
import numpy as np

from interscambio.linkage.compare import COMPARISONS, NULL, levels_sql
from interscambio.linkage.model import FLOOR, Model

RANDOM_PAIRS: Final = 500_000
MIN_LABELS: Final = 30
ITERATIONS: Final = 60
# Keeps a level never seen in one class from getting a probability of zero.
PSEUDO: Final = 1.0

Progress = Callable[[str], None]


def _random_pairs(
    con: duckdb.DuckDBPyConnection, left: str, right: str, n_left: int, n_right: int
) -> None:
    count = min(RANDOM_PAIRS, n_left * n_right)
    # hash() rather than random(): the same files always give the same sample.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE random_pairs AS SELECT "
        f"1 + (hash(i, 'l') % {n_left})::BIGINT AS lrn, "
        f"1 + (hash(i, 'r') % {n_right})::BIGINT AS rrn FROM range({count}) t(i)"
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE random_levels AS {levels_sql('random_pairs', left, right)}"
    )


def _level_shares(
    con: duckdb.DuckDBPyConnection, table: str, where: str = "true"
) -> tuple[dict[str, dict[int, float]], int]:
    shares: dict[str, dict[int, float]] = {}
    (total,) = con.execute(f"SELECT count(*) FROM {table} WHERE {where}").fetchone() or (0,)
    for c in COMPARISONS:
        rows = con.execute(
            f"SELECT {c.name}, count(*) FROM {table} WHERE {where} AND {c.name} <> {NULL} "
            f"GROUP BY {c.name}"
        ).fetchall()
        counts = {int(level): float(n) for level, n in rows}
        seen = sum(counts.values())
        shares[c.name] = {
            level: (counts.get(level, 0.0) + PSEUDO) / (seen + PSEUDO * len(c.levels))
            for level in c.levels
        }
    return shares, int(total)


def _neutral_m() -> dict[str, dict[int, float]]:
    """A starting guess for files without labels: the top level likely, the rest less so."""
    guess: dict[str, dict[int, float]] = {}
    for c in COMPARISONS:
        levels = sorted(c.levels, reverse=True)
        raw = {level: 0.5**rank for rank, level in enumerate(levels)}
        raw[levels[0]] = 8.0
        total = sum(raw.values())
        guess[c.name] = {level: value / total for level, value in raw.items()}
    return guess


def _em(
    patterns: np.ndarray,
    counts: np.ndarray,
    m: dict[str, dict[int, float]],
    u: dict[str, dict[int, float]],
    prior: float,
) -> tuple[dict[str, dict[int, float]], dict[str, dict[int, float]], float, int]:
    names = [c.name for c in COMPARISONS]
    iteration = 0
    while iteration < ITERATIONS:
        iteration += 1
        log_m = np.full(len(counts), np.log(prior))
        log_u = np.full(len(counts), np.log(1 - prior))
        for k, name in enumerate(names):
            column = patterns[:, k]
            known = column != NULL
            for level in COMPARISONS[k].levels:
                at = known & (column == level)
                log_m[at] += np.log(max(m[name][level], FLOOR))
                log_u[at] += np.log(max(u[name][level], FLOOR))
        posterior = 1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700)))
        matched, unmatched = counts * posterior, counts * (1.0 - posterior)
        new_m: dict[str, dict[int, float]] = {}
        new_u: dict[str, dict[int, float]] = {}
        for k, name in enumerate(names):
            column = patterns[:, k]
            levels = COMPARISONS[k].levels
            for target, weights in ((new_m, matched), (new_u, unmatched)):
                sums = {level: float(weights[column == level].sum()) for level in levels}
                total = sum(sums.values())
                target[name] = {
                    level: (sums[level] + 1e-3) / (total + 1e-3 * len(levels)) for level in levels
                }
        new_prior = float(matched.sum() / counts.sum())
        change = max(abs(new_m[n][level] - m[n][level]) for n in names for level in new_m[n]) + abs(
            new_prior - prior
        )
        m, u, prior = new_m, new_u, min(max(new_prior, FLOOR), 1 - FLOOR)
        if change < 1e-6:
            break
    return m, u, prior, iteration


def train(
    con: duckdb.DuckDBPyConnection,
    left: str,
    right: str,
    candidate_levels: str,
    sizes: tuple[int, int],
    progress: Progress,
) -> Model:
    progress("training: u over random pairs")
    _random_pairs(con, left, right, *sizes)
    u_random, _ = _level_shares(con, "random_levels")
    labelled = "codice_fiscale = 4"
    m, labels = _level_shares(con, candidate_levels, labelled)
    cf_m, cf_labels = _level_shares(
        con, candidate_levels, "cognome = 4 AND nome = 4 AND data_nascita = 5"
    )
    start: dict[str, Any]
    if labels >= MIN_LABELS and cf_labels >= MIN_LABELS:
        m["codice_fiscale"] = cf_m["codice_fiscale"]
        start = {"m": "pairs with the same codice fiscale", "labels": labels}
    else:
        m = _neutral_m()
        start = {"m": "neutral guess (too few codici fiscali in common)", "labels": labels}
    names = ", ".join(c.name for c in COMPARISONS)
    rows = con.execute(f"SELECT {names}, count(*) FROM {candidate_levels} GROUP BY ALL").fetchall()
    if not rows:
        return Model(prior=FLOOR, m=m, u=u_random, u_random_top=_tops(u_random), trained_on=start)
    table = np.array(rows, dtype=np.int64)
    patterns, counts = table[:, :-1], table[:, -1].astype(np.float64)
    candidates = float(counts.sum())
    prior = min(max(labels / candidates, 0.05), 0.95) if labels else 0.5
    progress(f"training: EM over {len(rows):,} patterns of {int(candidates):,} candidate pairs")
    m, u, prior, iterations = _em(patterns, counts, m, dict(u_random), prior)
    return Model(
        prior=prior,
        m=m,
        u=u,
        u_random_top=_tops(u_random),
        trained_on={
            **start,
            "records": {"left": sizes[0], "right": sizes[1]},
            "candidate_pairs": int(candidates),
            "patterns": len(rows),
            "em_iterations": iterations,
        },
    )


def _tops(u_random: dict[str, dict[int, float]]) -> dict[str, float]:
    return {c.name: u_random[c.name][c.top] for c in COMPARISONS if c.tf}
