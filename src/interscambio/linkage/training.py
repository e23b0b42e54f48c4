# SPDX-License-Identifier: EUPL-1.2
"""Training the model from the two files themselves.

1. u over random pairs: almost all of them are two different people, so how often each level
   occurs among them is its u, and the top level's u is the base of the term frequencies.
2. m from free labels: pairs whose codici fiscali are the same code are the same person
   (practically always), so the levels of the other comparisons among them give their m; the
   codice fiscale's own m comes from the pairs that agree on names and birth date exactly.
   Files without codici fiscali start from a neutral guess instead.
3. Expectation-maximisation over the candidate pairs, grouped by their stage and pattern of
   levels (a few thousand patterns for millions of pairs, so each iteration is a matter of
   milliseconds), refines m, u and the share of matches of each stage, all at once, from
   those starting points. The candidates' non-matches are relatives and namesakes, not random
   strangers, and their u says how alike such near misses are: that is what the score must
   tell apart. They are alike in what the rule that found them joined on, so u is learnt
   stage by stage for the comparisons its rule conditions (blocking.Rule), the others keeping
   the u of random pairs; m is shared by all the stages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import duckdb
import numpy as np

from interscambio.linkage.blocking import STAGE_RULES, STAGES
from interscambio.linkage.compare import COMPARISONS, NULL, levels_sql
from interscambio.linkage.model import FLOOR, Levels, Model

RANDOM_PAIRS: Final = 500_000
# Small files need fewer: at twenty random pairs a record, a level that one random pair in a
# thousand shows (the same surname) is still seen dozens of times, and training stays a small
# part of a small job.
RANDOM_PAIRS_PER_RECORD: Final = 20
MIN_LABELS: Final = 30
ITERATIONS: Final = 60
# Keeps a level never seen in one class from getting a probability of zero.
PSEUDO: Final = 1.0
# How many random pairs' worth of u a stage's learnt u is drawn towards (see _em): U_PSEUDO,
# plus U_SHARE of the matches the stage holds. The more matches a stage holds, the more
# non-matches its u needs before it departs from the u of random pairs: otherwise a stage of
# nearly only matches (files without codes, heavy typos) explains some of them as different
# people alike in what the rule joined on. A city's stages of namesakes, with many more
# non-matches than matches, learn their own u.
U_PSEUDO: Final = 1.0
U_SHARE: Final = 0.3
# Levels as array indices: level + 1, so that index 0 is a missing field (NULL).
WIDTH: Final = max(c.top for c in COMPARISONS) + 2

Progress = Callable[[str], None]


def _random_pairs(
    con: duckdb.DuckDBPyConnection, left: str, right: str, n_left: int, n_right: int
) -> None:
    count = min(RANDOM_PAIRS, RANDOM_PAIRS_PER_RECORD * (n_left + n_right), n_left * n_right)
    # hash() rather than random(): the same files always give the same sample.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE random_pairs AS SELECT "
        f"1 + (hash(i, 'l') % {n_left})::BIGINT AS lrn, "
        f"1 + (hash(i, 'r') % {n_right})::BIGINT AS rrn, NULL::INTEGER AS stage "
        f"FROM range({count}) t(i)"
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


def _tables(levels: Levels, stages: int | None = None) -> np.ndarray:
    """Levels as an array [comparison, level + 1] (or [stage, comparison, level + 1] repeated
    for each stage); index 0, a missing field, and levels a comparison lacks hold 1."""
    table = np.ones((len(COMPARISONS), WIDTH))
    for k, c in enumerate(COMPARISONS):
        for level in c.levels:
            table[k, level + 1] = max(levels[c.name][level], FLOOR)
    return table if stages is None else np.repeat(table[None], stages, axis=0)


def _levels(table: np.ndarray) -> Levels:
    return {
        c.name: {level: float(table[k, level + 1]) for level in c.levels}
        for k, c in enumerate(COMPARISONS)
    }


def _em(
    patterns: np.ndarray,
    stages: np.ndarray,
    counts: np.ndarray,
    m: Levels,
    u_random: Levels,
    prior: float,
) -> tuple[Levels, dict[int, Levels], dict[int, float], int]:
    """m shared by all stages; the prior of each stage its own, and its u of the comparisons
    its rule conditions (the others keep the u of random pairs: left free, a stage of nearly
    only matches would be explained as different people alike in everything). That u is
    pulled towards u over random pairs by U_PSEUDO pairs' worth plus U_SHARE of the stage's
    matches, so that what the few different people of a stage of matches happen to show does
    not decide its pairs."""
    n_stages = len(STAGES)
    index = patterns + 1
    known = [np.array([level + 1 for level in c.levels]) for c in COMPARISONS]
    m_table, u_table = _tables(m), _tables(u_random, n_stages)
    u_prior = _tables(u_random)
    conditioned = [[c.name in rule.conditions for c in COMPARISONS] for rule in STAGE_RULES]
    free = np.array(conditioned)[:, :, None]
    priors = np.full(n_stages, prior)
    seen = np.bincount(stages, weights=counts, minlength=n_stages)
    iteration = 0
    while iteration < ITERATIONS:
        iteration += 1
        log_m = np.log(priors[stages])
        log_u = np.log(1 - priors[stages])
        for k in range(len(COMPARISONS)):
            log_m += np.log(m_table[k, index[:, k]])
            log_u += np.log(u_table[stages, k, index[:, k]])
        posterior = 1.0 / (1.0 + np.exp(np.clip(log_u - log_m, -700, 700)))
        matched, unmatched = counts * posterior, counts * (1.0 - posterior)
        matched_by_stage = np.bincount(stages, weights=matched, minlength=n_stages)
        pseudo = (U_PSEUDO + U_SHARE * matched_by_stage)[:, None]
        new_m, new_u = np.ones_like(m_table), np.ones_like(u_table)
        for k, levels in enumerate(known):
            sums = np.bincount(index[:, k], weights=matched, minlength=WIDTH)[levels]
            new_m[k, levels] = (sums + 1e-3) / (sums.sum() + 1e-3 * len(levels))
            by_stage = np.bincount(
                stages * WIDTH + index[:, k], weights=unmatched, minlength=n_stages * WIDTH
            ).reshape(n_stages, WIDTH)[:, levels]
            new_u[:, k, levels] = (by_stage + pseudo * u_prior[k, levels]) / (
                by_stage.sum(axis=1, keepdims=True) + pseudo * u_prior[k, levels].sum()
            )
        # One match and one non-match more (Laplace): a small stage whose pairs all look like
        # matches does not make every pair it holds certain, whatever the pair shows.
        new_priors = (matched_by_stage + 1) / (seen + 2)
        new_priors = np.clip(new_priors, FLOOR, 1 - FLOOR)
        change = float(np.abs(new_m - m_table).max() + np.abs(new_priors - priors).max())
        new_u = np.where(free, new_u, u_prior[None])
        m_table, u_table, priors = np.maximum(new_m, FLOOR), np.maximum(new_u, FLOOR), new_priors
        if change < 1e-6:
            break
    return (
        _levels(m_table),
        {s: _levels(u_table[s]) for s in STAGES},
        {s: float(priors[s]) for s in STAGES},
        iteration,
    )


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
    rows = con.execute(
        f"SELECT stage, {names}, count(*) FROM {candidate_levels} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    if not rows:
        return Model(
            priors=dict.fromkeys(STAGES, FLOOR),
            m=m,
            u=dict.fromkeys(STAGES, u_random),
            u_random_top=_tops(u_random),
            trained_on=start,
        )
    table = np.array(rows, dtype=np.int64)
    stages, patterns, counts = table[:, 0], table[:, 1:-1], table[:, -1].astype(np.float64)
    candidates = float(counts.sum())
    prior = min(max(labels / candidates, 0.05), 0.95) if labels else 0.5
    progress(f"training: EM over {len(rows):,} patterns of {int(candidates):,} candidate pairs")
    m, u, priors, iterations = _em(patterns, stages, counts, m, u_random, prior)
    by_stage = np.bincount(stages, weights=counts, minlength=len(STAGES))
    return Model(
        priors=priors,
        m=m,
        u=u,
        u_random_top=_tops(u_random),
        trained_on={
            **start,
            "records": {"left": sizes[0], "right": sizes[1]},
            "candidate_pairs": int(candidates),
            "candidate_pairs_by_stage": {str(s): int(by_stage[s]) for s in STAGES},
            "patterns": len(rows),
            "em_iterations": iterations,
        },
    )


def _tops(u_random: dict[str, dict[int, float]]) -> dict[str, float]:
    return {c.name: u_random[c.name][c.top] for c in COMPARISONS if c.tf}
