# SPDX-License-Identifier: EUPL-1.2
"""How fast the synthetic city is built, and how much memory it takes.

Each city is built by `interscambio synth` in its own process; the script samples the resident
memory of that process and its workers together and prints the peak. The 120-month run shows
that memory does not grow with the length of the history. Then the fast codice fiscale encoder
is timed against python-codicefiscale on the same people.

    python benchmarks/synth.py                 # 130,000 and 1,000,000 residents
    python benchmarks/synth.py --sizes 130000  # just one size
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    total, pending = 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as handle:
                total += int(handle.read().split()[1]) * page
            with open(f"/proc/{current}/task/{current}/children") as handle:
                pending += [int(child) for child in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def build(residents: int, months: int, workers: int | None) -> tuple[float, int, int]:
    """(seconds, peak bytes of the whole process tree, output bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "interscambio", "synth", "--out", folder, "--quiet",
                   "--residents", str(residents), "--months", str(months)]  # fmt: skip
        if workers:
            command += ["--workers", str(workers)]
        started = time.perf_counter()
        process = subprocess.Popen(command)
        peak = 0

        def sample() -> None:
            nonlocal peak
            while process.poll() is None:
                peak = max(peak, tree_rss(process.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample)
        sampler.start()
        process.wait()
        elapsed = time.perf_counter() - started
        sampler.join()
        if process.returncode != 0:
            raise SystemExit(f"synth failed with exit code {process.returncode}")
        size = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    return elapsed, peak, size


def codice_fiscale_comparison(count: int) -> None:
    from codicefiscale import codicefiscale as reference

    from interscambio.core.identity.codice_fiscale import encode

    rng = random.Random(1)
    people = [
        (rng.choice(["EL AMRANI", "ZHANG", "QUISPE MAMANI", "POPESCU"]),
         rng.choice(["YOUSSEF", "WEI", "JUAN CARLOS", "ANA MARIA"]),
         rng.choice("MF"), date(1950, 1, 1) + timedelta(days=rng.randrange(25_000)),
         rng.choice(["Z330", "Z210", "Z611", "Z129", "L219"]))
        for _ in range(count)
    ]  # fmt: skip
    timings, results = {}, []

    def reference_encode(surname: str, given: str, sex: str, born: date, place: str) -> str:
        return str(reference.encode(surname, given, sex, born.isoformat(), place))

    for name, function in (("python-codicefiscale", reference_encode), ("fast encode", encode)):
        started = time.perf_counter()
        results.append([function(*person) for person in people])
        timings[name] = (time.perf_counter() - started) / count
    print(f"\ncodice fiscale, {count:,} codes, same people:")
    for name, seconds in timings.items():
        print(
            f"  {name:22} {seconds * 1e6:9.1f} µs per code, "
            f"{seconds * 130_000:7.1f} s for 130,000, {seconds * 5_000_000 / 60:7.1f} min for 5M"
        )
    print(f"  same codes: {'yes' if results[0] == results[1] else 'NO'}")
    print(f"  speed-up: {timings['python-codicefiscale'] / timings['fast encode']:.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[130_000, 1_000_000])
    parser.add_argument("--workers", type=int, default=None, help="default: all CPUs")
    parser.add_argument("--long-history", type=int, default=120, help="months of the long run")
    parser.add_argument("--codes", type=int, default=5_000)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}, workers: {args.workers or 'all'}")
    print(f"{'residents':>10} {'months':>6} {'seconds':>8} {'peak MB':>8} {'output MB':>9}")
    runs = [(size, 24) for size in args.sizes] + [(args.sizes[0], args.long_history)]
    for residents, months in runs:
        seconds, peak, size = build(residents, months, args.workers)
        megabytes = f"{peak / 2**20:>8.0f} {size / 2**20:>9.0f}"
        print(f"{residents:>10,} {months:>6} {seconds:>8.1f} {megabytes}")
    codice_fiscale_comparison(args.codes)


if __name__ == "__main__":
    main()
