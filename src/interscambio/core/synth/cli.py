# SPDX-License-Identifier: EUPL-1.2
"""`interscambio synth`: write a synthetic city's extracts and ground truth to a folder."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import fields
from datetime import date
from pathlib import Path

from interscambio.core.synth.city import build, default_workers
from interscambio.core.synth.config import MAX_MONTHS, MAX_RESIDENTS, CityConfig, ConfigError, Noise
from interscambio.core.synth.linkfiles import write_linkage_files


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="interscambio synth",
        description=(
            "Write a synthetic city: the Comune's street gazetteer, registry and registry events "
            "(comune/), the Questura's permits (questura/) and the ground truth linking them "
            "(truth/). The same parameters always give the same files."
        ),
    )
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument(
        "--residents",
        type=int,
        default=20_000,
        help=f"foreign residents at the reference date, 1,000..{MAX_RESIDENTS:,} (default 20,000)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--months", type=int, default=24, help=f"months of history, 1..{MAX_MONTHS} (default 24)"
    )
    parser.add_argument(
        "--reference-date",
        type=date.fromisoformat,
        default=CityConfig.reference_date,
        help="the day the extracts are taken, YYYY-MM-DD (default %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"processes to use (default: the CPUs, here {default_workers()}); "
        "the output does not depend on it",
    )
    noise = parser.add_argument_group("imperfections", "rates between 0 and 1")
    defaults = Noise()
    for item in fields(Noise):
        noise.add_argument(
            f"--{item.name.replace('_', '-')}-rate",
            dest=item.name,
            type=float,
            default=getattr(defaults, item.name),
            metavar="RATE",
            help=f"default {getattr(defaults, item.name)}",
        )
    parser.add_argument(
        "--linkage-files",
        action="store_true",
        help="also write linkage/left.csv, right.csv and truth.csv, "
        "the input of `interscambio link` and its truth",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    noise = Noise(**{item.name: getattr(args, item.name) for item in fields(Noise)})
    config = CityConfig(args.residents, args.seed, args.months, args.reference_date, noise)
    try:
        config.validate()
    except ConfigError as error:
        print(f"interscambio synth: {error}", file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print("interscambio synth: --workers must be at least 1", file=sys.stderr)
        return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"interscambio synth: {args.out} exists and is not a folder", file=sys.stderr)
        return 2
    started = time.perf_counter()
    if args.quiet:
        summary = build(config, args.out, args.workers)
    else:
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task(f"Generating {config.residents:,} residents", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = build(config, args.out, args.workers, progress)
    if args.linkage_files:
        write_linkage_files(args.out)
    if not args.quiet:
        counts = summary["counts"]
        print(
            f"Wrote a synthetic city to {args.out} in {time.perf_counter() - started:.1f} s: "
            f"{counts['registry_persons']:,} registry persons "
            f"({counts['registry_residents']:,} residents), "
            f"{counts['registry_events']:,} events, {counts['permits']:,} permits "
            f"of {counts['permit_holders']:,} holders."
        )
    return 0
