# SPDX-License-Identifier: EUPL-1.2
"""A link job cut into shards of the right file finds the pairs the whole job finds."""

from __future__ import annotations

import csv
from pathlib import Path

from interscambio.core.synth.cli import main as synth_main
from interscambio.linkage import Options, link
from interscambio.linkage.shards import merge, shard_of, split


def pairs(path: Path) -> set[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {(r["id_left"], r["id_right"]) for r in csv.DictReader(stream)}


def test_split_keeps_every_record_once_in_a_stable_shard(tmp_path: Path) -> None:
    source = tmp_path / "right.csv"
    source.write_text("nome,id\n" + "".join(f"N{n},ID{n}\n" for n in range(500)), "utf-8")
    shards = split(source, tmp_path / "shards", 4)
    seen: list[str] = []
    for k, path in enumerate(shards):
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.DictReader(stream))
        assert all(shard_of(r["id"], 4) == k for r in rows)
        seen += [r["id"] for r in rows]
    assert sorted(seen) == sorted(f"ID{n}" for n in range(500))
    assert all(path.stat().st_size > 100 for path in shards)  # each got its share


def test_the_shards_pairs_are_the_whole_jobs(tmp_path: Path) -> None:
    city = tmp_path / "city"
    assert (
        synth_main(["--out", str(city), "--residents", "2000", "--linkage-files", "--quiet"]) == 0
    )
    left, right = city / "linkage" / "left.csv", city / "linkage" / "right.csv"
    model = tmp_path / "model.json"
    whole = link(left, right, Options(save_model=model))
    whole.write_pairs(tmp_path / "whole.csv")
    parts = []
    for k, shard in enumerate(split(right, tmp_path / "shards", 3)):
        part = tmp_path / f"pairs-{k}.csv"
        link(left, shard, Options(model=model)).write_pairs(part)
        parts.append(part)
    total = merge(parts, tmp_path / "merged.csv")
    together, apart = pairs(tmp_path / "whole.csv"), pairs(tmp_path / "merged.csv")
    assert total == len(apart)
    # Only the term frequencies differ between a shard and the whole: a handful of pairs.
    assert len(together ^ apart) <= 0.002 * len(together), sorted(together ^ apart)[:5]
