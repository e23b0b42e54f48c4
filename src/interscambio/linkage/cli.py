# SPDX-License-Identifier: EUPL-1.2
"""`interscambio link LEFT.csv RIGHT.csv --out PAIRS.csv`: link any two files of person records.

The interface is fixed (other tools and evaluations call it): the columns of both files are in
inputs.COLUMNS, PAIRS.csv has the header id_left,id_right,score with one row per predicted
same-person pair. The options only add to it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from interscambio.linkage.inputs import LinkInputError
from interscambio.linkage.link import RESOLUTIONS, THRESHOLD, Options, link, stderr_progress


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="interscambio link",
        description=(
            "Link two files of person records (UTF-8 CSV with the columns id, codice_fiscale, "
            "cognome, nome, sesso, data_nascita, luogo_nascita, cittadinanza, indirizzo) and "
            "write the pairs that are the same person, with a score from 0 to 1."
        ),
    )
    p.add_argument("left", type=Path, help="LEFT.csv (e.g. the registry)")
    p.add_argument("right", type=Path, help="RIGHT.csv (e.g. the permits)")
    p.add_argument("--out", type=Path, required=True, help="PAIRS.csv to write")
    p.add_argument(
        "--threshold",
        type=float,
        default=THRESHOLD,
        help=f"lowest score of a pair written (default {THRESHOLD})",
    )
    p.add_argument(
        "--resolve",
        choices=RESOLUTIONS,
        default="right",
        help="right (default): each RIGHT record to at most one LEFT record; both: pairs that "
        "are each other's best; none: every pair above the threshold",
    )
    p.add_argument("--model", type=Path, help="use this trained model instead of training one")
    p.add_argument("--save-model", type=Path, help="save the trained model (JSON) here")
    p.add_argument("--explain", type=Path, help="also write each pair's explanation (CSV) here")
    p.add_argument("--threads", type=int, help="threads DuckDB may use (default: all CPUs)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if not 0.0 <= args.threshold <= 1.0:
        print("interscambio link: --threshold must be between 0 and 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    options = Options(
        threshold=args.threshold,
        resolve=args.resolve,
        model=args.model,
        save_model=args.save_model,
        threads=args.threads,
        progress=None if args.quiet else stderr_progress,
    )
    try:
        result = link(args.left, args.right, options)
        written = result.write_pairs(args.out)
        if args.explain:
            result.write_explanations(args.explain)
    except (LinkInputError, ValueError, OSError) as error:
        print(f"interscambio link: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(
            f"{written:,} pairs written to {args.out} in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    return 0
