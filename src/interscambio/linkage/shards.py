# SPDX-License-Identifier: EUPL-1.2
"""Cutting a link job into shards that separate machines can run (docs/linkage.md, "National
scale").

The right file is cut by a stable hash of each record's id; every shard is linked against the
whole left file with one model trained beforehand (`--save-model`, then `--model`). Blocking
and the default resolution look at one right record at a time, so the union of the shards'
pairs is the whole job's, but for the term frequencies, which each shard computes over the
left file and its own part of the right one.
"""

from __future__ import annotations

import csv
import zlib
from collections.abc import Iterable
from pathlib import Path


def shard_of(record_id: str, shards: int) -> int:
    return zlib.crc32(record_id.encode("utf-8")) % shards


def split(path: Path, folder: Path, shards: int) -> list[Path]:
    """Write `folder`/shard-K.csv for K in 0..shards-1, each with the header of `path`."""
    if shards < 1:
        raise ValueError("shards must be at least 1")
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"shard-{k}.csv" for k in range(shards)]
    streams = [p.open("w", encoding="utf-8", newline="") for p in paths]
    try:
        writers = [csv.writer(s, lineterminator="\n") for s in streams]
        with path.open(encoding="utf-8-sig", newline="") as source:
            reader = csv.reader(source)
            header = next(reader)
            at = [name.strip().lower() for name in header].index("id")
            for writer in writers:
                writer.writerow(header)
            for row in reader:
                writers[shard_of(row[at].strip(), shards)].writerow(row)
    finally:
        for stream in streams:
            stream.close()
    return paths


def merge(parts: Iterable[Path], out: Path) -> int:
    """Concatenate the shards' PAIRS files under one header; returns the number of pairs."""
    count = 0
    with out.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(("id_left", "id_right", "score"))
        for part in parts:
            with part.open(encoding="utf-8", newline="") as source:
                reader = csv.reader(source)
                next(reader, None)
                for row in reader:
                    writer.writerow(row)
                    count += 1
    return count
