# SPDX-License-Identifier: EUPL-1.2
"""`interscambio link` on a Spark cluster: the right file in shards, one Spark task a shard.

    spark-submit --master spark://HOST:7077 deploy/spark/link_on_spark.py \
        /shared/left.csv /shared/right.csv --out /shared/pairs.csv --shards 16 \
        [--model /shared/model.json] [--work /shared/work] [--threads 4]

Every path is on storage the driver and all executors see (NFS, a mounted bucket), and every
executor has interscambio installed (the same version as the driver). Without --model, the
driver trains one first on the left file and shard 0, and every shard uses it. Each task runs
`python -m interscambio link LEFT SHARD --model MODEL --out PART` with --threads threads; the
driver merges the parts. See docs/linkage.md, "National scale".
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pyspark.sql import SparkSession

from interscambio.linkage.shards import merge, split


def link(left: Path, right: Path, out: Path, *options: str) -> None:
    command = [sys.executable, "-m", "interscambio", "link", str(left), str(right),
               "--out", str(out), "--quiet", *options]  # fmt: skip
    subprocess.run(command, check=True)  # noqa: S603 - our own interpreter and arguments


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("left", type=Path)
    parser.add_argument("right", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--shards", type=int, required=True)
    parser.add_argument("--model", type=Path, help="a model saved by interscambio link")
    parser.add_argument("--work", type=Path, help="shared folder for shards and parts")
    parser.add_argument("--threads", type=int, default=2, help="DuckDB threads per task")
    args = parser.parse_args()
    work = args.work or args.out.parent / f"{args.out.stem}-work"
    shards = split(args.right, work / "right", args.shards)
    model = args.model or work / "model.json"
    if args.model is None:
        link(args.left, shards[0], work / "train-pairs.csv", "--save-model", str(model))
    spark = SparkSession.builder.appName("interscambio link").getOrCreate()
    left, threads = args.left, str(args.threads)

    def task(k: int) -> str:
        part = work / f"pairs-{k}.csv"
        link(left, shards[k], part, "--model", str(model), "--threads", threads)
        return str(part)

    parts = spark.sparkContext.parallelize(range(args.shards), args.shards).map(task).collect()
    spark.stop()
    print(f"{merge(map(Path, parts), args.out):,} pairs written to {args.out}")


if __name__ == "__main__":
    main()
