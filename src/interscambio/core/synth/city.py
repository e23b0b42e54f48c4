# SPDX-License-Identifier: EUPL-1.2
"""Building a whole synthetic city: shards in parallel, then the merge and the summary."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, Final

from interscambio.core.codes import EVENT_KINDS
from interscambio.core.synth import merge
from interscambio.core.synth.catalog import catalog
from interscambio.core.synth.config import CityConfig
from interscambio.core.synth.context import Tally
from interscambio.core.synth.shard import PART_FILES, generate_shard, window

# (finished shards, all shards); called in the parent process only.
Progress = Callable[[int, int], None]
DISCREPANCY_KINDS: Final = (
    "domicilio_diverso",
    "rinnovo_non_dichiarato",
    "titolare_non_iscritto",
    "permesso_scaduto",
)


# The counts a Comune node reports under the same names (`interscambio node --json`).
REGISTRY_COUNTS: Final = (
    "registry_persons",
    "registry_residents",
    "registry_cancelled",
    "registry_eu_residents",
    "registry_naturalized",
    "registry_with_stay_title",
    "registry_events",
    "families",
)


def _no_progress(done: int, total: int) -> None:
    return None


def _run_shard(job: tuple[CityConfig, int, Path]) -> Tally:
    config, shard, folder = job
    return generate_shard(config, shard, folder)


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def build(
    config: CityConfig,
    out: Path,
    workers: int | None = None,
    progress: Progress = _no_progress,
) -> dict[str, Any]:
    """Write the city into `out` (comune/, questura/, truth/) and return its summary."""
    config.validate()
    workers = max(1, min(workers or default_workers(), config.shards))
    parts_root = out / ".parts"
    shutil.rmtree(parts_root, ignore_errors=True)
    for folder in ("comune", "questura", "truth"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    jobs = [(config, shard, parts_root / f"{shard:05d}") for shard in range(config.shards)]
    tally = Tally()
    progress(0, len(jobs))
    if workers == 1:
        for done, job in enumerate(jobs, 1):
            tally.add(_run_shard(job))
            progress(done, len(jobs))
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done, result in enumerate(pool.map(_run_shard, jobs), 1):
                tally.add(result)
                progress(done, len(jobs))
    parts = {name: [job[2] / f"{name}.part" for job in jobs] for name in PART_FILES}
    streets = merge.write_streets(catalog(), out / "comune" / "stradario.csv")
    changed = merge.merge_residents(parts["anagrafe"], out / "comune" / "anagrafe.csv")
    merge.merge_events(parts["eventi"], out / "comune" / "eventi.csv")
    merge.merge_permits(
        parts["permessi"], out / "questura" / "permessi.csv", out / "truth" / "links.csv", changed
    )
    merge.merge_discrepancies(parts["discrepanze"], out / "truth" / "discrepancies.csv")
    shutil.rmtree(parts_root)
    summary = _summary(config, tally, streets, len(changed))
    (out / "truth" / "summary.json").write_text(
        json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return summary


def _summary(config: CityConfig, tally: Tally, streets: int, omocodes: int) -> dict[str, Any]:
    counts = tally.counts
    start = window(config)[0]

    return {
        "parameters": {
            "residents": config.residents,
            "seed": config.seed,
            "months": config.months,
            "reference_date": config.reference_date.isoformat(),
            "window_start": date.fromordinal(start).isoformat(),
            "noise": asdict(config.noise),
        },
        "counts": {
            "streets": streets,
            **{key: counts[key] for key in REGISTRY_COUNTS},
            "events_by_kind": {kind: counts[f"events_{kind}"] for kind in EVENT_KINDS},
            "permits": counts["permits"],
            "permit_holders": counts["permit_holders"],
            "holders_not_in_registry": counts["holders_not_in_registry"],
            "holders_other_comuni": counts["holders_other_comuni"],
            "links": counts["links"],
            "omocodes": omocodes,
            "discrepancies_by_kind": {
                kind: counts[f"discrepancy_{kind}"] for kind in DISCREPANCY_KINDS
            },
        },
        "noise": {
            kind: {
                "rate": getattr(config.noise, kind),
                "count": tally.noise_count[kind],
                "of": tally.noise_of[kind],
            }
            for kind in sorted(asdict(config.noise))
        },
    }
