# SPDX-License-Identifier: EUPL-1.2
"""How fast domicile texts are resolved against the gazetteer, and how many resolve.

A synthetic city is built with `interscambio synth` (not measured); its permits' domicile
texts in Torino are the input. Three figures:

- parse: `parse_address` on every distinct text, no gazetteer;
- resolve, distinct texts: each text once, on a fresh gazetteer (nothing cached);
- resolve, N texts: N texts drawn from the city's, repeats included as in a real flow
  (the cache at work).

Then the resolution rate of the distinct texts, and how many of the permit/registry pairs the
truth links compare as the same building.

    python benchmarks/addresses.py                              # 20,000 residents, 1,000,000 texts
    python benchmarks/addresses.py --residents 2000 --texts 50000   # a quick run
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from interscambio.core.addresses import Gazetteer, compare, parse_address


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def timed(label: str, work: list[str], action: Callable[[str], object]) -> None:
    count = len(work)
    started = time.perf_counter()
    for text in work:
        action(text)
    seconds = time.perf_counter() - started
    print(f"{label:<28} {count:>11,} {seconds:>8.2f} s {count / seconds:>12,.0f} /s", flush=True)


def same_building_share(root: Path, gazetteer: Gazetteer) -> tuple[int, int]:
    residents = {r["id_anagrafe"]: r for r in rows(root / "comune" / "anagrafe.csv")}
    permits = {p["numero_permesso"]: p for p in rows(root / "questura" / "permessi.csv")}
    differing = {
        d["id_anagrafe"]
        for d in rows(root / "truth" / "discrepancies.csv")
        if d["kind"] == "domicilio_diverso"
    }
    outcomes: Counter[str] = Counter()
    for link in rows(root / "truth" / "links.csv"):
        permit, person = permits[link["numero_permesso"]], residents[link["id_anagrafe"]]
        # The generator checks the domicile of current, non-naturalized residents only.
        checked = person["stato"] == "residente" and "ITA" not in person["cittadinanze"]
        if permit["domicilio_comune"] != "TORINO" or not checked:
            continue
        if person["id_anagrafe"] in differing:
            continue
        civic = int(person["civico"]) if person["civico"] else None
        registry = gazetteer.at(person["codice_via"], civic, person["esponente"])
        outcomes[compare(gazetteer.resolve(permit["domicilio_indirizzo"]), registry)] += 1
    return outcomes["same_building"], sum(outcomes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=20_000)
    parser.add_argument("--texts", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        command = [sys.executable, "-m", "interscambio", "synth", "--out", folder, "--quiet",
                   "--residents", str(args.residents)]  # fmt: skip
        subprocess.run(command, check=True)
        stradario = root / "comune" / "stradario.csv"
        permits = rows(root / "questura" / "permessi.csv")
        texts = [p["domicilio_indirizzo"] for p in permits if p["domicilio_comune"] == "TORINO"]
        distinct = sorted(set(texts))
        print(f"{args.residents:,} residents, {len(texts):,} domicile texts in Torino, "
              f"{len(distinct):,} distinct")  # fmt: skip
        print(f"{'':<28} {'texts':>11} {'time':>10} {'rate':>15}")
        timed("parse", distinct, parse_address)
        fresh = Gazetteer.from_csv(stradario)
        timed("resolve, distinct texts", distinct, fresh.resolve)
        work = random.Random(1).choices(texts, k=args.texts)
        timed(f"resolve, {args.texts:,} texts", work, Gazetteer.from_csv(stradario).resolve)
        resolved = sum(fresh.resolve(text).resolved for text in distinct)
        print(f"resolved: {resolved:,} of {len(distinct):,} distinct texts "
              f"({resolved / len(distinct):.2%})")  # fmt: skip
        same, pairs = same_building_share(root, fresh)
        print(f"same building: {same:,} of {pairs:,} linked pairs without a domicile "
              f"discrepancy ({same / max(pairs, 1):.2%})")  # fmt: skip


if __name__ == "__main__":
    main()
