# SPDX-License-Identifier: EUPL-1.2
"""Linking two files of person records: read, prepare, block, train, score, resolve.

Everything runs in one in-memory DuckDB database, columnar and set-based; Python only
computes the name and address keys of the distinct values and fits the model on the pattern
counts. `link()` is the whole job; `interscambio link` is its command line.
"""

from __future__ import annotations

import csv
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import duckdb

from interscambio.linkage.blocking import candidates
from interscambio.linkage.compare import COMPARISONS, levels_sql
from interscambio.linkage.inputs import load
from interscambio.linkage.model import Model
from interscambio.linkage.prepare import prepare, register_functions, shared_values
from interscambio.linkage.training import train

RESOLUTIONS: Final = ("right", "both", "none")
THRESHOLD: Final = 0.5


@dataclass(frozen=True)
class Options:
    threshold: float = THRESHOLD
    # right: each right record to at most one left record (a permit has one holder, who may
    # hold several permits); both: one to one; none: every pair above the threshold.
    resolve: str = "right"
    model: Path | None = None
    save_model: Path | None = None
    threads: int | None = None
    progress: Callable[[str], None] | None = None


@dataclass
class Result:
    """The linkage in its DuckDB database: `pairs` holds the predicted pairs."""

    con: duckdb.DuckDBPyConnection
    model: Model
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def pairs(self) -> Iterator[tuple[str, str, float]]:
        cursor = self.con.execute(
            "SELECT id_left, id_right, score FROM pairs ORDER BY id_left, id_right"
        )
        while batch := cursor.fetchmany(10_000):
            yield from batch

    def write_pairs(self, path: Path) -> int:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(("id_left", "id_right", "score"))
            count = 0
            for left, right, score in self.pairs():
                writer.writerow((left, right, f"{score:.6f}"))
                count += 1
        return count

    def explanations(self) -> Iterator[dict[str, object]]:
        """Each predicted pair with, for each comparison, the level found and its weight."""
        names = [c.name for c in COMPARISONS]
        select = ", ".join(f"e.{n}" for n in names)
        cursor = self.con.execute(
            f"SELECT p.id_left, p.id_right, p.score, p.weight, e.stage, {select} FROM pairs p "
            "JOIN scored e ON e.lrn = p.lrn AND e.rrn = p.rrn ORDER BY p.id_left, p.id_right"
        )
        while batch := cursor.fetchmany(10_000):
            for row in batch:
                item: dict[str, object] = {
                    "id_left": row[0], "id_right": row[1], "score": row[2], "weight": row[3]
                }  # fmt: skip
                stage = row[4]
                for comparison, level in zip(COMPARISONS, row[5:], strict=True):
                    item[comparison.name] = comparison.levels.get(level, "missing")
                    item[f"{comparison.name}_weight"] = self.model.weight(
                        comparison.name, level, stage
                    )
                yield item

    def write_explanations(self, path: Path) -> None:
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer: csv.DictWriter[str] | None = None
            for item in self.explanations():
                if writer is None:
                    writer = csv.DictWriter(stream, fieldnames=list(item), lineterminator="\n")
                    writer.writeheader()
                writer.writerow(item)


def _quiet(_: str) -> None:
    return None


def link(left: Path, right: Path, options: Options | None = None) -> Result:
    options = options or Options()
    if options.resolve not in RESOLUTIONS:
        raise ValueError(f"resolve must be one of {', '.join(RESOLUTIONS)}")
    say = options.progress or _quiet
    con = duckdb.connect(config={"threads": options.threads} if options.threads else {})
    register_functions(con)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[name] = round(now - clock, 3)
        clock = now

    n_left = load(con, left, "left_raw")
    n_right = load(con, right, "right_raw")
    say(f"read {n_left:,} left and {n_right:,} right records")
    lap("read")
    shared_values(con, ("left_raw", "right_raw"), options.threads or os.cpu_count() or 1)
    prepare(con, "left_raw", "lt")
    prepare(con, "right_raw", "rt")
    _term_frequencies(con)
    lap("prepare")
    settled = candidates(con, "lt", "rt")
    (n_candidates,) = con.execute("SELECT count(*) FROM candidates").fetchone() or (0,)
    say(f"{n_candidates:,} candidate pairs ({settled:,} right records settled by the exact pass)")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE candidate_levels AS {levels_sql('candidates', 'lt', 'rt')}"
    )
    lap("block and compare")
    if options.model is not None:
        model = Model.load(options.model)
    else:
        model = train(con, "lt", "rt", "candidate_levels", (n_left, n_right), say)
    if options.save_model is not None:
        model.save(options.save_model)
    lap("train")
    _score(con, model, options)
    (n_pairs,) = con.execute("SELECT count(*) FROM pairs").fetchone() or (0,)
    say(f"{n_pairs:,} pairs at score {options.threshold} or more")
    lap("score and resolve")
    counts = {
        "left": n_left,
        "right": n_right,
        "candidates": int(n_candidates),
        "settled_exactly": settled,
        "pairs": int(n_pairs),
    }
    return Result(con, model, counts, seconds)


def _term_frequencies(con: duckdb.DuckDBPyConnection) -> None:
    for side in ("lt", "rt"):
        for column in ("sur", "giv"):
            con.execute(
                f"""
                CREATE OR REPLACE TEMP TABLE tf_{column} AS
                SELECT {column} AS v, count(*) / sum(count(*)) OVER () AS tf
                FROM (SELECT {column} FROM lt UNION ALL SELECT {column} FROM rt)
                WHERE {column} IS NOT NULL GROUP BY {column}
                """
            )
        con.execute(
            f"""
            CREATE OR REPLACE TABLE {side} AS
            SELECT t.*, s.tf AS sur_tf, g.tf AS giv_tf FROM {side} t
            LEFT JOIN tf_sur s ON s.v = t.sur LEFT JOIN tf_giv g ON g.v = t.giv
            """
        )


def _score(con: duckdb.DuckDBPyConnection, model: Model, options: Options) -> None:
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE scored AS
        SELECT *, 1 / (1 + pow(2, -weight)) AS score
        FROM (SELECT *, {model.weight_sql()} AS weight FROM candidate_levels)
        """
    )
    above = f"""
        SELECT s.lrn, s.rrn, l.id AS id_left, r.id AS id_right, s.score, s.weight
        FROM scored s JOIN lt l ON l.rn = s.lrn JOIN rt r ON r.rn = s.rrn
        WHERE s.score >= {float(options.threshold)!r}
    """
    best_right = "row_number() OVER (PARTITION BY rrn ORDER BY weight DESC, id_left)"
    best_left = "row_number() OVER (PARTITION BY lrn ORDER BY weight DESC, id_right)"
    if options.resolve == "none":
        query = above
    elif options.resolve == "right":
        query = f"SELECT * FROM ({above}) QUALIFY {best_right} = 1"
    else:
        query = f"SELECT * FROM ({above}) QUALIFY {best_right} = 1 AND {best_left} = 1"
    con.execute(f"CREATE OR REPLACE TEMP TABLE pairs AS {query}")


def stderr_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
