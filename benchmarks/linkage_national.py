# SPDX-License-Identifier: EUPL-1.2
"""National scale linkage: 5,000,000 registry persons against 4,000,000 permits, on one machine.

The files are the first 5,000,000 rows of the registry side and the first 4,000,000 of the
permit side of a synthetic city of 5,000,000 residents (`interscambio synth --residents
5000000 --linkage-files`, about 5.7 million registry persons and 6.3 million permits), the
truth cut to the pairs whose two rows are kept; writing them is not measured.

Measured: `interscambio link LEFT RIGHT --out PAIRS` as its own process, from start to exit,
with its peak resident memory (wait4), then precision, recall and F1 against the truth.
Targets (issue 4): under 10 minutes and 16 GB on a 2-core machine. How to run the same on a
Spark cluster is in docs/linkage.md ("National scale").

    python benchmarks/linkage_national.py                    # writes the city in a temp folder
    python benchmarks/linkage_national.py --keep /data/nat   # keeps (and reuses) the files there
    python benchmarks/linkage_national.py --left 500000 --right 400000   # a tenth, quickly
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from linkage import head, read_pairs, write_city, write_pairs

TARGET_SECONDS, TARGET_BYTES = 600.0, 16 * 2**30


def measure(command: list[str]) -> tuple[float, int, int]:
    """(seconds, peak resident bytes, exit code) of one process."""
    started = time.perf_counter()
    pid = os.posix_spawn(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=5_000_000, help="of the synthetic city")
    parser.add_argument("--left", type=int, default=5_000_000, help="registry rows kept")
    parser.add_argument("--right", type=int, default=4_000_000, help="permit rows kept")
    parser.add_argument("--keep", type=Path, help="folder to write the files in and keep")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench-national-"))
    try:
        files = write_city(args.residents, root / "city")
        left, right, truth = (root / f"{side}.csv" for side in ("left", "right", "truth"))
        left_ids = head(files / "left.csv", left, args.left)
        right_ids = head(files / "right.csv", right, args.right)
        kept = sorted(
            (a, b) for a, b in read_pairs(files / "truth.csv") if a in left_ids and b in right_ids
        )
        write_pairs(truth, kept)
        del left_ids, right_ids
        pairs = root / "pairs.csv"
        command = [sys.executable, "-m", "interscambio", "link", str(left), str(right),
                   "--out", str(pairs)]  # fmt: skip
        print(f"linking {args.left:,} registry rows against {args.right:,} permit rows "
              f"on {os.cpu_count()} CPUs", flush=True)  # fmt: skip
        seconds, peak, code = measure(command)
        if code != 0:
            print(f"interscambio link failed (exit {code})", file=sys.stderr)
            return 1
        predicted = {(a, b) for a, b in read_pairs(pairs)}
        wanted = set(kept)
        hits = len(predicted & wanted)
        precision, recall = hits / max(len(predicted), 1), hits / max(len(wanted), 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-12)
        print(
            f"{'seconds':>8} {'peak GB':>8} {'pairs':>10} {'precision':>9} {'recall':>7} {'F1':>7}"
        )
        print(f"{seconds:>8.0f} {peak / 2**30:>8.1f} {len(predicted):>10,} {precision:>9.4f} "
              f"{recall:>7.4f} {f1:>7.4f}")  # fmt: skip
        for name, met in (
            (f"under {TARGET_SECONDS / 60:.0f} minutes", seconds < TARGET_SECONDS),
            (f"under {TARGET_BYTES / 2**30:.0f} GB", peak < TARGET_BYTES),
        ):
            print(f"target {name}: {'met' if met else 'NOT met'}")
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
